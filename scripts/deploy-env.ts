/**
 * `npm run -s deploy:env [-- --dev-token-key]`: prepares a docker compose deployment.
 *
 * Writes `.env` beside docker-compose.yml (mode 600, git-ignored) with a fresh random value
 * for every secret the compose file requires (`${NAME:?…}` where NAME ends in `_SECRET`,
 * `_KEY` or `_PASSWORD`), keeping the values already there, and checks that the caller
 * tokens' public key is in place (deploy/keys/token-public.pem). With `--dev-token-key` it
 * copies the development key there (the one `npm run token` signs with, under .dev/), so
 * that development tokens work against the containers; never do that in production.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ensureDevKeys } from '../lib/identity/dev-keys';
import { fromRoot } from '../lib/paths';

const SECRET_NAME = /_(SECRET|KEY|PASSWORD)$/;

/** The variables a compose file requires to be set (`${NAME:?message}` or `${NAME?message}`), in order of appearance. */
export function requiredComposeVariables(composeText: string): string[] {
  const names = new Set<string>();
  for (const match of composeText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)) names.add(match[1]);
  return [...names];
}

/** Reads NAME=value lines of a .env file (comments and blank lines skipped). */
export function parseDotEnv(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (match) values.set(match[1], match[2].trim());
  }
  return values;
}

async function main(): Promise<number> {
  const composeFile = fromRoot('docker-compose.yml');
  const envFile = fromRoot('.env');
  const keyFile = fromRoot('deploy', 'keys', 'token-public.pem');
  const existing = existsSync(envFile) ? readFileSync(envFile, 'utf8') : '';
  const present = parseDotEnv(existing);
  const added: string[] = [];
  const missing: string[] = [];
  for (const name of requiredComposeVariables(readFileSync(composeFile, 'utf8'))) {
    if (present.get(name) || process.env[name]) continue;
    if (!SECRET_NAME.test(name)) {
      missing.push(name);
      continue;
    }
    added.push(`${name}=${randomBytes(32).toString('hex')}`);
  }
  if (added.length > 0) {
    const header = existing ? '' : '# docker compose settings and secrets (npm run -s deploy:env). Keep out of version control.\n';
    const separator = existing && !existing.endsWith('\n') ? '\n' : '';
    writeFileSync(envFile, `${existing}${separator}${header}${added.join('\n')}\n`, { mode: 0o600 });
  }
  if (existsSync(envFile)) chmodSync(envFile, 0o600);
  console.log(added.length > 0 ? `.env: generated ${added.map((line) => line.split('=')[0]).join(', ')}` : '.env: every secret is set');

  if (process.argv.includes('--dev-token-key')) {
    const keys = await ensureDevKeys();
    copyFileSync(keys.publicKeyFile, keyFile);
    console.log('deploy/keys/token-public.pem: the development token key (npm run token); not for production');
  }
  let status = 0;
  if (!existsSync(keyFile)) {
    console.error('deploy/keys/token-public.pem is missing: put the identity provider\'s public key (PEM) there, or run with --dev-token-key for development tokens');
    status = 1;
  }
  if (missing.length > 0) {
    console.error(`set these in .env by hand: ${missing.join(', ')}`);
    status = 1;
  }
  return status;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(`deploy:env: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
