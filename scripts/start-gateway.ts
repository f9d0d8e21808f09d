/** `npm run start:gateway`: the gateway alone (containers); subgraph URLs from *_URL variables. */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import { ConfigError } from '../lib/config';
import { PolicyError } from '../lib/policy/load';
import { readGatewayConfig } from '../gateway/config';
import { startGateway } from '../gateway/server';

startGateway(readGatewayConfigOrExit())
  .then((gateway) => {
    console.log(`chain gateway ready at ${gateway.url} (policy ${gateway.policy().hash})`);
    const stop = () => void gateway.close().then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
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
