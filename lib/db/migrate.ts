import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from './store';

/**
 * Applies the numbered `*.sql` files in `dir` that `schema`'s migration table has not seen,
 * each in its own transaction, in file-name order. An advisory lock keyed on the schema
 * keeps two processes starting at once from applying the same migration twice.
 * Returns the versions applied now.
 */
export async function migrate(store: Store, schema: string, dir: string): Promise<string[]> {
  if (!/^[a-z][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
  const files = readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  const applied: string[] = [];
  await store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`migrate:${schema}`]);
    await tx.exec(
      `CREATE SCHEMA IF NOT EXISTS ${schema};
       CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (
         version text PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       );`,
    );
    const done = new Set(
      (await tx.query<{ version: string }>(`SELECT version FROM ${schema}.schema_migrations`)).map((r) => r.version),
    );
    for (const file of files) {
      if (done.has(file)) continue;
      await tx.exec(readFileSync(join(dir, file), 'utf8'));
      await tx.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [file]);
      applied.push(file);
    }
  });
  return applied;
}
