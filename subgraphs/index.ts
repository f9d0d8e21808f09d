import { SUBGRAPH_NAMES, type SubgraphName } from '../lib/subgraph/registry-names';
import type { SubgraphDefinition } from '../lib/subgraph/types';

/**
 * Every partner subgraph definition, by name. The list of names (and default ports) is
 * lib/subgraph/registry-names.ts: a new partner is its own folder here plus one line there.
 */
export function loadSubgraphDefinitions(): Record<SubgraphName, SubgraphDefinition<unknown>> {
  const definitions = {} as Record<SubgraphName, SubgraphDefinition<unknown>>;
  for (const name of SUBGRAPH_NAMES) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const loaded = require(`./${name}`) as { definition?: SubgraphDefinition<unknown> };
    if (!loaded.definition || loaded.definition.name !== name) {
      throw new Error(`subgraphs/${name}/index.ts must export a definition named "${name}"`);
    }
    definitions[name] = loaded.definition;
  }
  return definitions;
}

/** One subgraph definition by name; throws for an unknown name. */
export function loadSubgraphDefinition(name: string): SubgraphDefinition<unknown> {
  if (!(SUBGRAPH_NAMES as string[]).includes(name)) {
    throw new Error(`unknown subgraph "${name}"; known: ${SUBGRAPH_NAMES.join(', ')}`);
  }
  return loadSubgraphDefinitions()[name as SubgraphName];
}
