/**
 * The production start mode (the image's default command, compose's gateway,
 * `npm run start:gateway:prod`; `npm run start:gateway:cluster` under tsx): one gateway
 * worker per core (node:cluster). Each worker is a full gateway (scripts/start-gateway.ts:
 * its own query plan cache, policy watcher, keep-alive pools); the primary only distributes
 * connections on the shared port, replaces workers that die and forwards SIGTERM/SIGINT so
 * that every worker finishes its requests before the process ends.
 *
 * WEB_CONCURRENCY: number of workers. Default: os.availableParallelism(), lowered to the
 * cgroup CPU quota rounded up when the process has one (a container started with
 * `--cpus 2` on a 16-core host runs 2 workers, not 16).
 *
 * GATEWAY_WORKER_HEAP_MB: each worker's V8 old-space bound, passed as
 * `--max-old-space-size` (default 256; 0: none from here). V8 scales its heap growing
 * factor down for small heaps, so a bounded worker collects its old generation early and
 * often and its RSS stays flat under sustained load, instead of the saw-tooth of the
 * default limit (several GiB on a 64-bit host). An explicit GATEWAY_WORKER_HEAP_MB wins
 * over a --max-old-space-size in NODE_OPTIONS (it is on the worker's command line, which
 * Node applies after NODE_OPTIONS); when it is unset, a bound already given in NODE_OPTIONS
 * or on the primary's command line is kept instead of the default.
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import cluster, { type Worker } from 'node:cluster';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { posix } from 'node:path';
import { ConfigError, envInt, envOptional } from '../lib/config';
import { PolicyError } from '../lib/policy/load';
import { readGatewayConfig } from '../gateway/config';

type Env = Record<string, string | undefined>;

/** A worker that dies within this long after it was started counts as a failed start. */
const EARLY_EXIT_MS = 10_000;
/** Failed starts in a row after which the primary gives up (a broken configuration, not a crash). */
const MAX_FAILED_STARTS = 5;
/** A worker ends itself at most this long after SHUTDOWN_GRACE_MS (lib/http/graceful-shutdown.ts, default margin). */
const WORKER_SHUTDOWN_MARGIN_MS = 5_000;
/** The primary waits this much longer than a worker's own limit before it kills what is left. */
const PRIMARY_SHUTDOWN_MARGIN_MS = 2_000;

/** GATEWAY_WORKER_HEAP_MB default: see README "One gateway per core". */
export const DEFAULT_WORKER_HEAP_MB = 256;
/** Below this a gateway cannot hold its schema, policy and plans (about 45 MiB live when idle). */
export const MIN_WORKER_HEAP_MB = 64;
const MAX_WORKER_HEAP_MB = 65_536;

/**
 * How long the primary lets its workers take on SIGTERM before it kills them and exits 1:
 * each worker's own limit (SHUTDOWN_GRACE_MS plus its margin) plus a margin. A container
 * runtime's stop timeout (compose `stop_grace_period`) must be longer than this.
 */
export function clusterShutdownLimitMs(shutdownGraceMs: number): number {
  return shutdownGraceMs + WORKER_SHUTDOWN_MARGIN_MS + PRIMARY_SHUTDOWN_MARGIN_MS;
}

// ---------------------------------------------------------------------------------------
// Workers: how many

/** A CPU quota: how many CPUs' worth of time the process may use, and the file it was read from. */
export interface CpuQuota {
  cpus: number;
  file: string;
}

/**
 * cgroup v2 `cpu.max`: `max <period>` (no quota) or `<quota> <period>` in microseconds.
 * The CPUs the quota allows (quota / period), undefined when there is none or the text is
 * not of that form.
 */
export function parseCpuMax(text: string): number | undefined {
  const match = /^(max|\d+)(?:\s+(\d+))?\s*$/.exec(text.trim());
  if (!match || match[1] === 'max') return undefined;
  const quota = Number(match[1]);
  const period = match[2] === undefined ? 100_000 : Number(match[2]);
  if (quota <= 0 || period <= 0) return undefined;
  return quota / period;
}

/** cgroup v1 `cpu.cfs_quota_us` (-1: no quota) and `cpu.cfs_period_us`: CPUs, as parseCpuMax. */
export function parseCfsQuota(quotaText: string, periodText: string): number | undefined {
  const quota = quotaText.trim();
  const period = periodText.trim();
  if (!/^\d+$/.test(quota) || !/^\d+$/.test(period)) return undefined;
  return parseCpuMax(`${quota} ${period}`);
}

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A cgroup path and its ancestors, up to `/`. */
function selfAndAncestors(path: string): string[] {
  const dirs: string[] = [];
  for (let dir = posix.normalize(path); ; dir = posix.dirname(dir)) {
    dirs.push(dir);
    if (dir === '/' || dir === '.') break;
  }
  if (!dirs.includes('/')) dirs.push('/');
  return dirs;
}

