import type { Pool, PoolClient } from 'pg';

/** Something SQL can be sent to: a store, or a transaction on it. */
export interface Queryable {
  /**
   * Runs one parameterised statement and returns its rows. `name` makes it a named prepared
   * statement on PostgreSQL (parsed and planned once per connection, then only bound and
   * executed): give it for the hot per-request SQL, one name per distinct text. The
   * embedded PGlite has no named statements and runs the text as is.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], name?: string): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

/**
 * One subgraph's view of its database. Every statement is schema-qualified
 * (`dtv.person`), so the same SQL runs on a server with a database per subgraph, on one
 * server with a schema per subgraph, and on the embedded PGlite shared by the process.
 */
export interface Store extends Queryable {
  readonly kind: 'postgres' | 'embedded';
  /** Statements sent through this store since it was opened; the N+1 tests read it. */
  readonly stats: { statements: number };
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Checks the database answers; used by readiness probes. */
  ping(): Promise<void>;
  /** Releases this store's share of the connection; the last user closes the pool. */
  close(): Promise<void>;
}

type Counter = { statements: number };

class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly stats: Counter = { statements: 0 };
  constructor(private readonly pool: Pool, private readonly release: () => Promise<void>) {}

  async query<R>(text: string, params: readonly unknown[] = [], name?: string): Promise<R[]> {
    this.stats.statements++;
    const result = name ? await this.pool.query({ name, text, values: params as unknown[] }) : await this.pool.query(text, params as unknown[]);
    return result.rows as R[];
  }

  async exec(script: string): Promise<void> {
    this.stats.statements++;
    await this.pool.query(script);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const stats = this.stats;
    const tx: Queryable = {
      async query<R>(text: string, params: readonly unknown[] = [], name?: string) {
        stats.statements++;
        const result = name ? await client.query({ name, text, values: params as unknown[] }) : await client.query(text, params as unknown[]);
        return result.rows as R[];
      },
      async exec(script: string) {
        stats.statements++;
        await client.query(script);
      },
    };
    return runInTransaction(client, tx, fn);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.release();
  }
}

async function runInTransaction<T>(client: PoolClient, tx: Queryable, fn: (tx: Queryable) => Promise<T>): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await fn(tx);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The subset of PGlite this module uses; typed here so PGlite stays a lazy import. */
export interface EmbeddedDb {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(script: string): Promise<unknown>;
  transaction<T>(fn: (tx: { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>; exec(script: string): Promise<unknown> }) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

class EmbeddedStore implements Store {
  readonly kind = 'embedded' as const;
  readonly stats: Counter = { statements: 0 };
  constructor(private readonly db: EmbeddedDb) {}

  async query<R>(text: string, params: readonly unknown[] = []): Promise<R[]> {
    this.stats.statements++;
    return (await this.db.query<R>(text, params as unknown[])).rows;
  }

  async exec(script: string): Promise<void> {
    this.stats.statements++;
    await this.db.exec(script);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const stats = this.stats;
    return this.db.transaction((inner) =>
      fn({
        async query<R>(text: string, params: readonly unknown[] = []) {
          stats.statements++;
          return (await inner.query<R>(text, params as unknown[])).rows;
        },
        async exec(script: string) {
          stats.statements++;
          await inner.exec(script);
        },
      }),
    );
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    // The embedded database is shared by every subgraph in the process; see closeEmbedded().
  }
}

export function postgresStore(pool: Pool, release: () => Promise<void>): Store {
  return new PostgresStore(pool, release);
}

export function embeddedStore(db: EmbeddedDb): Store {
  return new EmbeddedStore(db);
}
