/**
 * `npm run bench`: the side-by-side benchmark of issue 5 (README "Performance").
 *
 * Loads BENCH_PERSONS demo persons into a fresh PostgreSQL database, starts the six
 * subgraphs and the gateway(s) as separate processes on 127.0.0.1, and drives them with
 * autocannon, each scenario for BENCH_DURATION_S seconds after a warm-up:
 *   (a) through the gateway with authorization and access logging on,
 *   (b) through the gateway with both off (NODE_ENV=benchmark + the benchmark-only switch),
 *   (c) the same fetches sent straight to the dtv subgraph, signed as the gateway signs,
 * for the single-person query of a medical professional and the departures list (first:
 * 20), with a single gateway process and with the cluster mode (one worker per core);
 *   (d) the gateway's own capacity: the same gateways, on and off, in front of replay
 *       servers (bench/replay.ts, one process of their own) that answer the subgraph
 *       responses recorded in a pass through the real subgraphs, so that nearly all CPU
 *       goes to the gateway (BENCH_REPLAY, default on).
 * Prints requests/s, p50/p95/p99, gateway memory (after warm-up, at the end, peak) and the
 * ratios; writes everything to bench-results/<timestamp>.json. Stops by itself (BENCH_MAX_S),
 * stops every process it started and drops its database.
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ConfigError } from '../lib/config';
import { generateWorld } from '../lib/demo/world';
import { ensureDevKeys, readDevPrivateKey, signDevToken } from '../lib/identity/dev-keys';
import { fromRoot } from '../lib/paths';
import { SUBGRAPH_NAMES } from '../lib/subgraph/registry-names';
import { readBenchConfig, type BenchConfig } from './config';
import { accessRecordCount, createBenchDatabase, loadWorld, type BenchDatabase } from './database';
import { mergeRuns, runLoad, type LoadResult } from './load';
import { floorGrowth, HeapSampler, majorGcsPerThird, MemorySampler, thirdsOf, type HeapSample, type Third } from './memory';
import { cpuMs, freePort, postgresCpuMs, startService, stopService, treeCpuMs, waitHealthy, type Service } from './processes';
import { totalOf, type ReplayStats } from './replay';
import {
  checkDirect,
  checkGateway,
  DEPARTURES_QUERY,
  DTV_DEPARTURES_QUERY,
  DTV_PERSON_QUERY,
  gatewayRequests,
  PERSON_QUERY,
  ROLE,
  signedRequests,
  variableList,
  variablesFor,
  type QueryName,
} from './scenarios';

interface Target {
  id: string;
  label: string;
  /** `replay`: a gateway whose subgraphs are the replay servers. */
  kind: 'gateway' | 'direct' | 'replay';
  mode?: 'single' | 'cluster';
  authorization?: boolean;
  service: Service;
  memory?: MemorySampler;
}

interface ScenarioResult extends LoadResult {
  query: QueryName;
  target: string;
  label: string;
  /**
   * CPU ms per completed request: the gateway (or the subgraph driven directly), the six
   * real subgraphs, the replay servers' process (replay scenarios; the real subgraphs then
   * idle), the load generator (this process: autocannon and the answer checks), and the
   * total behind the load generator (gateway + subgraphs + replay servers).
   */
  cpuPerRequestMs: { process: number; subgraphs: number; bySubgraph: Record<string, number>; postgres: number; replay?: number; loadGenerator: number; total: number };
}

/** CPU time this process (the load generator) has used so far, in ms. */
function ownCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/** `n` distinct free ports (freePort checks one at a time; nothing listens on them yet). */
async function freePorts(n: number, taken: Set<number> = new Set()): Promise<number[]> {
  const ports: number[] = [];
  while (ports.length < n) {
    const port = await freePort();
    if (!taken.has(port)) {
      taken.add(port);
      ports.push(port);
    }
  }
  return ports;
}

async function replayControl(base: string, method: 'GET' | 'POST', path: string): Promise<ReplayStats> {
  const response = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`replay servers: ${method} ${path} answered ${response.status} ${text.slice(0, 200)}`);
  return JSON.parse(text) as ReplayStats;
}

/**
 * The recording pass: every variable value once through `url`, `concurrency` at a time;
 * every answer must be 200 and pass `check` (a recording of failures would measure nothing).
 */