/**
 * The tightest CPU quota on this process's cgroup or its ancestors, undefined when none.
 * cgroup v2 (`/sys/fs/cgroup/<path>/cpu.max`) and v1 (`cpu.cfs_quota_us`); in a container
 * with its own cgroup namespace the path is `/`, so `/sys/fs/cgroup/cpu.max` is read.
 * Unreadable or odd files count as no quota: this only picks a default.
 */
export function cgroupCpuQuota(read: (path: string) => string | undefined = readIfPresent): CpuQuota | undefined {
  const self = read('/proc/self/cgroup') ?? '';
  const found: CpuQuota[] = [];
  const v2 = /^0::(\/.*)$/m.exec(self)?.[1]?.trim() ?? '/';
  for (const dir of selfAndAncestors(v2)) {
    const file = posix.join('/sys/fs/cgroup', dir, 'cpu.max');
    const text = read(file);
    const cpus = text === undefined ? undefined : parseCpuMax(text);
    if (cpus !== undefined) found.push({ cpus, file });
  }
  const v1 = /^\d+:[^:\n]*\bcpu\b[^:\n]*:(\/.*)$/m.exec(self)?.[1]?.trim() ?? '/';
  for (const mount of ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct']) {
    for (const dir of selfAndAncestors(v1)) {
      const base = posix.join(mount, dir);
      const quota = read(`${base}/cpu.cfs_quota_us`);
      const period = read(`${base}/cpu.cfs_period_us`);
      const cpus = quota === undefined || period === undefined ? undefined : parseCfsQuota(quota, period);
      if (cpus !== undefined) found.push({ cpus, file: `${base}/cpu.cfs_quota_us` });
    }
  }
  return found.sort((a, b) => a.cpus - b.cpus)[0];
}

/**
 * The default number of workers: `available` (os.availableParallelism()), lowered to the
 * quota rounded up (at least 1) when there is one. Newer Node releases (libuv 1.49 and
 * later) already lower availableParallelism() to the quota rounded down; the minimum of
 * the two then gives that.
 */
export function defaultWorkerCount(available: number, quota: CpuQuota | undefined): number {
  const cpus = Math.max(1, available);
  return quota ? Math.min(cpus, Math.max(1, Math.ceil(quota.cpus))) : cpus;
}

/** WEB_CONCURRENCY (1-256), else defaultWorkerCount; with the reason, for the start line. */
export function workerCount(env: Env, available: number, quota: CpuQuota | undefined): { workers: number; reason: string } {
  const fallback = defaultWorkerCount(available, quota);
  const workers = envInt('WEB_CONCURRENCY', fallback, 1, 256, env);
  if (envOptional('WEB_CONCURRENCY', env) !== undefined) return { workers, reason: 'WEB_CONCURRENCY' };
  const cpus = `${available} CPU${available === 1 ? '' : 's'} available`;
  return { workers, reason: quota ? `${cpus}, CPU quota ${Number(quota.cpus.toFixed(2))} in ${quota.file}` : cpus };
}

// ---------------------------------------------------------------------------------------
// Workers: heap bound

const HEAP_FLAG = /^--max[-_]old[-_]space[-_]size(?:=(.*))?$/;

/** The last --max-old-space-size in a list of arguments (`=N` or `N` as the next argument), in MiB. */
export function heapFlagMb(args: readonly string[]): number | undefined {
  let found: number | undefined;
  args.forEach((arg, i) => {
    const match = HEAP_FLAG.exec(arg);
    if (!match) return;
    const value = match[1] ?? args[i + 1];
    if (value !== undefined && /^\d+$/.test(value)) found = Number(value);
  });
  return found;
}

function withoutHeapFlag(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const match = HEAP_FLAG.exec(args[i]);
    if (!match) kept.push(args[i]);
    else if (match[1] === undefined && /^\d+$/.test(args[i + 1] ?? '')) i++;
  }
  return kept;
}

/** What the workers are started with: their execArgv, the bound in force (MiB; undefined: V8's default) and where it comes from. */
export interface WorkerHeap {
  execArgv: string[];
  heapMb: number | undefined;
  source: string;
}

/**
 * The workers' execArgv: the primary's own (e.g. tsx's loader, which the workers need to
 * run TypeScript) and the heap bound. GATEWAY_WORKER_HEAP_MB set: that bound (0: none from
 * here), replacing one on the primary's command line and overriding one in NODE_OPTIONS.
 * Unset: a bound already given (primary's command line, else NODE_OPTIONS) is kept, else
 * DEFAULT_WORKER_HEAP_MB. Throws ConfigError on a bad value.
 */
