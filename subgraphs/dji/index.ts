import { fromRoot } from '../../lib/paths';
import { loadTypeDefs } from '../../lib/subgraph/kit';
import { SUBGRAPH_PORTS } from '../../lib/subgraph/registry-names';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { createLoaders, isEmpty, type Loaders } from './data';
import { seedDemo } from './demo';
import { resolvers } from './resolvers';

/**
 * DJI (Dienst Justitiële Inrichtingen): detention centres. Extends Person with the current
 * stay (readiness for transport, behaviour observations) and the belongings DJI holds,
 * with every change to them so last-minute changes at departure are visible.
 * SDL and migrations are read from the source tree (fromRoot), also when running from dist/.
 */
export const definition: SubgraphDefinition<Loaders> = {
  name: 'dji',
  partner: 'DJI',
  defaultPort: SUBGRAPH_PORTS.dji,
  typeDefs: loadTypeDefs(fromRoot('subgraphs', 'dji', 'schema.graphql')),
  resolvers,
  createLoaders,
  migrationsDir: fromRoot('subgraphs', 'dji', 'migrations'),
  seedDemo,
  isEmpty,
};
