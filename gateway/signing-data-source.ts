import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { randomHex } from '../lib/identity/random-pool';
import type { Identity } from '../lib/identity/identity';
import { SIGNATURE_HEADERS, signRequest, type SignedIdentity } from '../lib/identity/signing';
import { withoutSuppliedValue } from '../lib/http/redact-input';

/** Request context fields the data source reads. */
interface SigningContext {
  identity?: Identity;
}

type Context = SigningContext & Record<string, unknown>;
type Fetcher = RemoteGraphQLDataSource['fetcher'];
type FetchInit = Parameters<Fetcher>[1] & { headers?: Record<string, string>; body?: string };

// Carries the identity from willSendRequest (which knows the caller) to the fetcher (which
// knows the exact body bytes); removed again before the request leaves.
const PENDING_IDENTITY = 'x-chain-pending-identity';

/**
 * A subgraph data source that signs every operation it sends: the verified identity of
 * the caller, the exact body bytes, a timestamp and a nonce, with the shared secret.
 * Requests without a caller identity (none are made with a static supergraph) go
 * unsigned and are refused by the subgraph. The caller's own headers are not forwarded.
 */
export class SigningDataSource extends RemoteGraphQLDataSource<Context> {
  /** `fetcher`: how requests leave (gateway/transport's keep-alive pool); the signing wraps it. */
  constructor(url: string, secret: () => string, fetcher?: Fetcher) {
    super(fetcher ? { url, fetcher } : { url });
    const send = this.fetcher;
    this.fetcher = ((input: Parameters<Fetcher>[0], init: FetchInit = {}) => {
      const headers = { ...(init.headers ?? {}) };
      const pending = headers[PENDING_IDENTITY];
      delete headers[PENDING_IDENTITY];
      if (pending && typeof init.body === 'string') {
        const identity = JSON.parse(Buffer.from(pending, 'base64url').toString('utf8')) as SignedIdentity;
        Object.assign(headers, signRequest(secret(), identity, init.body));
      }
      return send(input, { ...init, headers });
    }) as Fetcher;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<Context>): void {
    const identity = context?.identity;
    if (!identity || !request.http) return;
    const { audience: _audience, ...vouched } = identity;
    request.http.headers.set(PENDING_IDENTITY, Buffer.from(JSON.stringify(vouched)).toString('base64url'));
    // The W3C trace context, so that partners' own tracing joins the request's trace (the
    // trace id also travels, signed, in the identity).
    if (identity.traceId) request.http.headers.set('traceparent', `00-${identity.traceId}-${randomHex(8)}-01`);
  }

  /**
   * A subgraph refuses an operation whose variables its own scalars reject (a DateTime
   * that is not ISO 8601 with a zone: the supergraph's DateTime accepts any string at the
   * gateway) with HTTP 400 and BAD_USER_INPUT, or a literal it rejects with a validation
   * error. Passed on as BAD_USER_INPUT rather than
   * the data source's default "400: Bad Request" INTERNAL_SERVER_ERROR. The supplied value
   * is cut from the message (never echo input); anything else keeps the default handling.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]): Promise<GraphQLError> {
    const fallback = await super.errorFromResponse(response);
    if (response.status !== 400) return fallback;
    const body = (fallback.extensions.response as { body?: unknown } | undefined)?.body;
    const errors = (body as { errors?: unknown } | null)?.errors;
    const first = Array.isArray(errors) ? (errors[0] as { message?: unknown; extensions?: { code?: unknown } }) : undefined;
    if (typeof first?.message !== 'string') return fallback;
    // A literal the subgraph's scalar rejects (DateTime "tomorrow") fails its validation.
    const badLiteral = first.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && first.message.startsWith('Expected value of type');
    if (first.extensions?.code !== 'BAD_USER_INPUT' && !badLiteral) return fallback;
    return new GraphQLError(withoutSuppliedValue(first.message), { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

export { SIGNATURE_HEADERS };
