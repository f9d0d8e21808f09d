import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Identity } from '../lib/identity/identity';
import { SIGNATURE_HEADERS, signRequest, type SignedIdentity } from '../lib/identity/signing';

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
  constructor(url: string, secret: () => string) {
    super({ url });
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
  }
}

export { SIGNATURE_HEADERS };
