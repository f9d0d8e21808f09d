/**
 * `npx tsx bench/micro.ts`: before/after measurements of the three transport-level
 * changes of issue 5, each in isolation (bounded, 127.0.0.1 and a database of its own):
 *   1. subgraph fetch: @apollo/gateway's default fetcher (make-fetch-happen) against the
 *      keep-alive pool of gateway/transport, 16 requests in flight;
 *   2. access log appends: one transaction per request against the group commit, 16 at a time;
 *   3. the hot per-request SQL: unnamed against named prepared statements.
 * Prints requests per second and writes bench-results/micro-<timestamp>.json.
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openStore } from '../lib/db/open';
import { generateWorld } from '../lib/demo/world';
import { fromRoot } from '../lib/paths';
import { prepareStore } from '../lib/subgraph/prepare';
import type { AccessRecordBatch } from '../lib/access-log/wire';
import { createKeepAliveFetcher } from '../gateway/transport/keep-alive-fetcher';
import { appendBatch } from '../subgraphs/audit/chain';
import { deriveAccessLogKeys } from '../subgraphs/audit/crypto';
import { createGroupCommit } from '../subgraphs/audit/group-commit';
import { loadSubgraphDefinitions } from '../subgraphs';
import { readBenchConfig } from './config';
import { createBenchDatabase } from './database';

const CONCURRENCY = 16;

/** Runs `task` `total` times, `CONCURRENCY` at a time; returns operations per second. */
async function rate(total: number, task: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < total) await task(next++);
    }),
  );
  return Math.round((total / ((performance.now() - started) / 1000)) * 10) / 10;
}

async function fetchers(): Promise<Record<string, number>> {
  // A subgraph-shaped answer: ~2 KB of JSON.
  const answer = JSON.stringify({ data: { _entities: Array.from({ length: 10 }, (_, i) => ({ __typename: 'Person', vNumber: String(2044001000 + i), healthNotice: { fitToTravel: 'YES', instructions: [{ at: '12:00', instruction: 'medication with food' }] } })) } });
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answer);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  const body = JSON.stringify({ query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on Person{healthNotice{fitToTravel}}}}', variables: { representations: [] } });
  const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
  const total = 4_000;
  const results: Record<string, number> = {};
  const defaults = new RemoteGraphQLDataSource({ url }).fetcher;
  connections = 0;
  await rate(200, () => defaults(url, init).then((r) => r.json()));
  results['make-fetch-happen (default) req/s'] = await rate(total, () => defaults(url, init).then((r) => r.json()));
  results['make-fetch-happen connections opened'] = connections;
  const pool = createKeepAliveFetcher({ maxSockets: 64, idleTimeoutMs: 30_000 });
  connections = 0;
  await rate(200, () => pool.fetcher(url, init).then((r) => r.json()));
  results['keep-alive pool req/s'] = await rate(total, () => pool.fetcher(url, init).then((r) => r.json()));
  results['keep-alive pool connections opened'] = connections;
  pool.close();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return results;
}

function batch(i: number): AccessRecordBatch {
  return {
    traceId: randomBytes(16).toString('hex'),
    actor: { subject: `user-${i % 50}`, organisation: 'medical', roles: ['medical-doctor'], audience: 'medical-professional', purpose: 'medical-care' },
    processingActivity: 'medical-care:Person',
    policyHash: '0123456789abcdef',
    records: [{ vNumber: String(2044010000 + (i % 1000)), fieldsAllowed: ['Person.healthNotice', 'Person.medicalDossier'], fieldsDenied: [] }],
  };
}

async function database(url: string): Promise<Record<string, number>> {
  const results: Record<string, number> = {};
  const env = { DATABASE_URL: url, DATABASE_POOL_SIZE: '8' };
  const definitions = loadSubgraphDefinitions();

  // Access log appends.
  const audit = await openStore('audit', env);
  await prepareStore(definitions.audit, audit);
  const keys = deriveAccessLogKeys(randomBytes(32).toString('base64url'));
  const appends = 1_000;
  results['access log: one transaction per request, appends/s'] = await rate(appends, (i) => appendBatch(audit, keys, batch(i)));
  const grouped = createGroupCommit(audit, keys);
  const before = audit.stats.statements;
  results['access log: group commit, appends/s'] = await rate(appends, (i) => grouped(batch(i)));
  results['access log: group commit, transactions for 1000 appends'] = Math.round((audit.stats.statements - before) / 3);
  await audit.close();

  // The dtv person lookup, unnamed against named.
  const dtv = await openStore('dtv', env);
  const world = generateWorld(2_000);
  await prepareStore(definitions.dtv, dtv, world);
  const vNumbers = world.persons.map((p) => p.vNumber);
  const sql = `SELECT p.v_number, p.given_name, p.family_name, p.nationality, to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
         d.planned_at, p.recorded_by_role, p.recorded_at, p.confirmed_at
    FROM dtv.person p LEFT JOIN dtv.departure_plan d ON d.v_number = p.v_number AND d.superseded_at IS NULL
   WHERE p.v_number = ANY($1::text[])`;
  const keysFor = (i: number) => vNumbers.slice((i * 10) % 1_900, ((i * 10) % 1_900) + 10);
  const lookups = 4_000;
  await rate(500, (i) => dtv.query(sql, [keysFor(i)]));
  await rate(500, (i) => dtv.query(sql, [keysFor(i)], 'micro_dtv_person'));
  // Alternating rounds, best of three each: the machine's other load drifts.
  let unnamed = 0;
  let named = 0;
  for (let round = 0; round < 3; round++) {
    unnamed = Math.max(unnamed, await rate(lookups, (i) => dtv.query(sql, [keysFor(i)])));
    named = Math.max(named, await rate(lookups, (i) => dtv.query(sql, [keysFor(i)], 'micro_dtv_person')));
  }
  results['dtv person lookup (10 keys): unnamed, statements/s'] = unnamed;
  results['dtv person lookup (10 keys): named prepared, statements/s'] = named;
  await dtv.close();
  return results;
}

async function main(): Promise<void> {
  const config = readBenchConfig();
  const results: Record<string, number> = { ...(await fetchers()) };
  const db = await createBenchDatabase(config.databaseUrl);
  try {
    Object.assign(results, await database(db.url));
  } finally {
    await db.drop();
  }
  for (const [name, value] of Object.entries(results)) console.log(`${name.padEnd(62)} ${value}`);
  const outDir = fromRoot('bench-results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `micro-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), concurrency: CONCURRENCY, results }, null, 2));
  console.log(`\nwrote ${relative(process.cwd(), file)}`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`micro bench failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exit(1);
});
