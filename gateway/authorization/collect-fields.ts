import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  isAbstractType,
  isObjectType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';

/** What walking an operation over its result needs besides the result. */
export interface OperationScope {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  /** Coerced variables (defaults applied), for @skip/@include. */
  variables: Record<string, unknown>;
}

function included(scope: OperationScope, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, scope.variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, scope.variables)?.if !== false;
}

function applies(scope: OperationScope, typeCondition: string | undefined, runtime: GraphQLObjectType): boolean {
  if (!typeCondition) return true;
  const condition = scope.schema.getType(typeCondition);
  if (!condition) return false;
  if (condition === runtime) return true;
  return isAbstractType(condition) && scope.schema.isSubType(condition, runtime);
}

/**
 * The field nodes of a selection set that apply to the object type `runtime`, fragments
 * flattened and @skip/@include honoured, as graphql-js's CollectFields does. Fields of the
 * same response key appear once per node; callers dedupe by key when they need to.
 */
export function collectFields(
  scope: OperationScope,
  selectionSet: SelectionSetNode,
  runtime: GraphQLObjectType,
  into: FieldNode[] = [],
  visited = new Set<string>(),
): FieldNode[] {
  for (const selection of selectionSet.selections) {
    if (!included(scope, selection)) continue;
    if (selection.kind === Kind.FIELD) into.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) {
      if (applies(scope, selection.typeCondition?.name.value, runtime)) collectFields(scope, selection.selectionSet, runtime, into, visited);
    } else {
      const fragmentName = selection.name.value;
      const fragment = scope.fragments[fragmentName];
      if (!fragment || visited.has(fragmentName)) continue;
      visited.add(fragmentName);
      if (applies(scope, fragment.typeCondition.name.value, runtime)) collectFields(scope, fragment.selectionSet, runtime, into, visited);
    }
  }
  return into;
}

/** The object type of a result value: the static type, or the one its `__typename` names for abstract types. */
export function runtimeTypeOf(scope: OperationScope, type: GraphQLCompositeType, value: Record<string, unknown>): GraphQLObjectType | undefined {
  if (isObjectType(type)) return type;
  const typename = value.__typename;
  const resolved = typeof typename === 'string' ? scope.schema.getType(typename) : undefined;
  return isObjectType(resolved) ? resolved : undefined;
}

/**
 * collectFields cached per selection set and runtime type for one walk over a result: a
 * list of N objects is collected once, not N times.
 */
export function cachedFieldCollector(scope: OperationScope): (selectionSet: SelectionSetNode, runtime: GraphQLObjectType) => FieldNode[] {
  const collected = new Map<SelectionSetNode, Map<GraphQLObjectType, FieldNode[]>>();
  return (selectionSet, runtime) => {
    let byType = collected.get(selectionSet);
    if (!byType) {
      byType = new Map();
      collected.set(selectionSet, byType);
    }
    let fields = byType.get(runtime);
    if (!fields) {
      fields = collectFields(scope, selectionSet, runtime);
      byType.set(runtime, fields);
    }
    return fields;
  };
}
