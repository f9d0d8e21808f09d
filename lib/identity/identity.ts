/**
 * Who is asking, as established from a verified token at the gateway and carried to the
 * subgraphs in the gateway-signed identity header.
 */
export interface Identity {
  /** Token subject: the person's user id at their organisation. */
  subject: string;
  /** Organisation code, e.g. `dji`, `dvo`, `medex`. */
  organisation: string;
  roles: string[];
  /** BIG registration number for care professionals (11 digits), if any. */
  bigRegistration?: string;
  /** Purpose of this request (doelbinding), e.g. `transport`; recorded and used by rules. */
  purpose?: string;
  /** The policy audience the roles map to; null when no audience matches (sees nothing). */
  audience: string | null;
  /** W3C trace id of the request, shared with the subgraphs. */
  traceId?: string;
}
