import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';

const NUL = '\u0000';

/** True when a string anywhere in `value` (nested arrays and objects, keys included) holds a NUL character. Iterative: variables may nest deeply. */
export function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (typeof item === 'string') {
      if (item.includes(NUL)) return true;
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element);
    } else if (item !== null && typeof item === 'object') {
      for (const [key, element] of Object.entries(item)) {
        if (key.includes(NUL)) return true;
        pending.push(element);
      }
    }
  }
  return false;
}

function documentHoldsNul(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    StringValue(node) {
      if (node.value.includes(NUL)) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * An Apollo Server plugin that refuses, with HTTP 400 and `BAD_USER_INPUT`, any string
 * holding a NUL character (U+0000), in the variables or written into the operation. No
 * partner can store or look one up (PostgreSQL text cannot hold it: the partner's query
 * fails with an internal error), and no legitimate value contains one.
 */
export function useNoNulCharacters(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          if (holdsNul(request.variables) || documentHoldsNul(document)) {
            throw new GraphQLError('strings must not contain NUL characters (U+0000)', {
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
