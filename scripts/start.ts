/**
 * `npm start`: the gateway and all five partner subgraphs in one process, on the embedded
 * store with demo data (or on DATABASE_URL when set), with development keys under .dev/.
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import { ConfigError } from '../lib/config';
import { PolicyError } from '../lib/policy/load';
import { DEMO_V_NUMBERS } from '../lib/demo/world';
import { startStack } from './stack';
import { handleShutdownSignals, readShutdownGraceMs } from '../lib/http/graceful-shutdown';

async function main(): Promise<void> {
  const stack = await startStack();
  const store = process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PostgreSQL (PGlite, in memory)';
  const lines = [
    '',
    `chain gateway ready at ${stack.gateway.url}`,
    ...stack.subgraphs.map((s) => `  subgraph ${s.name.padEnd(8)} ${s.url}${s.seeded ? '  (demo data loaded)' : ''}`),
    `  store: ${store}, ${stack.world.persons.length} demo persons`,
    `  policy: schema/policy.yaml (version ${stack.gateway.policy().version}, hash ${stack.gateway.policy().hash})`,
    '',
    'Get a token for an audience, then query:',
    '  TOKEN=$(npm run -s token -- --role transport-officer)',
    `  curl -s ${stack.gateway.url} -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ person(vNumber: \\"${DEMO_V_NUMBERS.consentGiven}\\") { name { given family } healthNotice { fitToTravel } medicalDossier { conditions { code } } } }"}'`,
    '',
    'Roles: medical-doctor, escort-nurse, detention-officer, transport-officer, risk-analyst, return-officer, reception-officer, privacy-officer',
    '',
  ];
  console.log(lines.join('\n'));
  // SIGTERM/SIGINT: the gateway stops accepting connections and finishes its requests in
  // flight, then the subgraphs do the same, then the stores close (SHUTDOWN_GRACE_MS each).
  handleShutdownSignals({ name: 'chain gateway', graceMs: 2 * readShutdownGraceMs(), close: () => stack.close() });
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof PolicyError) console.error(`cannot start: ${error.message}`);
  else console.error('cannot start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
