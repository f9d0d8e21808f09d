import { envInt } from '../config';

/** Default time a shutdown waits for requests in flight before cutting connections. */
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** SHUTDOWN_GRACE_MS: how long a stopping process lets requests in flight finish (default 10000). */
export function readShutdownGraceMs(env: NodeJS.ProcessEnv = process.env): number {
  return envInt('SHUTDOWN_GRACE_MS', DEFAULT_SHUTDOWN_GRACE_MS, 0, 600_000, env);
}

/** What `handleShutdownSignals` needs. */
export interface ShutdownOptions {
  /** Service name, for the messages. */
  name: string;
  /**
   * Stops the service: stop accepting connections, let requests in flight finish (within
   * `graceMs`), then close stores. Resolves when done.
   */
  close(): Promise<void>;
  /** The grace period the close honours; the process is ended regardless after it plus `marginMs`. */
  graceMs: number;
  /** Extra time after the grace period for closing stores (default 5000). */
  marginMs?: number;
  /** Signals to handle (default SIGTERM and SIGINT). */
  signals?: NodeJS.Signals[];
  /** The process (injectable for tests). */
  process?: Pick<NodeJS.Process, 'on' | 'exit'>;
  /** Where progress goes (default stderr). */
  log?: (message: string) => void;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: the first signal runs `close()` once and exits 0
 * when it resolves (1 when it fails). Later signals do not start another close (a cluster
 * primary forwards SIGTERM to workers that may already have had SIGINT from the terminal);
 * the process ends anyway, with 1, when `close()` takes longer than the grace period plus
 * a margin. Returns a function that starts the same shutdown without a signal.
 */
export function handleShutdownSignals(options: ShutdownOptions): (reason?: string) => void {
  const proc = options.process ?? process;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const limitMs = options.graceMs + (options.marginMs ?? 5_000);
  let stopping = false;
  const shutdown = (reason = 'shutdown requested') => {
    if (stopping) {
      log(`${options.name}: ${reason}; already stopping (at most ${limitMs} ms in all)`);
      return;
    }
    stopping = true;
    log(`${options.name}: ${reason}; finishing requests in flight (up to ${options.graceMs} ms)`);
    const deadline = setTimeout(() => {
      log(`${options.name}: shutdown took longer than ${limitMs} ms, stopping now`);
      proc.exit(1);
    }, limitMs);
    deadline.unref();
    options.close().then(
      () => {
        clearTimeout(deadline);
        log(`${options.name}: stopped`);
        proc.exit(0);
      },
      (error: unknown) => {
        clearTimeout(deadline);
        log(`${options.name}: shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        proc.exit(1);
      },
    );
  };
  for (const signal of options.signals ?? (['SIGTERM', 'SIGINT'] as NodeJS.Signals[])) {
    proc.on(signal, () => shutdown(`${signal} received`));
  }
  return shutdown;
}
