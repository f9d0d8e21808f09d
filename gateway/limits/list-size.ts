import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { limitError } from './limit-error';
import { fragmentsOf, intArgument, variableValuesOf } from './operation';

/** The arguments that set how many items a field returns (page sizes). */
export const PAGE_SIZE_ARGUMENTS: readonly string[] = ['first', 'last'];

/**
 * The largest page size an operation asks for: the greatest `first`/`last` argument
 * anywhere in it (literal or variable, in fragments too); 0 when it asks for none.
 */
export function largestPageSize(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = fragmentsOf(document);
  const seen = new Set<string>();
  let largest = 0;
  const visit = (selectionSet: SelectionSetNode | undefined): void => {
    if (!selectionSet) return;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        for (const argument of selection.arguments ?? []) {
          if (!PAGE_SIZE_ARGUMENTS.includes(argument.name.value)) continue;
          const size = intArgument(argument.value, variables);
          if (size !== undefined && size > largest) largest = size;
        }
        visit(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        visit(fragments.get(selection.name.value)?.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return largest;
}

/** Options of {@link useListSizeLimit}. */
export interface ListSizeLimitOptions {
  /** Largest `first`/`last` any field may be asked for (MAX_LIST_SIZE, default 100). */
  maxListSize: number;
}

/**
 * An Apollo Server plugin that refuses any `first` or `last` argument above `maxListSize`
 * with HTTP 400 and `BAD_USER_INPUT`, at the gateway, whatever a partner's own bound is.
 * (Partners still check the lower bound and their own maximum.)
 */
export function useListSizeLimit({ maxListSize }: ListSizeLimitOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, schema, request }) {
          if (!operation) return;
          const variables = variableValuesOf(schema, operation, request.variables);
          if (largestPageSize(document, operation, variables) > maxListSize) {
            throw limitError('BAD_USER_INPUT', `first and last must be at most ${maxListSize} (MAX_LIST_SIZE)`, maxListSize, 'MAX_LIST_SIZE');
          }
        },
      };
    },
  };
}
