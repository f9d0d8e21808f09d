import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { getVariableValues, GraphQLError } from 'graphql';
import { withoutSuppliedValue } from '../../lib/http/redact-input';

/**
 * An Apollo Server plugin that checks the request's variables against the operation's
 * variable definitions before anything is planned: a missing required variable or a value
 * of the wrong type is refused with HTTP 400 and `BAD_USER_INPUT`, naming the variable and
 * the reason but never the value supplied (a V-number sent as a number is still personal
 * data). The gateway would otherwise answer 200 with `data: null`.
 */
export function useValidVariables(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema }) {
          if (!operation) return;
          const { errors } = getVariableValues(schema, operation.variableDefinitions ?? [], request.variables ?? {}, { maxErrors: 1 });
          const first = errors?.[0];
          if (first) {
            throw new GraphQLError(withoutSuppliedValue(first.message), {
              nodes: first.nodes,
              extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
