import {
  getVariableValues,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';

/**
 * Shared helpers for the operation limits: fragment lookup, the variables as execution will
 * see them, argument values, and which fields are introspection.
 */

/** The fragment definitions of a document by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/**
 * The operation's variables coerced as execution will see them (defaults applied); the raw
 * request values when they do not coerce (the request is then refused elsewhere).
 */
export function variableValuesOf(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const { coerced } = getVariableValues(schema, operation.variableDefinitions ?? [], raw ?? {});
  return coerced ?? raw ?? {};
}

/** An integer argument value: an Int literal, or a variable holding a number; undefined otherwise. */
export function intArgument(value: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const bound = variables[value.name.value];
    return typeof bound === 'number' && Number.isFinite(bound) ? bound : undefined;
  }
  return undefined;
}

/**
 * The introspection entry points `__schema` and `__type`. Introspection is refused by
 * validation outside development; in development, the limits leave it alone (the standard
 * introspection query is deeper than any data query).
 */
export function isIntrospectionField(name: string): boolean {
  return name === '__schema' || name === '__type';
}
