import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openStore } from '../lib/db/open';
import type { DemoWorld } from '../lib/demo/world';
import { prepareStore } from '../lib/subgraph/prepare';
import { SUBGRAPH_NAMES } from '../lib/subgraph/registry-names';
import { loadSubgraphDefinitions } from '../subgraphs';

export interface BenchDatabase {
  name: string;
  /** DATABASE_URL of the new database (one schema per subgraph). */
  url: string;
  drop(): Promise<void>;
}

/** Creates a database of the benchmark's own on `serverUrl`; `drop()` removes it again. */
export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `chain_bench_${process.pid}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Migrates every subgraph's schema in the database and loads the demo world into it, here,
 * once, with the same world for every partner (the subgraph processes then start with
 * SEED_DEMO=false). Returns seconds taken.
 */
export async function loadWorld(url: string, world: DemoWorld): Promise<number> {
  const started = performance.now();
  const definitions = loadSubgraphDefinitions();
  const env = { DATABASE_URL: url, DATABASE_POOL_SIZE: '4' };
  await Promise.all(
    SUBGRAPH_NAMES.map(async (name) => {
      const store = await openStore(name, env);
      try {
        await prepareStore(definitions[name], store, world);
      } finally {
        await store.close();
      }
    }),
  );
  // Fresh statistics for the planner after the bulk load.
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return Math.round((performance.now() - started) / 100) / 10;
}

/** Rows in the access log (what the gateway with authorization on wrote during the run). */
export async function accessRecordCount(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('SELECT count(*)::text AS n FROM audit.access_record');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}
