import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Lexer, Source, TokenKind, type ParseOptions } from 'graphql';

/**
 * The number of tokens in a GraphQL document as graphql-js counts them for `maxTokens`
 * (punctuators, names, values; no whitespace, commas or comments), counting no further than
 * `stopAfter`. A document that does not lex counts up to where it fails.
 */
export function countTokens(source: string, stopAfter = Number.POSITIVE_INFINITY): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count <= stopAfter && lexer.advance().kind !== TokenKind.EOF) count += 1;
  } catch {
    // A syntax error: the parser reports it.
  }
  return count;
}

/**
 * The parse options that stop the parser after `maxTokens` tokens (graphql-js aborts with a
 * syntax error past the limit), so an oversized document is never parsed or validated in
 * full. Pass them as Apollo Server's `parseOptions`, together with {@link useTokenLimit}.
 */
export function tokenLimitParseOptions(maxTokens: number): ParseOptions {
  return { maxTokens };
}

/** graphql-js's message for a document over `maxTokens`. */
const TOO_MANY_TOKENS = /Document contains more th(?:an|at) \d+ tokens/;

/** Options of {@link useTokenLimit}. */
export interface TokenLimitOptions {
  /** Most tokens a document may have (MAX_TOKENS, default 2000). */
  maxTokens: number;
}

/**
 * An Apollo Server plugin that turns graphql-js's parse abort past `maxTokens` (see
 * {@link tokenLimitParseOptions}) into a clear refusal: HTTP 400, `TOO_MANY_TOKENS`, a
 * message naming the limit. Apollo Server reports every parse failure as
 * GRAPHQL_PARSE_FAILED; this re-labels that one error before it is formatted, logged or
 * counted.
 */
export function useTokenLimit({ maxTokens }: TokenLimitOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            if (error.extensions.code === 'GRAPHQL_PARSE_FAILED' && TOO_MANY_TOKENS.test(error.message)) {
              error.extensions.code = 'TOO_MANY_TOKENS';
              error.extensions.maximum = maxTokens;
              error.extensions.setting = 'MAX_TOKENS';
              error.message = `the document has more than ${maxTokens} tokens (MAX_TOKENS)`;
            }
          }
        },
      };
    },
  };
}
