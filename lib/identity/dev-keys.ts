import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from 'jose';
import { fromRoot } from '../paths';

/** Issuer and audience of development tokens (TOKEN_ISSUER / TOKEN_AUDIENCE defaults). */
export const DEV_ISSUER = 'urn:chain-gateway:dev-issuer';
export const DEV_AUDIENCE = 'chain-gateway';

export interface DevKeys {
  dir: string;
  publicKeyFile: string;
  privateKeyFile: string;
  signingSecretFile: string;
  /** ACCESS_LOG_KEY for development: V-numbers in the access log are hashed and encrypted with it. */
  accessLogKeyFile: string;
}

/**
 * Creates, once, the development key material under `.dev/` (git-ignored): an ES256 key
 * pair for caller tokens, a random gateway-to-subgraph signing secret and a random access
 * log key (ACCESS_LOG_KEY). Never used when keys are configured through the environment.
 */
export async function ensureDevKeys(dir = fromRoot('.dev')): Promise<DevKeys> {
  const keys: DevKeys = {
    dir,
    publicKeyFile: join(dir, 'token-public.pem'),
    privateKeyFile: join(dir, 'token-private.pem'),
    signingSecretFile: join(dir, 'gateway-signing-secret'),
    accessLogKeyFile: join(dir, 'access-log-key'),
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(keys.privateKeyFile) || !existsSync(keys.publicKeyFile)) {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    writeFileSync(keys.privateKeyFile, await exportPKCS8(privateKey), { mode: 0o600 });
    writeFileSync(keys.publicKeyFile, await exportSPKI(publicKey));
  }
  if (!existsSync(keys.signingSecretFile)) {
    writeFileSync(keys.signingSecretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  if (!existsSync(keys.accessLogKeyFile)) {
    writeFileSync(keys.accessLogKeyFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return keys;
}

/** Default organisation and whether a BIG registration comes with each role, for dev tokens. */
export const ROLE_DEFAULTS: Record<string, { organisation: string; big: boolean; purpose: string }> = {
  'medical-doctor': { organisation: 'medical', big: true, purpose: 'medical-care' },
  'medical-nurse': { organisation: 'medical', big: true, purpose: 'medical-care' },
  'escort-nurse': { organisation: 'medex', big: true, purpose: 'departure' },
  'detention-officer': { organisation: 'dji', big: false, purpose: 'detention' },
  'transport-officer': { organisation: 'dvo', big: false, purpose: 'transport' },
  'risk-analyst': { organisation: 'dvo', big: false, purpose: 'transport' },
  'return-officer': { organisation: 'dtv', big: false, purpose: 'return-preparation' },
  'reception-officer': { organisation: 'coa', big: false, purpose: 'reception' },
  'privacy-officer': { organisation: 'dtv', big: false, purpose: 'supervision' },
};

export interface DevTokenOptions {
  role: string;
  organisation?: string;
  purpose?: string;
  subject?: string;
  bigRegistration?: string | null;
  expiresIn?: string;
  issuer?: string;
  audience?: string;
}

/** Signs a development token with a private key (PEM, PKCS#8). */
export async function signDevToken(privateKeyPem: string, options: DevTokenOptions): Promise<string> {
  const defaults = ROLE_DEFAULTS[options.role] ?? { organisation: 'dtv', big: false, purpose: 'return-preparation' };
  const key = await importPKCS8(privateKeyPem, 'ES256');
  const claims: Record<string, unknown> = {
    org: options.organisation ?? defaults.organisation,
    roles: [options.role],
  };
  const purpose = options.purpose ?? defaults.purpose;
  if (purpose) claims.purpose = purpose;
  const big = options.bigRegistration === undefined ? (defaults.big ? '19012345601' : undefined) : options.bigRegistration;
  if (big) claims.big = big;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .setSubject(options.subject ?? `dev-${options.role}`)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '8h')
    .sign(key);
}

/** Reads the development private key created by ensureDevKeys. */
export function readDevPrivateKey(keys: DevKeys): string {
  return readFileSync(keys.privateKeyFile, 'utf8');
}
