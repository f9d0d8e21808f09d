import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { limitError } from './limit-error';
import { PAGE_SIZE_ARGUMENTS } from './list-size';
import { fragmentsOf, intArgument, isIntrospectionField, variableValuesOf } from './operation';

/** The default factor a list of objects multiplies its selections by (COST_LIST_FACTOR). */
export const DEFAULT_LIST_FACTOR = 10;

/**
 * A static estimate of what an operation costs to resolve, from its text alone:
 *
 * - every field costs 1; a leaf (scalar, enum, or a list of them) costs just that 1;
 * - a field with selections costs 1 plus its multiplier times the cost of its selections;
 * - the multiplier of a list of objects is its own `first`/`last` argument; else, for the
 *   list inside a paginated connection (`departures(first: 20) { nodes { … } }`), the
 *   connection's `first`/`last` (its schema default when not given); else `listFactor`
 *   (COST_LIST_FACTOR, default 10). Every other field multiplies by 1;
 * - a named fragment counts at every spread, inline fragments add their selections,
 *   `@skip`/`@include` are ignored (the estimate is an upper bound), introspection is free.
 *
 * `{ person(vNumber: "…") { transportOrders { pickupChanges { reason } } } }` costs
 * 1 + (1 + 10 × (1 + 10 × 1)) = 112.
 */
export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  listFactor = DEFAULT_LIST_FACTOR,
): number {
  const root = schema.getRootType(operation.operation);
  if (!root) return 0;
  const fragments = fragmentsOf(document);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const pageSize = (node: FieldNode, definition: GraphQLField<unknown, unknown>): number | undefined => {
    let size: number | undefined;
    for (const name of PAGE_SIZE_ARGUMENTS) {
      const argument = node.arguments?.find((a) => a.name.value === name);
      const value = argument
        ? intArgument(argument.value, variables)
        : (definition.args.find((a) => a.name === name)?.defaultValue as number | undefined);
      if (typeof value === 'number' && (size === undefined || value > size)) size = Math.max(0, value);
    }
    return size;
  };

  const costOf = (selectionSet: SelectionSetNode | undefined, parent: GraphQLCompositeType, page: number | undefined): number => {
    if (!selectionSet) return 0;
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (isIntrospectionField(name)) continue;
        const definition = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!definition || !selection.selectionSet) {
          total += 1;
          continue;
        }
        const named = getNamedType(definition.type);
        if (!isCompositeType(named)) {
          total += 1;
          continue;
        }
        const own = pageSize(selection, definition);
        if (isListType(getNullableType(definition.type))) {
          total += 1 + (own ?? page ?? listFactor) * costOf(selection.selectionSet, named, undefined);
        } else {
          total += 1 + costOf(selection.selectionSet, named, own);
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += costOf(selection.selectionSet, isCompositeType(condition) ? condition : parent, page);
      } else {
        const name = selection.name.value;
        const key = `${name}\u0000${page ?? ''}`;
        let known = memo.get(key);
        if (known === undefined) {
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue;
          const condition = schema.getType(fragment.typeCondition.name.value);
          visiting.add(name);
          known = costOf(fragment.selectionSet, isCompositeType(condition) ? condition : parent, page);
          visiting.delete(name);
          memo.set(key, known);
        }
        total += known;
      }
    }
    return total;
  };
  return costOf(operation.selectionSet, root, undefined);
}

/** Options of {@link useCostLimit}. */
export interface CostLimitOptions {
  /** Highest estimated cost allowed (MAX_COST). */
  maxCost: number;
  /** Multiplier of a list without a page size (COST_LIST_FACTOR, default 10). */
  listFactor?: number;
}

/**
 * An Apollo Server plugin that refuses operations whose estimated cost
 * ({@link operationCost}) is above `maxCost` with HTTP 400 and `QUERY_TOO_COMPLEX`, before
 * anything is planned or fetched.
 */
export function useCostLimit({ maxCost, listFactor = DEFAULT_LIST_FACTOR }: CostLimitOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request }) {
          if (!operation) return;
          const variables = variableValuesOf(schema, operation, request.variables);
          if (operationCost(schema, document, operation, variables, listFactor) > maxCost) {
            throw limitError('QUERY_TOO_COMPLEX', `the operation's estimated cost is above ${maxCost} (MAX_COST)`, maxCost, 'MAX_COST');
          }
        },
      };
    },
  };
}
