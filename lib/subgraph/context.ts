import { envInt } from '../config';
import type { Store } from '../db/store';
import type { Identity } from '../identity/identity';
import type { SubgraphContext, SubgraphDefinition } from './types';

/** Staleness window in days from STALENESS_WINDOW_DAYS (default 7, the inspectorate's window). */
export function stalenessWindowDays(env: NodeJS.ProcessEnv = process.env): number {
  return envInt('STALENESS_WINDOW_DAYS', 7, 0, 365, env);
}

/** Builds the per-request context: fresh loaders, one `now` for the whole answer. */
export function createSubgraphContext<L>(
  definition: SubgraphDefinition<L>,
  store: Store,
  identity: Identity,
  windowDays: number,
  env: NodeJS.ProcessEnv = process.env,
): SubgraphContext<L> {
  return {
    identity,
    loaders: definition.createLoaders(store),
    store,
    now: new Date(),
    stalenessWindowDays: windowDays,
    env,
  };
}
