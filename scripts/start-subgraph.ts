/** `npm run start:subgraph -- <name>`: one partner subgraph alone (containers). */
import { ConfigError } from '../lib/config';
import { PolicyError } from '../lib/policy/load';
import { runSubgraph } from '../lib/subgraph/main';
import { readSigningSecret } from '../gateway/config';
import { loadSubgraphDefinition } from '../subgraphs';
import { handleShutdownSignals, readShutdownGraceMs } from '../lib/http/graceful-shutdown';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name) throw new ConfigError('usage: npm run start:subgraph -- <dtv|dji|dvo|coa|medical>');
  const definition = loadSubgraphDefinition(name);
  const running = await runSubgraph(definition, process.env, { signingSecret: readSigningSecret() });
  console.log(`subgraph ${name} ready at ${running.url}${running.seeded ? ' (demo data loaded)' : ''}`);
  // SIGTERM/SIGINT: stop accepting connections, finish requests in flight (SHUTDOWN_GRACE_MS), then close the store.
  handleShutdownSignals({ name: `subgraph ${name}`, graceMs: readShutdownGraceMs(), close: () => running.close() });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof PolicyError || error instanceof Error;
  console.error(`cannot start the subgraph: ${known ? (error as Error).message : String(error)}`);
  process.exit(1);
});
