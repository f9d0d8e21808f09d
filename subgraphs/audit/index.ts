import type { Store } from '../../lib/db/store';
import { fromRoot } from '../../lib/paths';
import { loadTypeDefs } from '../../lib/subgraph/kit';
import { SUBGRAPH_PORTS } from '../../lib/subgraph/registry-names';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { createLoaders, type Loaders } from './data';
import { resolvers } from './resolvers';
import { accessRecordRoutes } from './routes';

export type { Loaders } from './data';

/**
 * The privacy office's access log: takes the gateway's access records on
 * `POST /access-records` (signed, committed before 201) and answers privacy officers'
 * `accessLog` queries. No demo data: the log fills as the chain is used.
 */
export const definition: SubgraphDefinition<Loaders> = {
  name: 'audit',
  partner: 'AUDIT',
  defaultPort: SUBGRAPH_PORTS.audit,
  typeDefs: loadTypeDefs(fromRoot('subgraphs', 'audit', 'schema.graphql')),
  resolvers,
  createLoaders,
  migrationsDir: fromRoot('subgraphs', 'audit', 'migrations'),
  // No demo records: an access log holds only what really happened.
  seedDemo: async (_store: Store) => undefined,
  // The access log has no demo data: never "empty" in the seeding sense, so start-up does
  // not claim to have loaded any.
  isEmpty: async (_store: Store) => false,
  httpRoutes: accessRecordRoutes,
};
