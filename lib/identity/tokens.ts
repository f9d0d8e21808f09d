import { readFileSync } from 'node:fs';
import { createLocalJWKSet, importSPKI, jwtVerify, errors as joseErrors, type JWTPayload, type JWTVerifyGetKey, type KeyObject } from 'jose';

/** Algorithms accepted for caller tokens; `none` and HMAC are never accepted. */
export const TOKEN_ALGORITHMS = ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'];

/** The verified claims this product reads from a caller's token. */
export interface TokenClaims {
  subject: string;
  organisation: string;
  roles: string[];
  bigRegistration?: string;
  purpose?: string;
}

/** A token that is missing, malformed, expired, forged or lacks required claims. */
export class UnauthenticatedError extends Error {
  /** `reason` is for logs only; clients get one generic message. */
  constructor(readonly reason: string) {
    super('a valid bearer token is required');
    this.name = 'UnauthenticatedError';
  }
}

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  /** PEM (SPKI) public key file, or a JWKS JSON file; exactly one. */
  publicKeyFile?: string;
  jwksFile?: string;
  /** Allowed clock skew in seconds. */
  clockToleranceSeconds?: number;
}

const BIG = /^\d{11}$/;
const NAME = /^[a-z][a-z0-9-]{0,63}$/;

function readClaims(payload: JWTPayload): TokenClaims {
  const { sub, org, roles, big, purpose } = payload as JWTPayload & Record<string, unknown>;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) throw new UnauthenticatedError('missing sub');
  if (typeof org !== 'string' || !NAME.test(org)) throw new UnauthenticatedError('missing or malformed org');
  if (!Array.isArray(roles) || roles.length === 0 || roles.length > 32 || !roles.every((r) => typeof r === 'string' && NAME.test(r))) {
    throw new UnauthenticatedError('missing or malformed roles');
  }
  if (big !== undefined && (typeof big !== 'string' || !BIG.test(big))) throw new UnauthenticatedError('malformed big');
  if (purpose !== undefined && (typeof purpose !== 'string' || !NAME.test(purpose))) throw new UnauthenticatedError('malformed purpose');
  return { subject: sub, organisation: org, roles: roles as string[], bigRegistration: big as string | undefined, purpose: purpose as string | undefined };
}

/**
 * Builds a verifier for caller tokens: signature against the configured key (file-based,
 * so the gateway never reaches out to anything but its subgraphs), issuer, audience,
 * expiry, and the claims this product needs. Resolves to the claims or rejects with
 * UnauthenticatedError.
 */
export async function createTokenVerifier(options: TokenVerifierOptions): Promise<(token: string) => Promise<TokenClaims>> {
  let key: KeyObject | Uint8Array | JWTVerifyGetKey;
  if (options.jwksFile) {
    key = createLocalJWKSet(JSON.parse(readFileSync(options.jwksFile, 'utf8')));
  } else if (options.publicKeyFile) {
    const pem = readFileSync(options.publicKeyFile, 'utf8');
    const alg = /BEGIN PUBLIC KEY/.test(pem) ? detectAlgorithm(pem) : 'ES256';
    key = (await importSPKI(pem, alg)) as KeyObject;
  } else {
    throw new Error('token verification needs TOKEN_PUBLIC_KEY_FILE or TOKEN_JWKS_FILE');
  }
  return async (token: string) => {
    if (!token || token.length > 8192) throw new UnauthenticatedError('missing or oversized token');
    try {
      const { payload } = await jwtVerify(token, key as KeyObject, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: TOKEN_ALGORITHMS,
        clockTolerance: options.clockToleranceSeconds ?? 30,
        requiredClaims: ['exp', 'sub'],
      });
      return readClaims(payload);
    } catch (error) {
      if (error instanceof UnauthenticatedError) throw error;
      const code = error instanceof joseErrors.JOSEError ? error.code : 'ERR_UNKNOWN';
      throw new UnauthenticatedError(code);
    }
  };
}

/** Picks the JWS algorithm for a PEM public key from its key type. */
function detectAlgorithm(pem: string): string {
  // node:crypto tells the key type without a round trip through jose.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createPublicKey } = require('node:crypto') as typeof import('node:crypto');
  const keyObject = createPublicKey(pem);
  switch (keyObject.asymmetricKeyType) {
    case 'ec':
      return keyObject.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'ES384' : 'ES256';
    case 'ed25519':
      return 'EdDSA';
    case 'rsa':
      return 'RS256';
    default:
      throw new Error(`unsupported public key type ${keyObject.asymmetricKeyType ?? 'unknown'}`);
  }
}

/** Extracts the token from an `Authorization: Bearer <token>` header value. */
export function bearerToken(header: string | undefined | null): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9\-_.]+)\s*$/i.exec(header);
  return match?.[1];
}
