import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { request, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids } from '../../bench/processes';
import { ensureDevKeys } from '../../lib/identity/dev-keys';
import { fromRoot } from '../../lib/paths';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The production start mode (scripts/start-gateway-cluster.ts): WEB_CONCURRENCY full
 * gateways on one port, each started with the heap bound, all of them answering against a
 * real stack of subgraphs; SIGTERM ends the primary and every worker. The primary refuses a
 * bad configuration once, before it starts any worker. 127.0.0.1 only; Linux (/proc).
 */

jest.setTimeout(180_000);

let keysDir: string;
let publicKeyFile: string;
beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'chain-cluster-'));
  publicKeyFile = (await ensureDevKeys(keysDir)).publicKeyFile;
});
afterAll(() => rmSync(keysDir, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------
// Processes, from /proc

const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The pid (among `pids`) holding the server side of the TCP connection from 127.0.0.1:`clientPort`
 * to port `serverPort`: /proc/net/tcp gives the socket's inode, /proc/<pid>/fd who holds it.
 */
function serverSocketOwner(serverPort: number, clientPort: number, pids: number[]): number | undefined {
  const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10) continue;
    const [, local, remote] = fields;
    if (local.endsWith(`:${hexPort(serverPort)}`) && remote.endsWith(`:${hexPort(clientPort)}`) && fields[9] !== '0') inodes.add(fields[9]);
  }
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (match && inodes.has(match[1])) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// The cluster

interface Started {
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}
// Every cluster a test started is stopped, also when an assertion failed half-way.
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

/** Starts the cluster as `npm run start:gateway:cluster` does, through tsx's loader. */
function start(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', fromRoot('scripts/start-gateway-cluster.ts')], {
    cwd: fromRoot(),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, HOST: '127.0.0.1', POLICY_WATCH: 'false', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const handle: Started = { child, exited, output: () => output };
  started.push(handle);
  return handle;
}

async function waitFor(cluster: Started, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(cluster.output());
    if (match) return match;
    if (Date.now() > deadline || cluster.child.exitCode !== null) throw new Error(`cluster did not get to ${pattern}: ${cluster.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** One GraphQL request on a connection of its own; the answer and the client's port, read while the connection is still open. */
function askOnOwnConnection(port: number, token: string, query: string, whileOpen: (clientPort: number) => void): Promise<{ status: number; body: any }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise<{ status: number; body: any }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          try {
            whileOpen(req.socket!.localPort!);
            resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(JSON.stringify({ query }));
  }).finally(() => agent.destroy());
}

describe('against a stack of subgraphs', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs WEB_CONCURRENCY workers with the heap bound on one port, each answering, and stops them all on SIGTERM', async () => {
    const subgraphUrls = Object.fromEntries(stack.subgraphs.map((subgraph) => [`${subgraph.name.toUpperCase()}_URL`, subgraph.url]));
    const cluster = start({
      ...subgraphUrls,
      // Port 0: the cluster's workers share the one port the primary gets (no race for a free port).
      PORT: '0',
      WEB_CONCURRENCY: '2',
      GATEWAY_WORKER_HEAP_MB: '192',
      TOKEN_PUBLIC_KEY_FILE: stack.keys.publicKeyFile,
      GATEWAY_SIGNING_SECRET: stack.signingSecret,
      // A loaded two-core machine: slow partners are not what this tests.
      SUBGRAPH_TIMEOUT_MS: '30000',
      CIRCUIT_BREAKER_THRESHOLD: '1000',
    });
    // The start line: worker count and heap bound, once, from the primary.
    await waitFor(cluster, /2 workers ready/, 120_000);
    expect(cluster.output()).toMatch(/chain gateway cluster: starting 2 workers \(WEB_CONCURRENCY\); heap bound 192 MiB per worker \(GATEWAY_WORKER_HEAP_MB\)/);
    expect(cluster.output().match(/starting 2 workers/g)).toHaveLength(1);
    const ports = [...cluster.output().matchAll(/chain gateway ready at http:\/\/127\.0\.0\.1:(\d+)\/graphql/g)].map((match) => Number(match[1]));
    expect(ports).toHaveLength(2);
    expect(ports[1]).toBe(ports[0]);
    const port = ports[0];

    // Two workers, each started with the primary's execArgv (tsx's loader) and the bound; the primary runs without it.
    const workers = childPids(cluster.child.pid!);
    expect(workers).toHaveLength(2);
    // The ready line names the primary and the workers (pids, no personal data).
    const ready = /2 workers ready \(primary (\d+); workers (\d+), (\d+)\)/.exec(cluster.output());
    expect(Number(ready?.[1])).toBe(cluster.child.pid);
    expect([Number(ready?.[2]), Number(ready?.[3])].sort()).toEqual([...workers].sort());
    for (const pid of workers) {
      const args = cmdline(pid);
      expect(args).toContain('--max-old-space-size=192');
      expect(args.slice(1, 3)).toEqual(['--import', 'tsx']);
      expect(args[args.length - 1]).toBe(fromRoot('scripts/start-gateway-cluster.ts'));
    }
    expect(cmdline(cluster.child.pid!).some((arg) => arg.includes('max-old-space-size'))).toBe(false);

    // Both workers answer a real query through the subgraphs: connections go round-robin to
    // the workers; which one served each is read from who holds the server side of it.
    const token = await stack.token({ role: 'return-officer' });
    const served = new Map<number, number>();
    for (let attempt = 0; attempt < 12 && served.size < 2; attempt++) {
      let owner: number | undefined;
      const answer = await askOnOwnConnection(port, token, '{ person(vNumber: "2044001001") { vNumber name { family } } }', (clientPort) => {
        owner = serverSocketOwner(port, clientPort, workers);
      });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.person.vNumber).toBe('2044001001');
      expect(typeof answer.body.data.person.name.family).toBe('string');
      if (owner !== undefined) served.set(owner, (served.get(owner) ?? 0) + 1);
    }
    expect([...served.keys()].sort()).toEqual([...workers].sort());

    // SIGTERM: every worker finishes and exits, then the primary, with 0.
    cluster.child.kill('SIGTERM');
    expect(await cluster.exited).toBe(0);
    for (const pid of workers) expect(isAlive(pid)).toBe(false);
    expect(cluster.output().match(/chain gateway: stopped/g)).toHaveLength(2);
  });
});

describe('refusals at start', () => {
  it('refuses a bad configuration once, without starting workers', async () => {
    const cluster = start({ WEB_CONCURRENCY: '2', TOKEN_PUBLIC_KEY_FILE: publicKeyFile });
    expect(await cluster.exited).toBe(1);
    expect(cluster.output()).toMatch(/cannot start the gateway cluster: GATEWAY_SIGNING_SECRET is required/);
    expect(cluster.output().match(/cannot start/g)).toHaveLength(1);
  });

  it('refuses a heap bound or worker count it cannot use, naming the setting', async () => {
    const env = { TOKEN_PUBLIC_KEY_FILE: publicKeyFile, GATEWAY_SIGNING_SECRET: 'c'.repeat(40) };
    const heap = start({ ...env, WEB_CONCURRENCY: '2', GATEWAY_WORKER_HEAP_MB: '16' });
    const workers = start({ ...env, WEB_CONCURRENCY: 'all' });
    expect(await heap.exited).toBe(1);
    expect(heap.output()).toMatch(/^cannot start the gateway cluster: GATEWAY_WORKER_HEAP_MB must be 0 \(no bound: V8's default\) or at least 64 \(MiB\), got 16\n$/);
    expect(await workers.exited).toBe(1);
    expect(workers.output()).toMatch(/^cannot start the gateway cluster: WEB_CONCURRENCY must be an integer, got "all"\n$/);
  });

  it('refuses the benchmark switch outside NODE_ENV=benchmark', async () => {
    const cluster = start({ WEB_CONCURRENCY: '1', TOKEN_PUBLIC_KEY_FILE: publicKeyFile, GATEWAY_SIGNING_SECRET: 'c'.repeat(40), BENCHMARK_UNSAFE_DISABLE_AUTHORIZATION: '1', NODE_ENV: 'production' });
    expect(await cluster.exited).toBe(1);
    expect(cluster.output()).toMatch(/benchmark-only switch/);
  });
});
