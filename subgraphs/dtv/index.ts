import { fromRoot } from '../../lib/paths';
import { loadTypeDefs } from '../../lib/subgraph/kit';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { createLoaders, isEmpty, type Loaders } from './data';
import { seedDemo } from './demo';
import { resolvers } from './resolvers';

/**
 * DT&V (Dienst Terugkeer en Vertrek): owns Person (identity as known in the chain), the
 * return case and the departure plan with flight and escort. SDL and migrations are read
 * from the source tree through fromRoot, so the compiled dist/ tree finds them too.
 */
export const definition: SubgraphDefinition<Loaders> = {
  name: 'dtv',
  partner: 'DTV',
  defaultPort: 4001,
  typeDefs: loadTypeDefs(fromRoot('subgraphs', 'dtv', 'schema.graphql')),
  resolvers,
  createLoaders,
  migrationsDir: fromRoot('subgraphs', 'dtv', 'migrations'),
  seedDemo,
  isEmpty,
};
