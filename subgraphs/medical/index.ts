import { fromRoot } from '../../lib/paths';
import { loadTypeDefs } from '../../lib/subgraph/kit';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { createLoaders, type Loaders } from './data';
import { isEmpty, seedDemo } from './demo';
import { resolvers } from './resolvers';

export type { EscortConsentRow, Loaders } from './data';

/**
 * The medical services' subgraph: the detention centre medical service and MEDEX medical
 * escorts. Its `escortConsent` loader is also what the authorization layer reads to decide
 * the escort nurse's access to a person's dossier.
 */
export const definition: SubgraphDefinition<Loaders> = {
  name: 'medical',
  partner: 'MEDICAL',
  defaultPort: 4005,
  typeDefs: loadTypeDefs(fromRoot('subgraphs', 'medical', 'schema.graphql')),
  resolvers,
  createLoaders,
  migrationsDir: fromRoot('subgraphs', 'medical', 'migrations'),
  seedDemo,
  isEmpty,
};
