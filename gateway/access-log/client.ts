import { randomHex } from '../../lib/identity/random-pool';
import { ACCESS_LOG_WRITER_ROLE } from '../../lib/access-log/wire';
import { signRequest, type SignedIdentity } from '../../lib/identity/signing';

/** The gateway's own service identity, under which it writes access records. */
export const GATEWAY_SERVICE_IDENTITY: Omit<SignedIdentity, 'traceId'> = {
  subject: 'chain-gateway',
  organisation: 'gateway',
  roles: [ACCESS_LOG_WRITER_ROLE],
};

/** Where and how the gateway writes access records. */
export interface AccessLogEndpoint {
  /** The audit subgraph's `POST /access-records` URL (ACCESS_LOG_URL). */
  url: string;
  /** The gateway-to-subgraph signing secret. */
  signingSecret: () => string;
  /** How long to wait for the commit (ACCESS_LOG_TIMEOUT_MS). */
  timeoutMs: number;
  /** How the POST is sent: the gateway's keep-alive pool (gateway/transport); default the global fetch. */
  fetch?: (url: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{ status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

/** Why records could not be written; for the operator's log only, never for clients. */
export class AccessLogUnavailable extends Error {
  constructor(readonly reason: 'timeout' | 'network' | `status ${number}`) {
    super(`the access log could not be written (${reason})`);
    this.name = 'AccessLogUnavailable';
  }
}

/**
 * Sends `body` (a batch or an envelope of batches, already serialised: the signature covers
 * these exact bytes) to the audit subgraph, signed with the gateway's service identity under
 * `traceId` (also sent as a W3C `traceparent`). Resolves only on 201, i.e. after the COMMIT
 * of every record in the body; rejects with AccessLogUnavailable on a network error, after
 * `timeoutMs` or on any other status.
 */
export async function postAccessRecordsBody(endpoint: AccessLogEndpoint, body: string, traceId: string, timeoutMs: number): Promise<void> {
  const headers = {
    'content-type': 'application/json',
    traceparent: `00-${traceId}-${randomHex(8)}-01`,
    ...signRequest(endpoint.signingSecret(), { ...GATEWAY_SERVICE_IDENTITY, traceId }, body),
  };
  let response: { status: number; arrayBuffer(): Promise<ArrayBuffer> };
  try {
    // Whole milliseconds: AbortSignal.timeout throws on a fraction (the writer's remaining time is one).
    response = await (endpoint.fetch ?? fetch)(endpoint.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))) });
  } catch (error) {
    throw new AccessLogUnavailable((error as { name?: string })?.name === 'TimeoutError' ? 'timeout' : 'network');
  }
  // Drain the body so the keep-alive connection can be reused.
  await response.arrayBuffer().catch(() => undefined);
  if (response.status !== 201) throw new AccessLogUnavailable(`status ${response.status}`);
}
