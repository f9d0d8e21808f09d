import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * An Apollo Server plugin that refuses, with HTTP 400, a request whose operation cannot be
 * run: `operationName` names no operation of the document, or the document holds several
 * operations and none is named (`OPERATION_RESOLUTION_FAILURE`), or the operation type has
 * no root in the schema, such as a subscription (`GRAPHQL_VALIDATION_FAILED`; graphql-js 16
 * does not validate that). Without it such a request reaches the gateway's executor and
 * comes back as a 500. The operation name the caller sent is not repeated.
 */
export function useKnownOperation(): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, request, schema }) {
          if (!operation) {
            throw new GraphQLError(
              request.operationName
                ? 'operationName does not name an operation in the document'
                : 'the document holds several operations: name the one to run in operationName',
              { extensions: { code: 'OPERATION_RESOLUTION_FAILURE', http: { status: 400 } } },
            );
          }
          if (!schema.getRootType(operation.operation)) {
            throw new GraphQLError(`this API has no ${operation.operation} operations`, {
              nodes: [operation],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}
