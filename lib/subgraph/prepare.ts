import { migrate } from '../db/migrate';
import type { Store } from '../db/store';
import type { DemoWorld } from '../demo/world';
import type { SubgraphDefinition } from './types';

/** Migrates the subgraph's schema and, when `world` is given and the store is empty, seeds it. */
export async function prepareStore(definition: SubgraphDefinition<any>, store: Store, world?: DemoWorld): Promise<{ seeded: boolean }> {
  await migrate(store, definition.name, definition.migrationsDir);
  if (world && (await definition.isEmpty(store))) {
    await definition.seedDemo(store, world);
    return { seeded: true };
  }
  return { seeded: false };
}
