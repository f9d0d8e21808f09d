import { ConfigError, envBool, envInt, envString } from '../lib/config';

/** What `npm run bench` runs; every value from the environment, validated and bounded. */
export interface BenchConfig {
  /** Demo persons loaded into PostgreSQL (BENCH_PERSONS, default 10,000). */
  persons: number;
  /** Seconds of measured load per scenario (BENCH_DURATION_S, default 10). */
  durationS: number;
  /**
   * Rounds the measured load of each scenario is split into, scenarios taking turns
   * (BENCH_ROUNDS, default 2): on a machine whose other load drifts, (a), (b) and (c) then
   * see the same conditions. Each round runs BENCH_DURATION_S / rounds seconds.
   */
  rounds: number;
  /** Seconds of unmeasured load before each scenario (BENCH_WARMUP_S, default 3). */
  warmupS: number;
  /** Concurrent connections of the load generator (BENCH_CONNECTIONS, default 16). */
  connections: number;
  /** Server to create the benchmark's own database on (BENCH_DATABASE_URL, else TEST_DATABASE_URL). */
  databaseUrl: string;
  /** Operations to measure (BENCH_QUERIES: person, departures or both comma-separated; default both). */
  queries: Array<'person' | 'departures'>;
  /** Gateway start modes to measure (BENCH_MODES: single, cluster or both; default both). */
  modes: Array<'single' | 'cluster'>;
  /** Workers of the cluster mode (BENCH_WEB_CONCURRENCY, default os.availableParallelism()). */
  clusterWorkers: number | undefined;
  /**
   * V8 CPU profiles (BENCH_CPU_PROF): `1` or `gateway` for the single-process gateway with
   * authorization on, `all` for it and every subgraph. Profiling slows the profiled processes.
   */
  cpuProfile: 'off' | 'gateway' | 'all';
  /**
   * Seconds of sustained mixed load (both queries) on the single-process gateway with
   * authorization on after the scenarios, sampling its memory (BENCH_SOAK_S, default 30; 0 skips).
   */
  soakS: number;
  /** Hard limit on the whole run, after which it stops whatever it is doing (BENCH_MAX_S, default 900). */
  maxS: number;
  /**
   * The gateway-capacity scenarios `replay-on` / `replay-off` (and `replay-cluster-*` when
   * BENCH_MODES includes cluster): the gateway in front of replay servers that answer the
   * recorded subgraph responses (BENCH_REPLAY, default 1; 0 skips them).
   */
  replay: boolean;
  /** V-numbers the replay scenarios' person query cycles through, each recorded (BENCH_REPLAY_PERSONS, default 200). */
  replayPersons: number;
  /** Departure windows the replay scenarios' departures query cycles through, each recorded (BENCH_REPLAY_WINDOWS, default 48). */
  replayWindows: number;
  /**
   * NODE_OPTIONS for every gateway process, e.g. `--max-old-space-size=128` to compare the
   * memory under sustained load with a bounded heap (BENCH_GATEWAY_NODE_OPTIONS; `--` flags only).
   */
  gatewayNodeOptions: string | undefined;
}

/** BENCH_GATEWAY_NODE_OPTIONS: space-separated `--flag` or `--flag=value` options, nothing else. */
function nodeOptionsOf(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  const flags = trimmed.split(/\s+/);
  if (flags.some((flag) => !/^--[a-z0-9][a-z0-9_-]*(=[A-Za-z0-9_.,:/=-]+)?$/i.test(flag))) {
    throw new ConfigError('BENCH_GATEWAY_NODE_OPTIONS must be Node/V8 flags such as --max-old-space-size=128');
  }
  return flags.join(' ');
}

function cpuProfileOf(value: string | undefined): BenchConfig['cpuProfile'] {
  if (value === undefined || value === '' || value === '0') return 'off';
  if (value === '1' || value === 'gateway') return 'gateway';
  if (value === 'all') return 'all';
  throw new ConfigError('BENCH_CPU_PROF must be 1 (gateway), all, or unset');
}

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const databaseUrl = env.BENCH_DATABASE_URL || env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  let host: string;
  try {
    host = new URL(databaseUrl).hostname;
  } catch {
    throw new ConfigError('BENCH_DATABASE_URL is not a URL');
  }
  // The benchmark creates and drops a database and loads the machine: local servers only.
  if (!LOCAL_HOSTS.has(host)) throw new ConfigError(`BENCH_DATABASE_URL must point to this machine (127.0.0.1), not ${host}`);
  const modes = envString('BENCH_MODES', 'both', env);
  if (!['single', 'cluster', 'both'].includes(modes)) throw new ConfigError('BENCH_MODES must be single, cluster or both');
  const queries = envString('BENCH_QUERIES', 'person,departures', env).split(',').map((q) => q.trim());
  if (queries.length === 0 || queries.some((q) => q !== 'person' && q !== 'departures')) throw new ConfigError('BENCH_QUERIES must list person and/or departures');
  const workers = env.BENCH_WEB_CONCURRENCY ? envInt('BENCH_WEB_CONCURRENCY', 2, 1, 64, env) : undefined;
  return {
    persons: envInt('BENCH_PERSONS', 10_000, 10, 200_000, env),
    durationS: envInt('BENCH_DURATION_S', 10, 1, 600, env),
    rounds: envInt('BENCH_ROUNDS', 2, 1, 20, env),
    warmupS: envInt('BENCH_WARMUP_S', 3, 0, 120, env),
    connections: envInt('BENCH_CONNECTIONS', 16, 1, 512, env),
    databaseUrl,
    queries: [...new Set(queries)] as Array<'person' | 'departures'>,
    modes: modes === 'both' ? ['single', 'cluster'] : [modes as 'single' | 'cluster'],
    clusterWorkers: workers,
    cpuProfile: cpuProfileOf(env.BENCH_CPU_PROF),
    soakS: envInt('BENCH_SOAK_S', 30, 0, 3_600, env),
    maxS: envInt('BENCH_MAX_S', 900, 30, 7_200, env),
    replay: envBool('BENCH_REPLAY', true, env),
    replayPersons: envInt('BENCH_REPLAY_PERSONS', 200, 1, 5_000, env),
    replayWindows: envInt('BENCH_REPLAY_WINDOWS', 48, 1, 40 * 24, env),
    gatewayNodeOptions: nodeOptionsOf(env.BENCH_GATEWAY_NODE_OPTIONS),
  };
}
