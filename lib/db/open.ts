import { Pool } from 'pg';
import { envInt, envOptional } from '../config';
import { embeddedStore, postgresStore, type EmbeddedDb, type Store } from './store';

/**
 * Where a subgraph's data lives, from the environment:
 * `<NAME>_DATABASE_URL` (one database per subgraph), else `DATABASE_URL` (one server,
 * a schema per subgraph), else the embedded PGlite shared by the whole process.
 */
export function databaseUrlFor(subgraph: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return envOptional(`${subgraph.toUpperCase()}_DATABASE_URL`, env) ?? envOptional('DATABASE_URL', env);
}

interface SharedPool {
  pool: Pool;
  users: number;
}
const pools = new Map<string, SharedPool>();

/** Opens the store for one subgraph; pools are shared per connection string within the process. */
export async function openStore(subgraph: string, env: NodeJS.ProcessEnv = process.env): Promise<Store> {
  const url = databaseUrlFor(subgraph, env);
  if (!url) return embeddedStore(await embeddedDatabase(env));
  let shared = pools.get(url);
  if (!shared) {
    const pool = new Pool({
      connectionString: url,
      max: envInt('DATABASE_POOL_SIZE', 10, 1, 200, env),
      idleTimeoutMillis: 30_000,
      connectionTimeoutMillis: envInt('DATABASE_CONNECT_TIMEOUT_MS', 5_000, 100, 120_000, env),
    });
    // An idle client that loses its server must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    shared = { pool, users: 0 };
    pools.set(url, shared);
  }
  shared.users++;
  const entry = shared;
  let released = false;
  return postgresStore(entry.pool, async () => {
    if (released) return;
    released = true;
    entry.users--;
    if (entry.users === 0) {
      pools.delete(url);
      await entry.pool.end();
    }
  });
}

let embedded: Promise<EmbeddedDb> | undefined;

/**
 * The process's one embedded PostgreSQL (PGlite). Starting it costs seconds and hundreds
 * of MB, so every subgraph in the process shares it, each in its own schema.
 * `EMBEDDED_DATA_DIR` keeps it on disk; by default it lives in memory.
 */
export function embeddedDatabase(env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedDb> {
  if (!embedded) {
    const dataDir = envOptional('EMBEDDED_DATA_DIR', env);
    embedded = (async () => {
      // require, not import(): under jest's VM a dynamic import needs an experimental flag.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { PGlite } = require('@electric-sql/pglite') as typeof import('@electric-sql/pglite');
      const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
      return db as unknown as EmbeddedDb;
    })();
  }
  return embedded;
}

/** Closes the embedded database, if one was started (process shutdown, test teardown). */
export async function closeEmbedded(): Promise<void> {
  if (!embedded) return;
  const db = await embedded;
  embedded = undefined;
  await db.close();
}
