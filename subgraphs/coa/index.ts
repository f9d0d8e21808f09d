import { fromRoot } from '../../lib/paths';
import { loadTypeDefs } from '../../lib/subgraph/kit';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { createLoaders, type Loaders } from './data';
import { isEmpty, seedDemo } from './demo';
import { resolvers } from './resolvers';

/**
 * COA (Centraal Orgaan opvang asielzoekers): reception locations and stays, behaviour at
 * reception and characteristics (height, weight) as registered. Extends Person only.
 * SDL and migrations are read from the source tree so the compiled build finds them too.
 */
export const definition: SubgraphDefinition<Loaders> = {
  name: 'coa',
  partner: 'COA',
  defaultPort: 4004,
  typeDefs: loadTypeDefs(fromRoot('subgraphs', 'coa', 'schema.graphql')),
  resolvers,
  createLoaders,
  migrationsDir: fromRoot('subgraphs', 'coa', 'migrations'),
  seedDemo,
  isEmpty,
};
