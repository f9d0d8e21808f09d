import { readFileSync } from 'node:fs';
import { closeEmbedded } from '../lib/db/open';
import { DEFAULT_DEMO_SIZE, generateWorld, type DemoWorld } from '../lib/demo/world';
import { ensureDevKeys, readDevPrivateKey, signDevToken, type DevKeys, type DevTokenOptions } from '../lib/identity/dev-keys';
import { runSubgraph, type StartedSubgraph } from '../lib/subgraph/main';
import { SUBGRAPH_NAMES } from '../lib/subgraph/registry-names';
import { readGatewayConfig } from '../gateway/config';
import { startGateway, type RunningGateway } from '../gateway/server';
import { loadSubgraphDefinitions } from '../subgraphs';

export interface StackOptions {
  /** Environment for stores and settings (DATABASE_URL etc.); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Demo persons to seed (default DEMO_SIZE or 60). */
  size?: number;
  world?: DemoWorld;
  /** Listen on free ports instead of 4000-4005 (tests). */
  ephemeralPorts?: boolean;
  /** Where the development token keys and signing secret live (default .dev/). */
  keysDir?: string;
}

export interface Stack {
  world: DemoWorld;
  gateway: RunningGateway;
  subgraphs: StartedSubgraph[];
  keys: DevKeys;
  signingSecret: string;
  /** ACCESS_LOG_KEY in force (from the environment, else the development key file). */
  accessLogKey: string;
  /** Signs a development token for a role (see `npm run token`). */
  token(options: DevTokenOptions): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the subgraphs (the five partners and the audit log) and the gateway in this process, sharing one embedded store
 * unless a database is configured, with development keys. Used by `npm start` and tests.
 */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const env = { ...(options.env ?? process.env) };
  const keys = await ensureDevKeys(options.keysDir);
  const signingSecret = env.GATEWAY_SIGNING_SECRET ?? readFileSync(keys.signingSecretFile, 'utf8').trim();
  const accessLogKey = env.ACCESS_LOG_KEY || readFileSync(keys.accessLogKeyFile, 'utf8').trim();
  env.ACCESS_LOG_KEY = accessLogKey;
  const world = options.world ?? generateWorld(options.size ?? Number(env.DEMO_SIZE ?? DEFAULT_DEMO_SIZE));
  const definitions = loadSubgraphDefinitions();
  const subgraphs: StartedSubgraph[] = [];
  let gateway: RunningGateway | undefined;
  try {
    for (const name of SUBGRAPH_NAMES) {
      subgraphs.push(await runSubgraph(definitions[name], env, { signingSecret, world, port: options.ephemeralPorts ? 0 : undefined }));
    }
    const gatewayEnv: NodeJS.ProcessEnv = {
      ...env,
      GATEWAY_SIGNING_SECRET: signingSecret,
      TOKEN_PUBLIC_KEY_FILE: env.TOKEN_PUBLIC_KEY_FILE ?? (env.TOKEN_JWKS_FILE ? undefined : keys.publicKeyFile),
      ...(options.ephemeralPorts ? { PORT: '0' } : {}),
    };
    for (const subgraph of subgraphs) gatewayEnv[`${subgraph.name.toUpperCase()}_URL`] = subgraph.url;
    gateway = await startGateway(readGatewayConfig(gatewayEnv));
  } catch (error) {
    await Promise.allSettled(subgraphs.map((s) => s.close()));
    throw error;
  }
  const privateKey = readDevPrivateKey(keys);
  const running = gateway;
  return {
    world,
    gateway: running,
    subgraphs,
    keys,
    signingSecret,
    accessLogKey,
    token: (tokenOptions) => signDevToken(privateKey, tokenOptions),
    async close() {
      await running.close();
      await Promise.allSettled(subgraphs.map((s) => s.close()));
      await closeEmbedded();
    },
  };
}
