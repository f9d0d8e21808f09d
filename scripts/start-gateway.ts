/**
 * `npm run start:gateway`: the gateway as a single process; subgraph URLs from *_URL
 * variables. Also each worker of the production start (scripts/start-gateway-cluster.ts).
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import { ConfigError } from '../lib/config';
import { PolicyError } from '../lib/policy/load';
import { readGatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';
import { handleShutdownSignals } from '../lib/http/graceful-shutdown';

const config = readGatewayConfigOrExit();
startGateway(config)
  .then((gateway) => {
    console.log(`chain gateway ready at ${gateway.url} (policy ${gateway.policy().hash})`);
    // SIGTERM/SIGINT: stop accepting connections, finish requests in flight (SHUTDOWN_GRACE_MS).
    handleShutdownSignals({ name: 'chain gateway', graceMs: config.resilience.shutdownGraceMs, close: () => gateway.close() });
  })
  .catch(fail);

function readGatewayConfigOrExit() {
  try {
    return readGatewayConfig();
  } catch (error) {
    return fail(error);
  }
}

function fail(error: unknown): never {
  const known = error instanceof ConfigError || error instanceof PolicyError;
  console.error(`cannot start the gateway: ${known || error instanceof Error ? (error as Error).message : String(error)}`);
  process.exit(1);
}