async function sendEach(url: string, token: string, query: string, values: Array<Record<string, unknown>>, check: (text: string) => boolean, concurrency = 4): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < values.length) {
      const variables = values[next++];
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if (response.status !== 200 || !check(text)) throw new Error(`recording pass: unexpected answer ${response.status} ${text.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, values.length) }, worker));
}

function describeThirds(thirds: readonly Third[]): string {
  return thirds.map((t) => (t.min === null ? 'no samples' : `${t.min}-${t.max}`)).join(', ');
}

const started = new Date();
const services: Service[] = [];
let database: BenchDatabase | undefined;
let keysDir: string | undefined;

async function cleanup(): Promise<void> {
  await Promise.allSettled(services.map((s) => stopService(s)));
  if (database) await database.drop().catch((error: Error) => console.error(`could not drop ${database?.name}: ${error.message}`));
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
}

function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

async function main(): Promise<void> {
  let config: BenchConfig;
  try {
    config = readBenchConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`bench: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const deadline = setTimeout(() => {
    console.error(`bench: stopped after BENCH_MAX_S=${config.maxS} s`);
    void cleanup().finally(() => process.exit(1));
  }, config.maxS * 1000);
  deadline.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`bench: ${signal}, stopping`);
      void cleanup().finally(() => process.exit(130));
    });
  }

  const runId = started.toISOString().replace(/[:.]/g, '-');
  const outDir = fromRoot('bench-results');
  const logDir = join(outDir, `${runId}-logs`);
  mkdirSync(logDir, { recursive: true });
  const loadBefore = loadavg();
  const workers = config.clusterWorkers ?? availableParallelism();
  console.log(
    `bench: ${config.persons} persons, ${config.durationS} s per scenario (${config.rounds} rounds) after ${config.warmupS} s warm-up, ${config.connections} connections, ` +
      `modes ${config.modes.join('+')}${config.modes.includes('cluster') ? ` (${workers} workers)` : ''}` +
      `${config.replay ? `, replay over ${[config.queries.includes('person') ? `${config.replayPersons} V-numbers` : '', config.queries.includes('departures') ? `${config.replayWindows} departure windows` : ''].filter(Boolean).join(' / ')}` : ', no replay'}` +
      `${config.gatewayNodeOptions ? `, gateway NODE_OPTIONS ${config.gatewayNodeOptions}` : ''}; ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
  );

  // Keys of the run's own: token key pair, signing secret, access log key.
  keysDir = mkdtempSync(join(tmpdir(), 'chain-bench-keys-'));
  const keys = await ensureDevKeys(keysDir);
  const signingSecret = readFileSync(keys.signingSecretFile, 'utf8').trim();
  const accessLogKey = readFileSync(keys.accessLogKeyFile, 'utf8').trim();
  const token = await signDevToken(readDevPrivateKey(keys), { role: ROLE, expiresIn: '2h' });

  // The database and the world.
  database = await createBenchDatabase(config.databaseUrl);
  const world = generateWorld(config.persons);
  const seedS = await loadWorld(database.url, world);
  console.log(`bench: loaded ${config.persons} persons into ${database.name} in ${seedS} s`);

  const common: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    APOLLO_TELEMETRY_DISABLED: '1',
    HOST: '127.0.0.1',
    GATEWAY_SIGNING_SECRET: signingSecret,
    POLICY_WATCH: 'false',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };

  const profileDir = join(outDir, `${runId}-profile`);
  if (config.cpuProfile !== 'off') mkdirSync(profileDir, { recursive: true });

  // Subgraphs: one process each, on the bench database, no seeding.
  const subgraphUrls: Record<string, string> = {};
  const subgraphServices: Record<string, Service> = {};
  for (const name of SUBGRAPH_NAMES) {
    const port = await freePort();
    const service = startService({
      name: `subgraph ${name}`,
      entry: 'scripts/start-subgraph.ts',
      args: [name],
      port,
      logFile: join(logDir, `${name}.log`),
      // A directory per process: tsx's loader thread writes a profile of its own beside the main thread's.
      execArgv: config.cpuProfile === 'all' ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, name)] : [],
      env: {
        ...common,
        NODE_ENV: 'production',
        DATABASE_URL: database.url,
        DATABASE_POOL_SIZE: process.env.BENCH_POOL_SIZE ?? '8',
        SEED_DEMO: 'false',
        [`${name.toUpperCase()}_PORT`]: String(port),
        ...(name === 'audit' ? { ACCESS_LOG_KEY: accessLogKey } : {}),
      },
    });
    services.push(service);
    subgraphServices[name] = service;
    subgraphUrls[`${name.toUpperCase()}_URL`] = `${service.base}/graphql`;
  }
  // Replay servers (one process): a recording proxy to each real subgraph first, then
  // answering from the recording, for the gateway-capacity scenarios.
  let replay: Service | undefined;
  const replayUrls: Record<string, string> = {};
  if (config.replay) {
    const [controlPort, ...ports] = await freePorts(1 + SUBGRAPH_NAMES.length, new Set(Object.values(subgraphServices).map((s) => s.port)));
    const replayPorts = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, ports[i]!]));
    replay = startService({
      name: 'replay servers',
      entry: 'bench/replay-server.ts',
      port: controlPort!,
      logFile: join(logDir, 'replay.log'),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        PORT: String(controlPort),
        REPLAY_CONFIG: JSON.stringify({ upstreams: Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, subgraphServices[name]!.base])), ports: replayPorts }),
      },
    });
    services.push(replay);
    for (const name of SUBGRAPH_NAMES) replayUrls[`${name.toUpperCase()}_URL`] = `http://127.0.0.1:${replayPorts[name]}/graphql`;
  }
  await Promise.all([...Object.values(subgraphServices), ...(replay ? [replay] : [])].map((s) => waitHealthy(s)));

  // Gateways: with and without authorization, single process and cluster; in front of the
  // real subgraphs and (replay) in front of the replay servers, otherwise configured alike.
  const targets: Target[] = [];
  const replayTargets: Target[] = [];
  const kinds = config.replay ? (['gateway', 'replay'] as const) : (['gateway'] as const);
  const gatewaySetups = kinds.flatMap((kind) => config.modes.flatMap((mode) => [true, false].map((authorization) => ({ kind, mode, authorization }))));
  for (const { kind, mode, authorization } of gatewaySetups) {
    const port = await freePort();
    const id = kind === 'replay'
      ? `replay-${mode === 'single' ? '' : 'cluster-'}${authorization ? 'on' : 'off'}`
      : `${mode === 'single' ? 'gateway' : 'cluster'}-${authorization ? 'on' : 'off'}`;
    const profile = config.cpuProfile !== 'off' && mode === 'single' && authorization;
    const service = startService({
      name: id,
      entry: mode === 'single' ? 'scripts/start-gateway.ts' : 'scripts/start-gateway-cluster.ts',
      port,
      logFile: join(logDir, `${id}.log`),
      execArgv: profile ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, kind === 'replay' ? 'replay-gateway' : 'gateway')] : [],
      env: {
        ...common,
        ...(kind === 'replay' ? replayUrls : subgraphUrls),
        // The same NODE_ENV for both, so that only the switch differs between (a) and (b).
        NODE_ENV: 'benchmark',
        PORT: String(port),
        TOKEN_PUBLIC_KEY_FILE: keys.publicKeyFile,
        ...(authorization ? {} : { BENCHMARK_UNSAFE_DISABLE_AUTHORIZATION: '1' }),
        ...(mode === 'cluster' ? { WEB_CONCURRENCY: String(workers) } : {}),
        // V8 flags for the gateways only (BENCH_GATEWAY_NODE_OPTIONS, e.g. --max-old-space-size=128).
        ...(config.gatewayNodeOptions ? { NODE_OPTIONS: config.gatewayNodeOptions } : {}),
      },
    });
    services.push(service);
    const label = `gateway${mode === 'cluster' ? ` x${workers}` : ''}, authorization + access log ${authorization ? 'ON' : 'OFF'}${kind === 'replay' ? ', subgraphs replayed' : ''}`;
    (kind === 'replay' ? replayTargets : targets).push({ id, label, kind, mode, authorization, service });
  }
  await Promise.all([...targets, ...replayTargets].map((t) => waitHealthy(t.service)));
  for (const target of [...targets, ...replayTargets]) target.memory = new MemorySampler(target.service.child.pid!, target.mode === 'cluster').start();
  targets.push({ id: 'direct-dtv', label: 'straight to the dtv subgraph (signed), the floor', kind: 'direct', service: subgraphServices.dtv! });
  targets.push(...replayTargets);

  const recordsBefore = await accessRecordCount(database.url);
  const results: ScenarioResult[] = [];
  const queries: Array<{ name: QueryName; gateway: string; direct: string }> = [
    { name: 'person', gateway: PERSON_QUERY, direct: DTV_PERSON_QUERY },
    { name: 'departures', gateway: DEPARTURES_QUERY, direct: DTV_DEPARTURES_QUERY },
  ].filter((q) => config.queries.includes(q.name as QueryName)) as Array<{ name: QueryName; gateway: string; direct: string }>;
  // The replay scenarios cycle through the variables that were recorded.
  const replayLimit = (query: QueryName) => (query === 'person' ? config.replayPersons : config.replayWindows);
  const scenarios = queries.flatMap((query) =>
    targets.map((target) => {
      const variables = variablesFor(world, query.name, target.kind === 'replay' ? replayLimit(query.name) : undefined);
      return {
        query: query.name,
        target,
        url: `${target.service.base}/graphql`,
        next: target.kind === 'direct' ? signedRequests(signingSecret, query.direct, variables) : gatewayRequests(token, query.gateway, variables),
        check: target.kind === 'direct' ? checkDirect(query.name) : checkGateway(query.name),
      };
    }),
  );

  // Recording pass: each replayed V-number and departure window through a replay gateway
  // with authorization on and one with it off (the rewrite changes what is fetched), the
  // replay servers forwarding to the real subgraphs and keeping the answers; then a second
  // pass that must add no request body (the key is deterministic) and get the same answers.
  let replayReport: Record<string, unknown> | undefined;
  const replayMisses = async (where: string) => {
    if (!replay) return;
    const stats = await replayControl(replay.base, 'GET', '/stats');
    const misses = totalOf(stats, 'misses');
    if (misses > 0) {
      throw new Error(`replay: ${misses} subgraph request(s) with a body that was not recorded (answered 502) ${where}: ${JSON.stringify(stats.samples.filter((x) => x.kind === 'miss').slice(0, 3))}`);
    }
  };
  if (replay) {
    const recordStarted = Date.now();
    const through = [true, false].map((on) => replayTargets.find((t) => t.authorization === on)!);
    const passes: ReplayStats[] = [];
    for (let pass = 0; pass < 2; pass++) {
      for (const target of through) {
        for (const query of queries) {
          await sendEach(`${target.service.base}/graphql`, token, query.gateway, variableList(world, query.name, replayLimit(query.name)), checkGateway(query.name));
        }
      }
      passes.push(await replayControl(replay.base, 'GET', '/stats'));
    }
    const [first, second] = passes as [ReplayStats, ReplayStats];
    const failures = totalOf(second, 'upstreamFailures');
    if (failures > 0) throw new Error(`replay: the real subgraphs answered ${failures} recorded request(s) with a status other than 200: ${JSON.stringify(second.samples.slice(0, 3))}`);
    const newBodies = totalOf(second, 'recorded') - totalOf(first, 'recorded');
    if (newBodies > 0) {
      throw new Error(`replay: the second recording pass sent ${newBodies} request body(ies) the first did not: subgraph request bodies are not deterministic per variables, a body hash cannot key the replay`);
    }
    const conflicts = totalOf(second, 'conflicts');
    const stats = await replayControl(replay.base, 'POST', '/mode?to=replay');
    const recordS = round((Date.now() - recordStarted) / 1000);
    replayReport = {
      persons: Math.min(config.replayPersons, variableList(world, 'person').length),
      windows: config.replayWindows,
      recordSeconds: recordS,
      recordedBodies: Object.fromEntries(Object.entries(stats.subgraphs).map(([name, s]) => [name, s.recorded])),
      forwarded: totalOf(stats, 'forwarded'),
      bodiesNewInSecondPass: newBodies,
      answersDifferentInSecondPass: conflicts,
      note:
        'replay servers: one process, one preallocated Buffer per recorded answer, keep-alive, no signature verification; ' +
        'access-log POSTs answered 201 without storing (replay measures the gateway\'s work, not durability)',
    };
    console.log(
      `bench: recorded ${totalOf(stats, 'recorded')} subgraph answers (${Object.entries(stats.subgraphs).map(([name, s]) => `${name} ${s.recorded}`).join(', ')}) in ${recordS} s; ` +
        `second pass: ${newBodies} new request bodies, ${conflicts} different answers${conflicts > 0 ? ' (the first answer is replayed)' : ''}`,
    );
    console.log(`bench: ${replayReport.note}`);
  }
  // Phase 1: every scenario once and warmed up (plans, JIT, connection pools, caches), so
  // that memory "after warm-up" is taken when every query has been through every gateway.
  for (const { query, target, url, next, check } of scenarios) {
    // One request first: a scenario that fails outright stops the run instead of measuring errors fast.
    const probe = next();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...probe.headers }, body: probe.body });
    const text = await response.text();
    if (response.status !== 200 || !check(text)) throw new Error(`${query} via ${target.id}: unexpected answer ${response.status} ${text.slice(0, 300)}`);
    if (config.warmupS > 0) await runLoad({ url, connections: config.connections, durationS: config.warmupS, next, check });
    if (target.kind === 'replay') await replayMisses(`warming up ${query} via ${target.id}`);
  }
  for (const target of targets) target.memory?.mark('after-warmup');
  // Phase 2: measured, in rounds; within a round one scenario at a time, all taking turns.
  const roundS = Math.max(1, Math.round(config.durationS / config.rounds));
  const runs = scenarios.map(() => [] as LoadResult[]);
  // CPU time used per request: by the process(es) measured, and by the six subgraphs behind
  // them. Unlike req/s it hardly depends on what else the machine is doing.
  const subgraphNames = Object.keys(subgraphServices);
  const cpu = scenarios.map(() => ({ target: 0, subgraphs: 0, bySubgraph: Object.fromEntries(subgraphNames.map((n) => [n, 0])) as Record<string, number>, postgres: 0, replay: 0, loadGenerator: 0 }));
  const subgraphPids = Object.values(subgraphServices).map((s) => s.child.pid!);
  const subgraphCpu = () => subgraphPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  const eachSubgraphCpu = () => Object.fromEntries(Object.entries(subgraphServices).map(([n, s]) => [n, cpuMs(s.child.pid!)]));
  const replayCpu = () => (replay ? cpuMs(replay.child.pid!) : 0);
  for (let round = 0; round < config.rounds; round++) {
    for (const [k, { query, url, next, check, target }] of scenarios.entries()) {
      const pid = target.service.child.pid!;
      const cluster = target.mode === 'cluster';
      const before = { target: treeCpuMs(pid, cluster), subgraphs: subgraphCpu(), each: eachSubgraphCpu(), postgres: postgresCpuMs(), replay: replayCpu(), loadGenerator: ownCpuMs() };
      runs[k]!.push(await runLoad({ url, connections: config.connections, durationS: roundS, next, check }));
      cpu[k]!.target += treeCpuMs(pid, cluster) - before.target;
      cpu[k]!.subgraphs += subgraphCpu() - before.subgraphs;
      const after = eachSubgraphCpu();
      for (const n of subgraphNames) cpu[k]!.bySubgraph[n]! += after[n]! - before.each[n]!;
      cpu[k]!.postgres += postgresCpuMs() - before.postgres;
      cpu[k]!.replay += replayCpu() - before.replay;
      cpu[k]!.loadGenerator += ownCpuMs() - before.loadGenerator;
      if (target.kind === 'replay') await replayMisses(`measuring ${query} via ${target.id}`);
    }
  }
  for (const [k, { query, target }] of scenarios.entries()) {
    const result = mergeRuns(runs[k]!);
    const requests = Math.max(1, result.requests);
    const c = cpu[k]!;
    const cpuPerRequestMs: ScenarioResult['cpuPerRequestMs'] = {
      // For direct-dtv the target is the dtv subgraph itself, also counted in `subgraphs`.
      process: round(c.target / requests, 2),
      subgraphs: round(c.subgraphs / requests, 2),
      bySubgraph: Object.fromEntries(subgraphNames.map((n) => [n, round(c.bySubgraph[n]! / requests, 2)])),
      // Not in `total`: the server is shared with whatever else runs on the machine.
      postgres: round(c.postgres / requests, 2),
      ...(target.kind === 'replay' ? { replay: round(c.replay / requests, 2) } : {}),
      loadGenerator: round(c.loadGenerator / requests, 2),
      total: round((target.kind === 'direct' ? c.subgraphs : c.target + c.subgraphs + (target.kind === 'replay' ? c.replay : 0)) / requests, 2),
    };
    results.push({ query, target: target.id, label: target.label, ...result, cpuPerRequestMs });
    const behind = target.kind === 'replay' ? `${cpuPerRequestMs.replay} replay (+ ${cpuPerRequestMs.subgraphs} real subgraphs)` : `${cpuPerRequestMs.subgraphs}`;
    console.log(
      `  ${query.padEnd(10)} ${target.id.padEnd(18)} ${String(result.rps).padStart(8)} req/s  p50 ${result.latencyMs.p50} ms  p95 ${result.latencyMs.p95} ms  p99 ${result.latencyMs.p99} ms  CPU/request ${cpuPerRequestMs.process} + ${behind} ms` +
        (result.non2xx + result.errors + result.timeouts + result.invalid > 0 ? `  (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}, invalid ${result.invalid}/${result.checked})` : ''),
    );
  }
  if (replay && replayReport) {
    const final = await replayControl(replay.base, 'GET', '/stats');
    replayReport.replayed = { answers: totalOf(final, 'hits'), unrecorded502: totalOf(final, 'misses'), accessLogPostsAnswered201: totalOf(final, 'accessRecords') };
    console.log(
      `  replay servers answered ${totalOf(final, 'hits')} subgraph requests from the recording, ${totalOf(final, 'misses')} unrecorded (502), ${totalOf(final, 'accessRecords')} access-log POSTs with 201 (not stored)`,
    );
  }
  // Sustained mixed load on the production configuration (single process, authorization
  // on), memory sampled: RSS from /proc and, for a single process, the V8 heap from /metrics.
  interface HeapSoak {
    intervalMs: number;
    /** Scrapes of GET /metrics during the soak (added to the soak's requests) and failed ones. */
    metricsRequests: number;
    metricsFailures: number;
    /** Per third: heap used min-max, the old generation's minimum, major GCs seen (see majorGcsPerThird), samples. */
    thirds: Array<{ minMiB: number | null; maxMiB: number | null; oldSpaceMinMiB: number | null; majorGcs: number; samples: number }>;
    /** Growth of the heap-used floor (and of the old generation's) from the first third to the last. */
    floorGrowthMiB: number | null;
    oldSpaceFloorGrowthMiB: number | null;
    series: HeapSample[];
  }
  let soak:
    | { target: string; rps: number; requests: number; thirds: Array<{ minMiB: number | null; maxMiB: number | null }>; floorGrowthMiB: number | null; heap?: HeapSoak; heapNotSampled?: string }
    | undefined;
  const soakTarget = targets.find((t) => t.id === 'gateway-on') ?? targets.find((t) => t.id === 'cluster-on');
  if (config.soakS > 0 && soakTarget?.memory) {
    const person = gatewayRequests(token, PERSON_QUERY, variablesFor(world, 'person'));
    const departures = gatewayRequests(token, DEPARTURES_QUERY, variablesFor(world, 'departures'));
    let i = 0;
    const checkPerson = checkGateway('person');
    const checkDepartures = checkGateway('departures');
    const memory = soakTarget.memory;
    // In cluster mode GET /metrics answers from whichever worker takes the connection: the
    // heap is sampled for the single-process gateway only.
    const heapSampler = soakTarget.mode === 'single' ? new HeapSampler(`${soakTarget.service.base}/metrics`, 500) : undefined;
    const heapFrom = heapSampler?.now() ?? 0;
    heapSampler?.start();
    const from = memory.sample().t;
    const result = await runLoad({
      url: `${soakTarget.service.base}/graphql`,
      connections: config.connections,
      durationS: config.soakS,
      next: () => (i++ % 4 === 3 ? departures() : person()),
      check: (body) => checkPerson(body) || checkDepartures(body),
    });
    const to = memory.sample().t;
    const heapTo = heapSampler?.now() ?? 0;
    await heapSampler?.stop();
    // Memory under load is a saw-tooth (the heap grows until a collection gives memory
    // back): flat means the floor of the last third is no higher than that of the first.
    const rssThirds = thirdsOf(memory.samples, from, to, (x) => x.rssMiB);
    soak = {
      target: soakTarget.id,
      rps: result.rps,
      requests: result.requests,
      thirds: rssThirds.map((t) => ({ minMiB: t.min, maxMiB: t.max })),
      floorGrowthMiB: floorGrowth(rssThirds) === null ? null : round(floorGrowth(rssThirds)!),
    };
    if (heapSampler) {
      const inSoak = heapSampler.samples.filter((x) => x.t >= heapFrom && x.t <= heapTo);
      const heapThirds = thirdsOf(inSoak, heapFrom, heapTo, (x) => x.heapUsedMiB);
      const oldThirds = thirdsOf(inSoak.filter((x) => x.oldSpaceMiB !== null), heapFrom, heapTo, (x) => x.oldSpaceMiB!);
      const gcs = majorGcsPerThird(inSoak, heapFrom, heapTo);
      const growth = floorGrowth(heapThirds);
      const oldGrowth = floorGrowth(oldThirds);
      soak.heap = {
        intervalMs: 500,
        metricsRequests: heapSampler.requests,
        metricsFailures: heapSampler.failures,
        thirds: heapThirds.map((t, k) => ({ minMiB: t.min, maxMiB: t.max, oldSpaceMinMiB: oldThirds[k]!.min, majorGcs: gcs[k]!, samples: t.samples })),
        floorGrowthMiB: growth === null ? null : round(growth),
        oldSpaceFloorGrowthMiB: oldGrowth === null ? null : round(oldGrowth),
        series: inSoak,
      };
    } else {
      soak.heapNotSampled = 'cluster mode: GET /metrics answers from whichever worker takes the connection';
    }
    console.log(
      `  soak       ${soakTarget.id.padEnd(18)} ${String(result.rps).padStart(8)} req/s for ${config.soakS} s (3 person : 1 departures); RSS min-max by third: ${describeThirds(rssThirds)} MiB` +
        (soak.heap ? `; heap used min-max by third: ${describeThirds(soak.heap.thirds.map((t) => ({ min: t.minMiB, max: t.maxMiB, samples: t.samples })))} MiB` : ''),
    );
  }
  const recordsAfter = await accessRecordCount(database.url);
  for (const target of targets) {
    target.memory?.mark('end');
    target.memory?.stop();
  }
  const loadAfter = loadavg();

  // Ratios per query and mode.
  const find = (query: QueryName, target: string) => results.find((r) => r.query === query && r.target === target);
  const ratios = queries.flatMap(({ name }) =>
    config.modes.map((mode) => {
      const prefix = mode === 'single' ? 'gateway' : 'cluster';
      const on = find(name, `${prefix}-on`)!;
      const off = find(name, `${prefix}-off`)!;
      const direct = find(name, 'direct-dtv')!;
      return {
        query: name,
        mode,
        authorizationThroughputCostPct: round((1 - on.rps / off.rps) * 100),
        onPerOff: round(on.rps / off.rps, 3),
        onPerDirect: round(on.rps / direct.rps, 3),
        offPerDirect: round(off.rps / direct.rps, 3),
        p50OnMinusOffMs: round(on.latencyMs.p50 - off.latencyMs.p50, 2),
        // CPU the gateway spends per request with authorization + access log, against without.
        gatewayCpuOnPerOff: round(on.cpuPerRequestMs.process / off.cpuPerRequestMs.process, 3),
        // All of it (gateway + subgraphs incl. the access log service): the cost a CPU-bound machine pays.
        totalCpuCostPct: round((1 - off.cpuPerRequestMs.total / on.cpuPerRequestMs.total) * 100),
      };
    }),
  );
  // The same ratios for the gateway in front of the replay servers: its own capacity.
  const replayRatios = queries.flatMap(({ name }) =>
    config.modes.flatMap((mode) => {
      const on = find(name, `replay-${mode === 'single' ? '' : 'cluster-'}on`);
      const off = find(name, `replay-${mode === 'single' ? '' : 'cluster-'}off`);
      if (!on || !off) return [];
      const real = find(name, `${mode === 'single' ? 'gateway' : 'cluster'}-on`);
      return [
        {
          query: name,
          mode,
          onRps: on.rps,
          offRps: off.rps,
          onPerOff: round(on.rps / off.rps, 3),
          authorizationThroughputCostPct: round((1 - on.rps / off.rps) * 100),
          p50OnMinusOffMs: round(on.latencyMs.p50 - off.latencyMs.p50, 2),
          gatewayCpuOnMs: on.cpuPerRequestMs.process,
          gatewayCpuOffMs: off.cpuPerRequestMs.process,
          gatewayCpuOnPerOff: round(on.cpuPerRequestMs.process / off.cpuPerRequestMs.process, 3),
          replayCpuOnMs: on.cpuPerRequestMs.replay,
          replayCpuOffMs: off.cpuPerRequestMs.replay,
          // How much more the same gateway serves when the subgraphs cost (nearly) nothing.
          replayOnPerRealOn: real ? round(on.rps / real.rps, 2) : undefined,
        },
      ];
    }),
  );
  const memory = Object.fromEntries(
    targets.filter((t) => t.memory).map((t) => [t.id, { ...t.memory!.summary(), series: t.memory!.samples.filter((_, i) => i % 4 === 0) }]),
  );

  // Stop everything (a CPU profile is written as the profiled gateway exits), then report.
  await cleanup();
  clearTimeout(deadline);

  const report = {
    runId,
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore.map((l) => round(l, 2)), loadavgAfter: loadAfter.map((l) => round(l, 2)) },
    config: { ...config, databaseUrl: undefined, clusterWorkers: workers, role: ROLE },
    seedSeconds: seedS,
    accessRecordsWritten: recordsAfter - recordsBefore,
    results,
    ratios,
    replay: replayReport ? { ...replayReport, ratios: replayRatios } : undefined,
    memory,
    soak,
    cpuProfileDir: config.cpuProfile !== 'off' ? relative(fromRoot(), profileDir) : undefined,
  };
  const file = join(outDir, `${runId}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));

  console.log('');
  console.log('query       target                req/s   p50 ms   p95 ms   p99 ms   CPU ms/request (process + subgraphs, or gateway + replay servers)');
  for (const r of results) {
    console.log(
      `${r.query.padEnd(11)} ${r.target.padEnd(18)} ${String(r.rps).padStart(8)} ${String(r.latencyMs.p50).padStart(8)} ${String(r.latencyMs.p95).padStart(8)} ${String(r.latencyMs.p99).padStart(8)}   ${r.cpuPerRequestMs.process} + ${r.cpuPerRequestMs.replay ?? r.cpuPerRequestMs.subgraphs}`,
    );
  }
  console.log('\nCPU ms per request behind the gateway, per subgraph (and the PostgreSQL server, not in the totals above):');
  for (const r of results.filter((x) => x.target.startsWith('gateway-') || x.target.startsWith('cluster-'))) {
    const each = Object.entries(r.cpuPerRequestMs.bySubgraph).map(([n, ms]) => `${n} ${ms}`).join(', ');
    console.log(`${r.query.padEnd(11)} ${r.target.padEnd(18)} ${each}; PostgreSQL ${r.cpuPerRequestMs.postgres}`);
  }
  console.log('');
  for (const r of ratios) {
    console.log(
      `${r.query.padEnd(11)} ${r.mode.padEnd(8)} authorization + access log cost ${r.authorizationThroughputCostPct}% of throughput (on/off ${r.onPerOff}); on/direct ${r.onPerDirect}, off/direct ${r.offPerDirect}; p50 +${r.p50OnMinusOffMs} ms; CPU per request: gateway on/off ${r.gatewayCpuOnPerOff}, all processes +${r.totalCpuCostPct}%`,
    );
  }
  if (replayRatios.length > 0) {
    console.log('');
    console.log(`gateway capacity, subgraphs replayed (${replayReport!.note}):`);
    for (const r of replayRatios) {
      console.log(
        `${r.query.padEnd(11)} ${r.mode.padEnd(8)} on ${r.onRps} req/s, off ${r.offRps} req/s: on/off ${r.onPerOff} (authorization + access log cost ${r.authorizationThroughputCostPct}% of throughput); p50 +${r.p50OnMinusOffMs} ms; ` +
          `gateway CPU per request on ${r.gatewayCpuOnMs} ms, off ${r.gatewayCpuOffMs} ms (on/off ${r.gatewayCpuOnPerOff}); replay servers ${r.replayCpuOnMs} / ${r.replayCpuOffMs} ms` +
          (r.replayOnPerRealOn !== undefined ? `; on with replayed / with real subgraphs ${r.replayOnPerRealOn}x` : ''),
      );
    }
  }
  console.log('');
  for (const [id, m] of Object.entries(memory)) {
    console.log(`memory ${id.padEnd(11)} RSS after warm-up ${m.afterWarmupMiB} MiB, at the end ${m.endMiB} MiB (growth ${m.growthMiB} MiB), peak RSS ${m.peakRssMiB} MiB, VmHWM ${m.peakHwmMiB} MiB`);
  }
  if (soak) {
    const options = config.gatewayNodeOptions ? `NODE_OPTIONS ${config.gatewayNodeOptions}` : 'default V8 heap settings';
    console.log(
      `memory under ${config.soakS} s of sustained load (${soak.target}, ${options}): RSS min-max per third ${describeThirds(soak.thirds.map((t) => ({ min: t.minMiB, max: t.maxMiB, samples: 0 })))} MiB; floor growth first to last third ${soak.floorGrowthMiB} MiB`,
    );
    if (soak.heap) {
      const h = soak.heap;
      console.log(
        `  V8 heap used (GET /metrics every ${h.intervalMs} ms: ${h.metricsRequests} requests added to the soak's ${soak.requests}${h.metricsFailures > 0 ? `, ${h.metricsFailures} failed` : ''}): ` +
          `min-max per third ${h.thirds.map((t) => (t.minMiB === null ? 'no samples' : `${t.minMiB}-${t.maxMiB}`)).join(', ')} MiB, ` +
          `old generation min per third ${h.thirds.map((t) => t.oldSpaceMinMiB ?? '-').join(', ')} MiB, major GCs seen per third ${h.thirds.map((t) => t.majorGcs).join(', ')}; ` +
          `floor (post-GC trough) growth first to last third: heap used ${h.floorGrowthMiB} MiB, old generation ${h.oldSpaceFloorGrowthMiB} MiB`,
      );
      if (h.thirds.some((t) => t.majorGcs === 0)) {
        console.log('  (a third without a major GC has no post-major-GC trough: its minimum is the floor after minor GCs only; a longer BENCH_SOAK_S or a bounded heap gives every third one)');
      }
    } else if (soak.heapNotSampled) {
      console.log(`  V8 heap not sampled (${soak.heapNotSampled})`);
    }
  }
  console.log(`access records written by the gateway with authorization on: ${report.accessRecordsWritten}`);
  console.log(`load average before ${report.machine.loadavgBefore.join(' ')}, after ${report.machine.loadavgAfter.join(' ')}`);
  console.log(`\nwrote ${relative(process.cwd(), file)}${config.cpuProfile !== 'off' ? ` and CPU profile under ${relative(process.cwd(), profileDir)}` : ''}`);
  process.exit(0);
}

main().catch(async (error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  await cleanup();
  process.exit(1);
});
