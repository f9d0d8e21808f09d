import { GraphQLError } from 'graphql';

/** The error codes the gateway's input limits answer with (HTTP 400 each). */
export type LimitCode =
  | 'QUERY_TOO_DEEP'
  | 'TOO_MANY_ALIASES'
  | 'TOO_MANY_TOKENS'
  | 'QUERY_TOO_COMPLEX'
  | 'BAD_USER_INPUT';

/**
 * A refusal by one of the input limits: HTTP 400, a code, a message naming the limit and
 * the setting that configures it, and `extensions.maximum` (the configured limit). Never
 * the measured value or anything else the caller sent.
 */
export function limitError(code: LimitCode, message: string, maximum: number, setting: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, maximum, setting, http: { status: 400 } },
  });
}
