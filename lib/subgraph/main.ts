import { envBool, envInt, envString, isDevelopment } from '../config';
import { openStore } from '../db/open';
import type { Store } from '../db/store';
import { DEFAULT_DEMO_SIZE, generateWorld, type DemoWorld } from '../demo/world';
import { defaultPolicyFile } from '../policy/source';
import { loadPolicyForSubgraph } from '../policy/source';
import { createPolicyHolder } from '../policy/holder';
import { createLogger } from '../log';
import { fromRoot } from '../paths';
import { readShutdownGraceMs } from '../http/graceful-shutdown';
import { stalenessWindowDays } from './context';
import { prepareStore } from './prepare';
import { startSubgraphServer, type RunningSubgraph } from './server';
import type { SubgraphDefinition } from './types';

export interface StartedSubgraph extends RunningSubgraph {
  store: Store;
  seeded: boolean;
}

/**
 * Starts one subgraph from environment configuration: opens its store, migrates, seeds
 * the demo world when SEED_DEMO is on and the store is empty, loads the policy and
 * serves. `<NAME>_PORT` (or `port`) sets the port; `world` lets callers share one world.
 */
export async function runSubgraph(
  definition: SubgraphDefinition<unknown>,
  env: NodeJS.ProcessEnv,
  options: { signingSecret: string; port?: number; world?: DemoWorld },
): Promise<StartedSubgraph> {
  const prefix = definition.name.toUpperCase();
  const port = options.port ?? envInt(`${prefix}_PORT`, definition.defaultPort, 0, 65535, env);
  const policyFile = envString('POLICY_FILE', defaultPolicyFile(), env);
  const log = createLogger(`subgraph-${definition.name}`);
  const policies = createPolicyHolder({
    load: () => loadPolicyForSubgraph(policyFile, fromRoot('subgraphs', definition.name, 'schema.graphql')),
    watch: envBool('POLICY_WATCH', true, env) ? { file: policyFile } : undefined,
    onReload: (next, previous) => log.info({ policy: next.hash, previous: previous.hash }, 'policy reloaded'),
    onRejected: (error) => log.error({ err: error.message }, 'changed policy refused; the previous policy stays in force'),
  });
  const store = await openStore(definition.name, env);
  const seed = envBool('SEED_DEMO', true, env);
  const world = seed ? (options.world ?? generateWorld(envInt('DEMO_SIZE', DEFAULT_DEMO_SIZE, 1, 1_000_000, env))) : undefined;
  const { seeded } = await prepareStore(definition, store, world);
  const running = await startSubgraphServer({
    definition,
    store,
    policy: policies.current,
    signingSecret: options.signingSecret,
    host: envString('HOST', '127.0.0.1', env),
    port,
    maxSkewMs: envInt('SIGNATURE_MAX_SKEW_MS', 30_000, 1_000, 600_000, env),
    stalenessWindowDays: stalenessWindowDays(env),
    development: isDevelopment(env),
    shutdownGraceMs: readShutdownGraceMs(env),
    env,
  });
  return {
    ...running,
    store,
    seeded,
    async close() {
      policies.close();
      await running.close();
      await store.close();
    },
  };
}
