import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { fromRoot } from '../lib/paths';

/** One service the benchmark started as a process of its own. */
export interface Service {
  name: string;
  /** Base URL, `http://127.0.0.1:<port>`. */
  base: string;
  port: number;
  child: ChildProcess;
  /** Where its stdout and stderr go. */
  logFile: string;
}

function tryListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1, below the kernel's ephemeral range (32768 and up): a
 * service takes seconds to start, and a port the OS hands out for `listen(0)` meanwhile
 * (other test suites on the machine) must not be the one it was given.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await tryListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

/**
 * Starts a TypeScript entry point as its own Node process through tsx's loader (`node
 * --import tsx`, so the pid is the Node process itself and its memory can be read),
 * with `execArgv` before it (e.g. `--cpu-prof`). Output goes to `logFile`.
 */
export function startService(options: {
  name: string;
  entry: string;
  args?: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
  execArgv?: string[];
}): Service {
  const fd = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.execArgv ?? []), '--import', 'tsx', fromRoot(options.entry), ...(options.args ?? [])], {
    cwd: fromRoot(),
    env: options.env,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  return { name: options.name, base: `http://127.0.0.1:${options.port}`, port: options.port, child, logFile: options.logFile };
}

/** Resolves when `GET <base>/health` answers 200; rejects when the process exits first or after `timeoutMs`. */
export async function waitHealthy(service: Service, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (service.child.exitCode !== null || service.child.signalCode !== null) {
      throw new Error(`${service.name} exited while starting (${service.child.exitCode ?? service.child.signalCode}); see ${service.logFile}`);
    }
    try {
      const response = await fetch(`${service.base}/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) {
        // Something else answering on the port (the service itself failed to listen) shows as an exit.
        await new Promise((r) => setTimeout(r, 300));
        if (service.child.exitCode !== null || service.child.signalCode !== null) throw new Error(`${service.name} exited after start; see ${service.logFile}`);
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${service.name} did not become healthy within ${timeoutMs} ms; see ${service.logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops a service with SIGTERM (graceful: a CPU profile is written on exit), SIGKILL after `graceMs`. */
export async function stopService(service: Service, graceMs = 20_000): Promise<void> {
  const child = service.child;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * /proc/<pid>/stat as its command name and the fields after it (state=0, ppid=1, ...,
 * utime=11, stime=12, cutime=13, cstime=14 in clock ticks of 10 ms); undefined once the
 * process is gone. The name may hold spaces and parentheses, so the fields start after the last ')'.
 */
function procStat(pid: number | string): { comm: string; fields: string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const end = stat.lastIndexOf(')');
    return { comm: stat.slice(stat.indexOf('(') + 1, end), fields: stat.slice(end + 2).split(' ') };
  } catch {
    return undefined;
  }
}

const ticksMs = (fields: string[], ...indexes: number[]) => indexes.reduce((sum, i) => sum + Number(fields[i]), 0) * 10;

/**
 * The pids whose parent is `pid` and that run the same executable (cluster workers, not
 * helper processes such as tsx's esbuild service), read from /proc.
 */
export function childPids(pid: number): number[] {
  let exe: string;
  try {
    exe = readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(procStat(entry)?.fields[1]) !== pid) continue;
    try {
      if (readlinkSync(`/proc/${entry}/exe`) === exe) children.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return children;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat; 0 once it is gone. */
export function cpuMs(pid: number): number {
  const stat = procStat(pid);
  return stat ? ticksMs(stat.fields, 11, 12) : 0;
}

/** CPU time of a process and (for a cluster primary) its workers, in ms. */
export function treeCpuMs(pid: number, includeChildren: boolean): number {
  return [pid, ...(includeChildren ? childPids(pid) : [])].reduce((sum, p) => sum + cpuMs(p), 0);
}

/**
 * CPU time (ms) used so far by the PostgreSQL server on this machine: every process named
 * `postgres` (backends, background workers) plus what the postmaster has reaped from
 * backends that exited (cutime, cstime). The benchmark's database is on a local server
 * (BENCH_DATABASE_URL must be 127.0.0.1); other databases' work on it counts too.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(entry);
    if (stat?.comm === 'postgres') total += ticksMs(stat.fields, 11, 12, 13, 14);
  }
  return total;
}
