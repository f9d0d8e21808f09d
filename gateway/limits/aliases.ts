import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Kind, type DocumentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { limitError } from './limit-error';
import { fragmentsOf } from './operation';

/**
 * How many aliased fields an operation executes: every field written with an alias
 * (`a: person(…)`) counts once, and a named fragment's aliases count again at every
 * spread of it (that is how often they run).
 */
export function operationAliases(document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = fragmentsOf(document);
  const memo = new Map<string, number>();
  const visiting = new Set<string>();
  const aliasesIn = (selectionSet: SelectionSetNode | undefined): number => {
    if (!selectionSet) return 0;
    let count = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) count += 1;
        count += aliasesIn(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count += aliasesIn(selection.selectionSet);
      } else {
        const name = selection.name.value;
        let known = memo.get(name);
        if (known === undefined) {
          const fragment = fragments.get(name);
          if (!fragment || visiting.has(name)) continue;
          visiting.add(name);
          known = aliasesIn(fragment.selectionSet);
          visiting.delete(name);
          memo.set(name, known);
        }
        count += known;
      }
    }
    return count;
  };
  return aliasesIn(operation.selectionSet);
}

/** Options of {@link useAliasLimit}. */
export interface AliasLimitOptions {
  /** Most aliased fields allowed in one operation (MAX_ALIASES, default 30). */
  maxAliases: number;
}

/**
 * An Apollo Server plugin that refuses operations with more than `maxAliases` aliased
 * fields ({@link operationAliases}) with HTTP 400 and `TOO_MANY_ALIASES`. Aliases let one
 * request ask for the same expensive field hundreds of times (and guess V-numbers in bulk).
 */
export function useAliasLimit({ maxAliases }: AliasLimitOptions): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation }) {
          if (!operation) return;
          if (operationAliases(document, operation) > maxAliases) {
            throw limitError('TOO_MANY_ALIASES', `the operation has more than ${maxAliases} aliased fields (MAX_ALIASES)`, maxAliases, 'MAX_ALIASES');
          }
        },
      };
    },
  };
}
