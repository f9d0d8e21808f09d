import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { ConfigError, envOptional } from '../../lib/config';

/** Keys derived from ACCESS_LOG_KEY, one per use, so one purpose never weakens the other. */
export interface AccessLogKeys {
  /** HMAC-SHA256 key for data_subject_hash (lookup per person without clear V-numbers). */
  subject: Buffer;
  /** AES-256-GCM key for data_subject_enc (V-numbers in clear for privacy officers only). */
  encryption: Buffer;
}

const SALT = 'chain-gateway/access-log/v1';
const cache = new Map<string, AccessLogKeys>();

/** Derives the access log keys from a secret of at least 32 characters (HKDF-SHA256). */
export function deriveAccessLogKeys(secret: string): AccessLogKeys {
  if (secret.length < 32) throw new ConfigError('ACCESS_LOG_KEY must be at least 32 characters');
  let keys = cache.get(secret);
  if (!keys) {
    const derive = (info: string) => Buffer.from(hkdfSync('sha256', secret, SALT, info, 32));
    keys = { subject: derive('subject-hmac'), encryption: derive('subject-encryption') };
    cache.clear();
    cache.set(secret, keys);
  }
  return keys;
}

/** The access log keys from ACCESS_LOG_KEY; throws ConfigError when it is unset or short. */
export function accessLogKeysFrom(env: NodeJS.ProcessEnv): AccessLogKeys {
  const secret = envOptional('ACCESS_LOG_KEY', env);
  if (!secret) throw new ConfigError('ACCESS_LOG_KEY is required (the key V-numbers in the access log are hashed and encrypted with)');
  return deriveAccessLogKeys(secret);
}

/** data_subject_hash: HMAC-SHA256 of the V-number, hex. Equal V-numbers give equal hashes. */
export function subjectHash(keys: AccessLogKeys, vNumber: string): string {
  return createHmac('sha256', keys.subject).update(vNumber).digest('hex');
}

/**
 * data_subject_enc: AES-256-GCM of the V-number with a random 96-bit IV, as
 * `v1.` + base64url(iv | tag | ciphertext). Equal V-numbers give different ciphertexts.
 */
export function encryptSubject(keys: AccessLogKeys, vNumber: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keys.encryption, iv);
  const ciphertext = Buffer.concat([cipher.update(vNumber, 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url')}`;
}

/** Thrown when a stored V-number cannot be decrypted (another key, or altered ciphertext). */
export class SubjectDecryptionError extends Error {
  constructor() {
    super('the data subject cannot be decrypted with the configured ACCESS_LOG_KEY');
    this.name = 'SubjectDecryptionError';
  }
}

/** Decrypts data_subject_enc; throws SubjectDecryptionError when the key or the ciphertext is wrong. */
export function decryptSubject(keys: AccessLogKeys, encrypted: string): string {
  try {
    if (!encrypted.startsWith('v1.')) throw new Error('unknown format');
    const raw = Buffer.from(encrypted.slice(3), 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', keys.encryption, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  } catch {
    throw new SubjectDecryptionError();
  }
}
