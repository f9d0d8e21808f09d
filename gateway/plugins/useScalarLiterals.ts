import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isListType,
  type GraphQLScalarType,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

/**
 * A GraphQL validation rule (for Apollo Server's `validationRules`) that checks literal
 * values of custom scalars in the operation text with the partners' own scalar
 * implementations (`DateTime` from lib/subgraph/kit.ts). The gateway's API schema,
 * composed from SDL, accepts any literal for a custom scalar; a partner then refuses
 * `departures(from: "yesterday", …)` in its own validation, and that refusal came back as
 * an internal error. Refused here as GRAPHQL_VALIDATION_FAILED (HTTP 400) with the
 * scalar's own message, which does not repeat the value.
 */
export function useScalarLiterals(scalars: readonly GraphQLScalarType[]): ValidationRule {
  const byName = new Map(scalars.map((scalar) => [scalar.name, scalar]));
  return (context: ValidationContext) => {
    /** Checks `node` when a checked scalar is expected there; true when it was (do not descend). */
    const check = (node: ValueNode): boolean => {
      const expected = context.getInputType();
      const scalar = expected ? byName.get(getNamedType(expected).name) : undefined;
      if (!scalar || !expected) return false;
      if (node.kind === 'ListValue' && isListType(getNullableType(expected))) return false;
      try {
        scalar.parseLiteral(node, undefined);
      } catch (error) {
        const reason = error instanceof Error ? error.message : 'invalid value';
        context.reportError(new GraphQLError(`Expected value of type "${scalar.name}": ${reason}`, { nodes: node }));
      }
      return true;
    };
    return {
      StringValue: (node) => void check(node),
      IntValue: (node) => void check(node),
      FloatValue: (node) => void check(node),
      BooleanValue: (node) => void check(node),
      EnumValue: (node) => void check(node),
      ListValue: (node) => (check(node) ? false : undefined),
      ObjectValue: (node) => (check(node) ? false : undefined),
    };
  };
}
