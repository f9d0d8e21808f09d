import { GraphQLError, type ValidationRule } from 'graphql';

/**
 * A GraphQL validation rule (for Apollo Server's `validationRules`) that refuses aliases
 * beginning with `__`, the prefix the specification reserves for introspection:
 * `{ person(…) { __typename: name { given } } }` passes graphql-js validation, but the
 * gateway reads `__typename` keys of subgraph answers as type names and fails on the object
 * (an internal error instead of an answer). Refused as GRAPHQL_VALIDATION_FAILED (HTTP 400),
 * like every other invalid document; the alias itself is not repeated.
 */
export function useNoReservedAliases(): ValidationRule {
  return (context) => ({
    Field(node) {
      if (node.alias && node.alias.value.startsWith('__')) {
        context.reportError(new GraphQLError('aliases must not begin with "__" (reserved for introspection)', { nodes: node.alias }));
      }
    },
  });
}
