import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { limitError } from './limit-error';
import { fragmentsOf, isIntrospectionField } from './operation';

/**
 * How deeply an operation nests fields: a root field is at depth 1, each field selected
 * under it one more. Fragments (named and inline) add no level of their own; a named
 * fragment counts as deep as its deepest field wherever it is spread. Introspection
 * (`__schema`, `__type`) is not counted.
 *
 * `{ person(vNumber: "…") { name { given } } }` has depth 3.
 */
export function operationDepth(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = fragmentsOf(document);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (selectionSet: SelectionSetNode | undefined): number => {
    if (!selectionSet) return 0;
    let deepest = 0;
    for (const selection of selectionSet.selections) {
      let depth = 0;
      if (selection.kind === Kind.FIELD) {
        if (isIntrospectionField(selection.name.value)) continue;
        depth = 1 + depthOf(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        depth = depthOf(selection.selectionSet);
      } else {
        const name = selection.name.value;
        const known = memo.get(name);
        if (known !== undefined) depth = known;
        else {
          const fragment = fragments.get(name);
          // Unknown and cyclic fragments fail validation; count them as nothing here.
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          depth = depthOf(fragment.selectionSet);
          visiting.delete(name);
          memo.set(name, depth);
        }
      }
      if (depth > deepest) deepest = depth;
    }
    return deepest;
  };
  return depthOf(operation.selectionSet);
}

/** Options of {@link useDepthLimit}. */
export interface DepthLimitOptions {
  /** Deepest nesting allowed (MAX_DEPTH, default 12). */
  maxDepth: number;
}

/**
 * An Apollo Server plugin that refuses operations nested deeper than `maxDepth`
 * ({@link operationDepth}) with HTTP 400 and `QUERY_TOO_DEEP`, before anything is planned
 * or fetched. The schema has cycles (Person → transportOrders → person → …), so without
 * a limit one request can fan out without bound.
 */
export function useDepthLimit({ maxDepth }: DepthLimitOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation }) {
          if (!operation) return;
          if (operationDepth(document, operation) > maxDepth) {
            throw limitError('QUERY_TOO_DEEP', `the operation nests fields more than ${maxDepth} levels deep (MAX_DEPTH)`, maxDepth, 'MAX_DEPTH');
          }
        },
      };
    },
  };
}