export function workerHeap(env: Env, primaryExecArgv: readonly string[]): WorkerHeap {
  const explicit = envOptional('GATEWAY_WORKER_HEAP_MB', env) !== undefined;
  const mb = envInt('GATEWAY_WORKER_HEAP_MB', DEFAULT_WORKER_HEAP_MB, 0, MAX_WORKER_HEAP_MB, env);
  if (mb !== 0 && mb < MIN_WORKER_HEAP_MB) {
    throw new ConfigError(`GATEWAY_WORKER_HEAP_MB must be 0 (no bound: V8's default) or at least ${MIN_WORKER_HEAP_MB} (MiB), got ${mb}`);
  }
  const fromArgv = heapFlagMb(primaryExecArgv);
  const fromOptions = heapFlagMb((env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean));
  const inherited = fromArgv !== undefined ? { heapMb: fromArgv, source: "the primary's --max-old-space-size" } : fromOptions !== undefined ? { heapMb: fromOptions, source: 'NODE_OPTIONS' } : undefined;
  if (explicit && mb > 0) {
    const overrides = fromOptions !== undefined && fromOptions !== mb ? `; overrides NODE_OPTIONS' ${fromOptions}` : '';
    return { execArgv: [...withoutHeapFlag(primaryExecArgv), `--max-old-space-size=${mb}`], heapMb: mb, source: `GATEWAY_WORKER_HEAP_MB${overrides}` };
  }
  if (explicit || inherited) {
    // GATEWAY_WORKER_HEAP_MB=0, or unset with a bound already given: the workers run as the primary does.
    return { execArgv: [...primaryExecArgv], heapMb: inherited?.heapMb, source: inherited ? `${inherited.source}${explicit ? ', GATEWAY_WORKER_HEAP_MB=0' : ''}` : "GATEWAY_WORKER_HEAP_MB=0: V8's default" };
  }
  return { execArgv: [...primaryExecArgv, `--max-old-space-size=${mb}`], heapMb: mb, source: 'GATEWAY_WORKER_HEAP_MB default' };
}

// ---------------------------------------------------------------------------------------
// The primary

function primary(): void {
  let workers: number;
  let reason: string;
  let heap: WorkerHeap;
  let shutdownLimitMs: number;
  try {
    ({ workers, reason } = workerCount(process.env, availableParallelism(), cgroupCpuQuota()));
    heap = workerHeap(process.env, process.execArgv);
    // Validate once here, so that a bad setting stops the start with one message instead of
    // every worker failing in a loop.
    shutdownLimitMs = clusterShutdownLimitMs(readGatewayConfig().resilience.shutdownGraceMs);
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof PolicyError;
    console.error(`cannot start the gateway cluster: ${known || error instanceof Error ? (error as Error).message : String(error)}`);
    process.exit(1);
  }
  cluster.setupPrimary({ execArgv: heap.execArgv });
  console.log(
    `chain gateway cluster: starting ${workers} worker${workers === 1 ? '' : 's'} (${reason}); ` +
      `heap bound ${heap.heapMb === undefined ? "none (V8's default)" : `${heap.heapMb} MiB per worker`} (${heap.source}); ` +
      `stop within ${shutdownLimitMs} ms`,
  );

  let stopping = false;
  let stopCode = 0;
  let failedStarts = 0;
  let listening = 0;
  const startedAt = new Map<number, number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };
  const alive = () => Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);

  cluster.on('listening', (worker) => {
    failedStarts = 0;
    listening++;
    if (listening === workers) {
      const pids = alive().map((w) => w.process.pid).join(', ');
      console.log(`chain gateway cluster: ${workers} worker${workers === 1 ? '' : 's'} ready (primary ${process.pid}; worker${workers === 1 ? '' : 's'} ${pids})`);
    } else if (listening > workers) console.log(`chain gateway cluster: worker ${worker.process.pid} replaced`);
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (code !== 0) stopCode = 1;
      if (alive().length === 0) process.exit(stopCode);
      return;
    }
    console.error(`chain gateway cluster: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    if (lived < EARLY_EXIT_MS && ++failedStarts >= MAX_FAILED_STARTS) {
      console.error(`chain gateway cluster: ${failedStarts} workers in a row failed to start; giving up`);
      stopping = true;
      stopCode = 1;
      for (const other of alive()) other.process.kill('SIGTERM');
      setTimeout(() => process.exit(1), shutdownLimitMs).unref();
      if (alive().length === 0) process.exit(1);
      return;
    }
    fork();
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const running = alive();
    if (running.length === 0) process.exit(0);
    // Each worker closes its server on SIGTERM (in-flight requests finish within
    // SHUTDOWN_GRACE_MS) and exits; what is still there after the workers' own limit is killed.
    for (const worker of running) worker.process.kill('SIGTERM');
    setTimeout(() => {
      console.error(`chain gateway cluster: workers still running after ${shutdownLimitMs} ms; killing them`);
      for (const worker of alive()) worker.process.kill('SIGKILL');
      process.exit(1);
    }, shutdownLimitMs).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  for (let i = 0; i < workers; i++) fork();
}

// Run only as the entry point (the primary, and each worker, which runs this file again);
// imported (tests), it only exports the helpers above.
if (require.main === module) {
  if (cluster.isPrimary) {
    primary();
  } else {
    // A worker is the single-process gateway; the primary shares the listening port.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('./start-gateway');
  }
}
