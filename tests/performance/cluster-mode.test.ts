import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevKeys } from '../../lib/identity/dev-keys';
import { fromRoot } from '../../lib/paths';
import { childPids, freePort } from '../../bench/processes';

/**
 * `npm run start:gateway:cluster`: one full gateway per worker on one port; the primary
 * refuses a bad configuration once, and stops its workers on SIGTERM.
 */

jest.setTimeout(120_000);

let keysDir: string;
let publicKeyFile: string;
beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'chain-cluster-'));
  publicKeyFile = (await ensureDevKeys(keysDir)).publicKeyFile;
});
// Every cluster a test started is stopped, also when an assertion failed half-way.
interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}
const started: Started[] = [];
afterEach(async () => {
  for (const cluster of started.splice(0)) {
    if (cluster.child.exitCode !== null || cluster.child.signalCode !== null) continue;
    const workers = childPids(cluster.child.pid!);
    cluster.child.kill('SIGKILL');
    for (const pid of workers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await cluster.exited;
  }
});
afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

function start(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('scripts/start-gateway-cluster.ts')], {
    cwd: fromRoot(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, POLICY_WATCH: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: Started = { child, exited, output: () => output };
  started.push(handle);
  return handle;
}

it('runs WEB_CONCURRENCY workers on one port and stops them all on SIGTERM', async () => {
  const port = await freePort();
  const cluster = start({ PORT: String(port), WEB_CONCURRENCY: '2', TOKEN_PUBLIC_KEY_FILE: publicKeyFile, GATEWAY_SIGNING_SECRET: 'c'.repeat(40) });
  const deadline = Date.now() + 90_000;
  while (!/2 workers ready/.test(cluster.output())) {
    if (Date.now() > deadline || cluster.child.exitCode !== null) throw new Error(`cluster did not start: ${cluster.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const workers = childPids(cluster.child.pid!);
  expect(workers).toHaveLength(2);
  // Both workers answer on the shared port (health, and an unauthenticated GraphQL request gets 401).
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  expect(health.status).toBe(200);
  const graphql = await fetch(`http://127.0.0.1:${port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
  expect(graphql.status).toBe(401);
  cluster.child.kill('SIGTERM');
  expect(await cluster.exited).toBe(0);
  for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
});

it('refuses a bad configuration once, without starting workers', async () => {
  const cluster = start({ WEB_CONCURRENCY: '2', TOKEN_PUBLIC_KEY_FILE: publicKeyFile });
  expect(await cluster.exited).toBe(1);
  expect(cluster.output()).toMatch(/cannot start the gateway cluster: GATEWAY_SIGNING_SECRET is required/);
  expect(cluster.output().match(/cannot start/g)).toHaveLength(1);
});

it('refuses the benchmark switch outside NODE_ENV=benchmark', async () => {
  const cluster = start({ WEB_CONCURRENCY: '1', TOKEN_PUBLIC_KEY_FILE: publicKeyFile, GATEWAY_SIGNING_SECRET: 'c'.repeat(40), BENCHMARK_UNSAFE_DISABLE_AUTHORIZATION: '1', NODE_ENV: 'production' });
  expect(await cluster.exited).toBe(1);
  expect(cluster.output()).toMatch(/benchmark-only switch/);
});
