import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { randomBase64url } from './random-pool';
import type { Identity } from './identity';

/** Headers the gateway adds to every operation it sends to a subgraph. */
export const SIGNATURE_HEADERS = {
  identity: 'x-chain-identity',
  timestamp: 'x-chain-timestamp',
  nonce: 'x-chain-nonce',
  signature: 'x-chain-signature',
} as const;

/** The part of the identity the gateway vouches for; subgraphs derive the audience themselves. */
export type SignedIdentity = Omit<Identity, 'audience'>;

function mac(secret: string, timestamp: string, nonce: string, identity: string, body: string | Uint8Array): string {
  const bodyHash = createHash('sha256').update(body).digest('base64url');
  return createHmac('sha256', secret).update(`v1\n${timestamp}\n${nonce}\n${identity}\n${bodyHash}`).digest('base64url');
}

/**
 * Signs an outgoing subgraph request: an HMAC-SHA256 with the shared secret over the
 * forwarded identity, the exact body bytes, a timestamp and a nonce. Returns the headers.
 */
export function signRequest(secret: string, identity: SignedIdentity, body: string | Uint8Array, now = Date.now()): Record<string, string> {
  const encoded = Buffer.from(JSON.stringify(identity)).toString('base64url');
  const timestamp = String(now);
  const nonce = randomBase64url(12);
  return {
    [SIGNATURE_HEADERS.identity]: encoded,
    [SIGNATURE_HEADERS.timestamp]: timestamp,
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: `v1=${mac(secret, timestamp, nonce, encoded, body)}`,
  };
}

/** Why a request was refused; for logs only, the client gets a generic 401. */
export class SignatureError extends Error {
  constructor(readonly reason: 'missing' | 'malformed' | 'stale' | 'forged' | 'replayed') {
    super('request not signed by the gateway');
    this.name = 'SignatureError';
  }
}

/**
 * Remembers nonces for the validity window so that a captured request cannot be replayed
 * within it. Bounded: entries older than the window are dropped as new ones arrive.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number, private readonly maxEntries = 100_000) {}

  /** Records the nonce; false when it was already seen within the window. */
  remember(nonce: string, now = Date.now()): boolean {
    this.evict(now);
    if (this.seen.has(nonce)) return false;
    this.seen.set(nonce, now);
    return true;
  }

  // Map iteration follows insertion order, which is arrival order: drop from the front
  // until the oldest entry is inside the window (requests outside it fail as stale anyway).
  private evict(now: number): void {
    for (const [nonce, at] of this.seen) {
      if (now - at <= 2 * this.windowMs && this.seen.size < this.maxEntries) break;
      this.seen.delete(nonce);
    }
  }
}

const get = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/**
 * Verifies a request signed with signRequest and returns the identity it carries. Refuses
 * (SignatureError) unsigned, malformed, forged, stale (outside ±maxSkewMs) and replayed
 * requests.
 */
export function verifyRequest(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Uint8Array,
  options: { maxSkewMs: number; nonces: NonceCache; now?: number },
): SignedIdentity {
  const encoded = get(headers, SIGNATURE_HEADERS.identity);
  const timestamp = get(headers, SIGNATURE_HEADERS.timestamp);
  const nonce = get(headers, SIGNATURE_HEADERS.nonce);
  const signature = get(headers, SIGNATURE_HEADERS.signature);
  if (!encoded || !timestamp || !nonce || !signature) throw new SignatureError('missing');
  if (!/^\d{1,16}$/.test(timestamp) || !/^[A-Za-z0-9_-]{8,64}$/.test(nonce) || !signature.startsWith('v1=') || encoded.length > 8192) {
    throw new SignatureError('malformed');
  }
  const expected = Buffer.from(`v1=${mac(secret, timestamp, nonce, encoded, body)}`);
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new SignatureError('forged');
  const now = options.now ?? Date.now();
  if (Math.abs(now - Number(timestamp)) > options.maxSkewMs) throw new SignatureError('stale');
  if (!options.nonces.remember(nonce, now)) throw new SignatureError('replayed');
  let identity: SignedIdentity;
  try {
    identity = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as SignedIdentity;
  } catch {
    throw new SignatureError('malformed');
  }
  if (typeof identity?.subject !== 'string' || typeof identity.organisation !== 'string' || !Array.isArray(identity.roles)) {
    throw new SignatureError('malformed');
  }
  return identity;
}
