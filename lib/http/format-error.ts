import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { withoutSuppliedValue } from './redact-input';

/** Error codes whose messages are written for clients and safe to pass on. */
const CLIENT_CODES = new Set([
  'BAD_USER_INPUT',
  'FORBIDDEN',
  'UNAUTHENTICATED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'SUBGRAPH_UNAVAILABLE',
  'SUBGRAPH_TIMEOUT',
  'ACCESS_LOG_UNAVAILABLE',
  'QUERY_TOO_COMPLEX',
  // Input limits and trusted documents (gateway/limits, gateway/plugins).
  'QUERY_TOO_DEEP',
  'TOO_MANY_ALIASES',
  'TOO_MANY_TOKENS',
  'PAYLOAD_TOO_LARGE',
  'OPERATION_NOT_TRUSTED',
]);

/**
 * Formats errors for clients: errors with a client code pass with their message and
 * extensions (minus anything internal, and minus any input value the message would
 * repeat); every other error becomes a generic
 * INTERNAL_SERVER_ERROR without message detail, stack or exception, unless `development`.
 */
export function safeFormatError(formatted: GraphQLFormattedError, error: unknown, development: boolean): GraphQLFormattedError {
  if (development) return formatted;
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && CLIENT_CODES.has(code)) {
    const { stacktrace: _stack, exception: _exception, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, message: withoutSuppliedValue(formatted.message), extensions };
  }
  const original = unwrapResolverError(error);
  if (original instanceof GraphQLError && original.extensions?.code && CLIENT_CODES.has(String(original.extensions.code))) {
    return { message: original.message, path: formatted.path, locations: formatted.locations, extensions: { code: original.extensions.code } };
  }
  // Apollo Server's own refusals of a malformed request carry an HTTP 4xx but no code
  // ("provided sha does not match query", "Unsupported persisted query version").
  const status = original instanceof GraphQLError ? (original.extensions?.http as { status?: unknown } | undefined)?.status : undefined;
  if (original instanceof GraphQLError && !original.extensions?.code && typeof status === 'number' && status >= 400 && status < 500) {
    return { message: withoutSuppliedValue(original.message), locations: formatted.locations, extensions: { code: 'BAD_REQUEST' } };
  }
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
