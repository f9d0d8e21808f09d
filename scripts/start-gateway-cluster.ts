/**
 * `npm run start:gateway:cluster`: the production start mode with one gateway worker per
 * core (node:cluster). Each worker is a full gateway (scripts/start-gateway.ts: its own
 * query plan cache, policy watcher, keep-alive pools); the primary only distributes
 * connections on the shared port, replaces workers that die and forwards SIGTERM/SIGINT so
 * that every worker finishes its requests before the process ends.
 *
 * WEB_CONCURRENCY: number of workers (default: os.availableParallelism()).
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { ConfigError, envInt } from '../lib/config';
import { PolicyError } from '../lib/policy/load';
import { readGatewayConfig } from '../gateway/config';

/** A worker that dies within this long after it was started counts as a failed start. */
const EARLY_EXIT_MS = 10_000;
/** Failed starts in a row after which the primary gives up (a broken configuration, not a crash). */
const MAX_FAILED_STARTS = 5;
/** How long workers get to finish their requests on shutdown. */
const SHUTDOWN_GRACE_MS = 15_000;

function primary(): void {
  let workers: number;
  try {
    workers = envInt('WEB_CONCURRENCY', availableParallelism(), 1, 256);
    // Validate once here, so that a bad setting stops the start with one message instead of
    // every worker failing in a loop.
    readGatewayConfig();
  } catch (error) {
    const known = error instanceof ConfigError || error instanceof PolicyError;
    console.error(`cannot start the gateway cluster: ${known || error instanceof Error ? (error as Error).message : String(error)}`);
    process.exit(1);
  }

  let stopping = false;
  let failedStarts = 0;
  let listening = 0;
  const startedAt = new Map<number, number>();

  const fork = (): Worker => {
    const worker = cluster.fork();
    startedAt.set(worker.id, Date.now());
    return worker;
  };

  cluster.on('listening', (worker) => {
    failedStarts = 0;
    listening++;
    if (listening === workers) console.log(`chain gateway cluster: ${workers} workers ready (primary ${process.pid})`);
    else if (listening > workers) console.log(`chain gateway cluster: worker ${worker.process.pid} replaced`);
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker.id) ?? 0);
    startedAt.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    console.error(`chain gateway cluster: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}); starting another`);
    if (lived < EARLY_EXIT_MS && ++failedStarts >= MAX_FAILED_STARTS) {
      console.error(`chain gateway cluster: ${failedStarts} workers in a row failed to start; giving up`);
      stopping = true;
      for (const other of Object.values(cluster.workers ?? {})) other?.process.kill('SIGTERM');
      process.exitCode = 1;
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(1);
      return;
    }
    fork();
  });

  const stop = () => {
    if (stopping) return;
    stopping = true;
    const alive = Object.values(cluster.workers ?? {});
    if (alive.length === 0) process.exit(0);
    // Each worker closes its server on SIGTERM (in-flight requests finish) and exits.
    for (const worker of alive) worker?.process.kill('SIGTERM');
    setTimeout(() => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  for (let i = 0; i < workers; i++) fork();
}

if (cluster.isPrimary) {
  primary();
} else {
  // A worker is the single-process gateway; the primary shares the listening port.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('./start-gateway');
}
