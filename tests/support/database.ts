import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export interface FreshDatabase {
  /** Environment to hand to openStore/startStack: DATABASE_URL set, or unset for embedded. */
  env: NodeJS.ProcessEnv;
  kind: 'postgres' | 'embedded';
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: with TEST_DATABASE_URL (CI), a new database on
 * that server, dropped afterwards; without it, the embedded store of this jest worker.
 * `forceEmbedded` proves the embedded path even when a server is configured.
 */
export async function freshDatabase(options: { forceEmbedded?: boolean } = {}): Promise<FreshDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.DATABASE_URL;
  for (const key of Object.keys(base)) if (key.endsWith('_DATABASE_URL')) delete base[key];
  if (!serverUrl || options.forceEmbedded) {
    return { env: base, kind: 'embedded', drop: async () => undefined };
  }
  const name = `chain_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    env: { ...base, DATABASE_URL: url.toString() },
    kind: 'postgres',
    async drop() {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
