import { randomBytes } from 'node:crypto';

/**
 * Cryptographically random bytes for the many small values of every request (signature
 * nonces, trace and span ids), taken from a pool filled by crypto.randomBytes a few KiB at
 * a time: one call per request fan-out costs far more than the bytes. Every byte is handed
 * out once and never reused.
 */
const POOL_SIZE = 8 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

function take(size: number): Buffer {
  if (size > POOL_SIZE) return randomBytes(size);
  if (offset + size > pool.length) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const bytes = pool.subarray(offset, offset + size);
  offset += size;
  return bytes;
}

/** `size` random bytes as lower-case hex. */
export function randomHex(size: number): string {
  return take(size).toString('hex');
}

/** `size` random bytes as base64url. */
export function randomBase64url(size: number): string {
  return take(size).toString('base64url');
}
