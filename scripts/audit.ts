/**
 * `npm run audit -- <command>`: the privacy officers' tools on the access log, reading the
 * audit store directly (AUDIT_DATABASE_URL, else DATABASE_URL, else the embedded store in
 * EMBEDDED_DATA_DIR). See subgraphs/audit/commands.ts for the commands.
 *
 * The embedded store lives in memory unless EMBEDDED_DATA_DIR is set: then there is
 * nothing to read from another process. With EMBEDDED_DATA_DIR, stop `npm start` first
 * (PGlite is single-process).
 */
import { existsSync, readFileSync } from 'node:fs';
import { ConfigError, envOptional } from '../lib/config';
import { closeEmbedded, databaseUrlFor, openStore } from '../lib/db/open';
import { fromRoot } from '../lib/paths';
import { runAuditCommand, USAGE } from '../subgraphs/audit/commands';
import { deriveAccessLogKeys, type AccessLogKeys } from '../subgraphs/audit/crypto';

/** ACCESS_LOG_KEY, else the development key that `npm start` created under .dev/. */
function readKeys(env: NodeJS.ProcessEnv): AccessLogKeys | undefined {
  const secret = envOptional('ACCESS_LOG_KEY', env) ?? (existsSync(fromRoot('.dev', 'access-log-key')) ? readFileSync(fromRoot('.dev', 'access-log-key'), 'utf8').trim() : undefined);
  return secret ? deriveAccessLogKeys(secret) : undefined;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const env = process.env;
  if (args.length === 0) {
    console.error(USAGE);
    return 2;
  }
  if (!databaseUrlFor('audit', env) && !envOptional('EMBEDDED_DATA_DIR', env) && !args.includes('--help') && args[0] !== 'help') {
    console.error(
      'no AUDIT_DATABASE_URL or DATABASE_URL, and no EMBEDDED_DATA_DIR: the embedded store lives in memory inside the running\n' +
        'process, so there is no access log to read from here. Point AUDIT_DATABASE_URL (or DATABASE_URL) at the audit database,\n' +
        'or run the stack with EMBEDDED_DATA_DIR and use the same directory here (after stopping it).',
    );
    return 2;
  }
  const store = await openStore('audit', env);
  try {
    return await runAuditCommand(args, {
      store,
      keys: readKeys(env),
      io: { out: (line) => console.log(line), err: (line) => console.error(line) },
    });
  } finally {
    await store.close();
    await closeEmbedded();
  }
}

main()
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    const message = error instanceof ConfigError ? error.message : `the access log store could not be read (${(error as { code?: string })?.code ?? (error as Error)?.message ?? 'error'})`;
    console.error(`audit: ${message}`);
    process.exitCode = 2;
  });
