import {
  GraphQLError,
  getNamedType,
  isListType,
  isNonNullType,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { forbiddenError } from '../../lib/policy/errors';
import { cachedFieldCollector, runtimeTypeOf } from './collect-fields';
import { PLACEHOLDER_KEY, type DeniedField } from './rewrite';

type Path = Array<string | number>;
type Data = Record<string, unknown>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  denied: Map<FieldNode, DeniedField>;
  errors: GraphQLError[];
  reported: Set<string>;
  /** collectFields per selection set and runtime type: a list of N objects is collected once. */
  fieldsOf: (selectionSet: SelectionSetNode, runtime: GraphQLObjectType) => FieldNode[];
}

/** Returns true when `value` (an object) must itself become null: a non-null child was denied. */
function walkObject(walk: Walk, value: Data, type: GraphQLObjectType, selectionSet: SelectionSetNode, path: Path): boolean {
  let nullSelf = false;
  delete value[PLACEHOLDER_KEY];
  for (const field of walk.fieldsOf(selectionSet, type)) {
    const key = field.alias?.value ?? field.name.value;
    const fieldPath = [...path, key];
    const deniedField = walk.denied.get(field);
    const definition = type.getFields()[field.name.value];
    if (deniedField) {
      const id = fieldPath.join('\u0000');
      if (!walk.reported.has(id)) {
        walk.reported.add(id);
        walk.errors.push(forbiddenError(deniedField.coordinate, deniedField.rule, deniedField.className, fieldPath));
      }
      if (definition && isNonNullType(definition.type)) nullSelf = true;
      else value[key] = null;
      continue;
    }
    if (!definition || !field.selectionSet) continue;
    const child = value[key];
    if (child === null || child === undefined) continue;
    if (walkValue(walk, child, definition.type, field.selectionSet, fieldPath)) {
      if (isNonNullType(definition.type)) nullSelf = true;
      else value[key] = null;
    }
  }
  return nullSelf;
}

/** Walks a (possibly list) value of `type`; true when the value must become null. */
function walkValue(walk: Walk, value: unknown, type: GraphQLOutputType, selectionSet: SelectionSetNode, path: Path): boolean {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) {
    if (!Array.isArray(value)) return false;
    const itemType = inner.ofType as GraphQLOutputType;
    for (let i = 0; i < value.length; i++) {
      const item = value[i];
      if (item === null || item === undefined) continue;
      if (walkValue(walk, item, itemType, selectionSet, [...path, i])) {
        if (isNonNullType(itemType)) return true;
        value[i] = null;
      }
    }
    return false;
  }
  const named = getNamedType(inner) as GraphQLCompositeType;
  if (typeof value !== 'object' || value === null) return false;
  const runtime = runtimeTypeOf(walk, named, value as Data);
  return runtime ? walkObject(walk, value as Data, runtime, selectionSet, path) : false;
}

/**
 * Puts `null` at every path of a denied field in an execution result, with a FORBIDDEN
 * error naming the path, the field and the rule. A denied non-null field nulls its
 * nearest nullable ancestor, as a failing non-null field would in GraphQL. Skipped
 * (@skip/@include) fields are neither filled nor reported. Mutates `data`.
 */
export function fillDeniedFields(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
  denied: Map<FieldNode, DeniedField>,
  data: Data | null | undefined,
): { data: Data | null; errors: GraphQLError[] } {
  const scope = { schema, fragments, variables };
  const walk: Walk = { ...scope, denied, errors: [], reported: new Set(), fieldsOf: cachedFieldCollector(scope) };
  const root = schema.getRootType(operation.operation);
  if (!data || !root) return { data: data ?? null, errors: walk.errors };
  const nullRoot = walkObject(walk, data, root, operation.selectionSet, []);
  return { data: nullRoot ? null : data, errors: walk.errors };
}

/** Every denied field the operation would read, reported without executing (reject-operation mode). */
export function deniedErrors(denied: Map<FieldNode, DeniedField>): GraphQLError[] {
  const seen = new Set<string>();
  const errors: GraphQLError[] = [];
  for (const field of denied.values()) {
    if (seen.has(field.coordinate)) continue;
    seen.add(field.coordinate);
    errors.push(forbiddenError(field.coordinate, field.rule, field.className));
  }
  return errors;
}

