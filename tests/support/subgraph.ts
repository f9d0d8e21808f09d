import { execute, parse, type ExecutionResult } from 'graphql';
import { openStore } from '../../lib/db/open';
import type { Store } from '../../lib/db/store';
import { generateWorld, type DemoWorld } from '../../lib/demo/world';
import type { Identity } from '../../lib/identity/identity';
import { createSubgraphContext } from '../../lib/subgraph/context';
import { prepareStore } from '../../lib/subgraph/prepare';
import { buildDefinitionSchema } from '../../lib/subgraph/schema';
import type { SubgraphDefinition } from '../../lib/subgraph/types';
import { freshDatabase } from './database';

/** An identity that the raw-schema tests use; authorization is not applied at this level. */
export const TEST_IDENTITY: Identity = {
  subject: 'test-user',
  organisation: 'dvo',
  roles: ['risk-analyst'],
  purpose: 'transport',
  audience: 'chain-officer',
};

export interface BootedSubgraph {
  world: DemoWorld;
  store: Store;
  /** Executes an operation against the raw subgraph schema (no shield), with fresh loaders. */
  run(query: string, variables?: Record<string, unknown>, identity?: Identity): Promise<ExecutionResult>;
  close(): Promise<void>;
}

/**
 * Migrates and seeds one subgraph on a fresh database (PostgreSQL when TEST_DATABASE_URL is
 * set, else the embedded store) and executes operations against its schema directly.
 */
export async function bootSubgraph(definition: SubgraphDefinition<any>, size = 60): Promise<BootedSubgraph> {
  const database = await freshDatabase();
  const store = await openStore(definition.name, database.env);
  const world = generateWorld(size);
  await prepareStore(definition, store, world);
  const schema = buildDefinitionSchema(definition);
  return {
    world,
    store,
    async run(query, variables, identity = TEST_IDENTITY) {
      const contextValue = createSubgraphContext(definition, store, identity, 7);
      return (await execute({ schema, document: parse(query), variableValues: variables, contextValue })) as ExecutionResult;
    },
    async close() {
      await store.close();
      await database.drop();
    },
  };
}
