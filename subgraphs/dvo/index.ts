import { fromRoot } from '../../lib/paths';
import { loadTypeDefs } from '../../lib/subgraph/kit';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { createLoaders, type Loaders } from './data';
import { isEmpty, seedDemo } from './demo';
import { resolvers } from './resolvers';

/**
 * DV&O (Dienst Vervoer en Ondersteuning), the Transport and Support Service: transport
 * orders and their pickup planning, transport classification, restraint decisions.
 * SDL and migrations are read from the source tree (fromRoot), also when running from dist/.
 */
export const definition: SubgraphDefinition<Loaders> = {
  name: 'dvo',
  partner: 'DVO',
  defaultPort: 4003,
  typeDefs: loadTypeDefs(fromRoot('subgraphs', 'dvo', 'schema.graphql')),
  resolvers,
  createLoaders,
  migrationsDir: fromRoot('subgraphs', 'dvo', 'migrations'),
  seedDemo,
  isEmpty,
};
