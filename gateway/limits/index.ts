import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ParseOptions } from 'graphql';
import { useAliasLimit } from './aliases';
import { useCostLimit } from './cost';
import { useDepthLimit } from './depth';
import { useListSizeLimit } from './list-size';
import type { InputLimits } from './defaults';
import { tokenLimitParseOptions, useTokenLimit } from './tokens';

export { DEFAULT_INPUT_LIMITS, type InputLimits } from './defaults';

/**
 * Everything Apollo Server needs to enforce the input limits: `parseOptions` (the token
 * limit stops the parser) and the plugins, one per limit, in the order their errors are
 * preferred (depth, aliases, list size, cost; tokens act at parse time).
 */
export function useInputLimits(limits: InputLimits): { parseOptions: ParseOptions; plugins: ApolloServerPlugin<BaseContext>[] } {
  return {
    parseOptions: tokenLimitParseOptions(limits.maxTokens),
    plugins: [
      useTokenLimit({ maxTokens: limits.maxTokens }),
      useDepthLimit({ maxDepth: limits.maxDepth }),
      useAliasLimit({ maxAliases: limits.maxAliases }),
      useListSizeLimit({ maxListSize: limits.maxListSize }),
      useCostLimit({ maxCost: limits.maxCost, listFactor: limits.costListFactor }),
    ],
  };
}
