import { randomHex } from './random-pool';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/;

/**
 * The W3C trace id of a request: taken from an incoming `traceparent` header when it is
 * well formed (and not all zeros), otherwise a new random one.
 */
export function traceIdFrom(traceparent: string | string[] | undefined): string {
  const value = Array.isArray(traceparent) ? traceparent[0] : traceparent;
  const match = value ? TRACEPARENT.exec(value.trim()) : null;
  if (match && !/^0+$/.test(match[1]!)) return match[1]!;
  return randomHex(16);
}
