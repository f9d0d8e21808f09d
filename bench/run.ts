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
 * 20), with a single gateway process and with the cluster mode (one worker per core).
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
import { MemorySampler } from './memory';
import { cpuMs, freePort, startService, stopService, treeCpuMs, waitHealthy, type Service } from './processes';
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
  variablesFor,
  type QueryName,
} from './scenarios';

interface Target {
  id: string;
  label: string;
  kind: 'gateway' | 'direct';
  mode?: 'single' | 'cluster';
  authorization?: boolean;
  service: Service;
  memory?: MemorySampler;
}

interface ScenarioResult extends LoadResult {
  query: QueryName;
  target: string;
  label: string;
  /** CPU ms per completed request: the gateway (or the subgraph driven directly), the six subgraphs, and both. */
  cpuPerRequestMs: { process: number; subgraphs: number; total: number };
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
      `modes ${config.modes.join('+')}${config.modes.includes('cluster') ? ` (${workers} workers)` : ''}; ${cpus().length} CPUs, load ${loadBefore.map((l) => l.toFixed(2)).join(' ')}`,
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
  await Promise.all(Object.values(subgraphServices).map((s) => waitHealthy(s)));

  // Gateways: with and without authorization, single process and cluster.
  const targets: Target[] = [];
  for (const mode of config.modes) {
    for (const authorization of [true, false]) {
      const port = await freePort();
      const id = `${mode === 'single' ? 'gateway' : 'cluster'}-${authorization ? 'on' : 'off'}`;
      const profile = config.cpuProfile !== 'off' && mode === 'single' && authorization;
      const service = startService({
        name: id,
        entry: mode === 'single' ? 'scripts/start-gateway.ts' : 'scripts/start-gateway-cluster.ts',
        port,
        logFile: join(logDir, `${id}.log`),
        execArgv: profile ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, 'gateway')] : [],
        env: {
          ...common,
          ...subgraphUrls,
          // The same NODE_ENV for both, so that only the switch differs between (a) and (b).
          NODE_ENV: 'benchmark',
          PORT: String(port),
          TOKEN_PUBLIC_KEY_FILE: keys.publicKeyFile,
          ...(authorization ? {} : { BENCHMARK_UNSAFE_DISABLE_AUTHORIZATION: '1' }),
          ...(mode === 'cluster' ? { WEB_CONCURRENCY: String(workers) } : {}),
          // V8 flags to try on the gateways only (e.g. --max-semi-space-size=32).
          ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}),
        },
      });
      services.push(service);
      const label = `gateway${mode === 'cluster' ? ` x${workers}` : ''}, authorization + access log ${authorization ? 'ON' : 'OFF'}`;
      targets.push({ id, label, kind: 'gateway', mode, authorization, service });
    }
  }
  await Promise.all(targets.map((t) => waitHealthy(t.service)));
  for (const target of targets) target.memory = new MemorySampler(target.service.child.pid!, target.mode === 'cluster').start();
  targets.push({ id: 'direct-dtv', label: 'straight to the dtv subgraph (signed), the floor', kind: 'direct', service: subgraphServices.dtv! });

  const recordsBefore = await accessRecordCount(database.url);
  const results: ScenarioResult[] = [];
  const queries: Array<{ name: QueryName; gateway: string; direct: string }> = [
    { name: 'person', gateway: PERSON_QUERY, direct: DTV_PERSON_QUERY },
    { name: 'departures', gateway: DEPARTURES_QUERY, direct: DTV_DEPARTURES_QUERY },
  ].filter((q) => config.queries.includes(q.name as QueryName)) as Array<{ name: QueryName; gateway: string; direct: string }>;
  const scenarios = queries.flatMap((query) =>
    targets.map((target) => {
      const variables = variablesFor(world, query.name);
      return {
        query: query.name,
        target,
        url: `${target.service.base}/graphql`,
        next: target.kind === 'gateway' ? gatewayRequests(token, query.gateway, variables) : signedRequests(signingSecret, query.direct, variables),
        check: target.kind === 'gateway' ? checkGateway(query.name) : checkDirect(query.name),
      };
    }),
  );
  // Phase 1: every scenario once and warmed up (plans, JIT, connection pools, caches), so
  // that memory "after warm-up" is taken when every query has been through every gateway.
  for (const { query, target, url, next, check } of scenarios) {
    // One request first: a scenario that fails outright stops the run instead of measuring errors fast.
    const probe = next();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...probe.headers }, body: probe.body });
    const text = await response.text();
    if (response.status !== 200 || !check(text)) throw new Error(`${query} via ${target.id}: unexpected answer ${response.status} ${text.slice(0, 300)}`);
    if (config.warmupS > 0) await runLoad({ url, connections: config.connections, durationS: config.warmupS, next, check });
  }
  for (const target of targets) target.memory?.mark('after-warmup');
  // Phase 2: measured, in rounds; within a round one scenario at a time, all taking turns.
  const roundS = Math.max(1, Math.round(config.durationS / config.rounds));
  const runs = scenarios.map(() => [] as LoadResult[]);
  // CPU time used per request: by the process(es) measured, and by the six subgraphs behind
  // them. Unlike req/s it hardly depends on what else the machine is doing.
  const cpu = scenarios.map(() => ({ target: 0, subgraphs: 0 }));
  const subgraphPids = Object.values(subgraphServices).map((s) => s.child.pid!);
  const subgraphCpu = () => subgraphPids.reduce((sum, pid) => sum + cpuMs(pid), 0);
  for (let round = 0; round < config.rounds; round++) {
    for (const [k, { url, next, check, target }] of scenarios.entries()) {
      const pid = target.service.child.pid!;
      const cluster = target.mode === 'cluster';
      const before = { target: treeCpuMs(pid, cluster), subgraphs: subgraphCpu() };
      runs[k]!.push(await runLoad({ url, connections: config.connections, durationS: roundS, next, check }));
      cpu[k]!.target += treeCpuMs(pid, cluster) - before.target;
      cpu[k]!.subgraphs += subgraphCpu() - before.subgraphs;
    }
  }
  for (const [k, { query, target }] of scenarios.entries()) {
    const result = mergeRuns(runs[k]!);
    const requests = Math.max(1, result.requests);
    const cpuPerRequestMs = {
      // For direct-dtv the target is the dtv subgraph itself, also counted in `subgraphs`.
      process: round(cpu[k]!.target / requests, 2),
      subgraphs: round(cpu[k]!.subgraphs / requests, 2),
      total: round((target.kind === 'gateway' ? cpu[k]!.target + cpu[k]!.subgraphs : cpu[k]!.subgraphs) / requests, 2),
    };
    results.push({ query, target: target.id, label: target.label, ...result, cpuPerRequestMs });
    console.log(
      `  ${query.padEnd(10)} ${target.id.padEnd(11)} ${String(result.rps).padStart(8)} req/s  p50 ${result.latencyMs.p50} ms  p95 ${result.latencyMs.p95} ms  p99 ${result.latencyMs.p99} ms  CPU/request ${cpuPerRequestMs.process} + ${cpuPerRequestMs.subgraphs} ms` +
        (result.non2xx + result.errors + result.timeouts + result.invalid > 0 ? `  (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts}, invalid ${result.invalid}/${result.checked})` : ''),
    );
  }
  // Sustained mixed load on the production configuration (single process, authorization
  // on), memory sampled: flat means no growth between the first third and the end.
  let soak: { rps: number; thirds: Array<{ minMiB: number; maxMiB: number }>; floorGrowthMiB: number } | undefined;
  const soakTarget = targets.find((t) => t.id === 'gateway-on') ?? targets.find((t) => t.id === 'cluster-on');
  if (config.soakS > 0 && soakTarget?.memory) {
    const person = gatewayRequests(token, PERSON_QUERY, variablesFor(world, 'person'));
    const departures = gatewayRequests(token, DEPARTURES_QUERY, variablesFor(world, 'departures'));
    let i = 0;
    const checkPerson = checkGateway('person');
    const checkDepartures = checkGateway('departures');
    const memory = soakTarget.memory;
    const from = memory.sample().t;
    const result = await runLoad({
      url: `${soakTarget.service.base}/graphql`,
      connections: config.connections,
      durationS: config.soakS,
      next: () => (i++ % 4 === 3 ? departures() : person()),
      check: (body) => checkPerson(body) || checkDepartures(body),
    });
    const to = memory.sample().t;
    // RSS under load is a saw-tooth (the heap grows until a major collection gives memory
    // back): flat means the floor of the last third is no higher than that of the first.
    const thirds = [0, 1, 2].map((k) => {
      const inThird = memory.samples.filter((x) => x.t >= from + ((to - from) * k) / 3 && x.t <= from + ((to - from) * (k + 1)) / 3).map((x) => x.rssMiB);
      return { minMiB: Math.min(...inThird), maxMiB: Math.max(...inThird) };
    });
    soak = { rps: result.rps, thirds, floorGrowthMiB: round(thirds[2]!.minMiB - thirds[0]!.minMiB) };
    console.log(
      `  soak       ${soakTarget.id.padEnd(11)} ${String(result.rps).padStart(8)} req/s for ${config.soakS} s (3 person : 1 departures); RSS min-max by third: ${thirds.map((t) => `${t.minMiB}-${t.maxMiB}`).join(', ')} MiB`,
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
    memory,
    soak,
    cpuProfileDir: config.cpuProfile !== 'off' ? relative(fromRoot(), profileDir) : undefined,
  };
  const file = join(outDir, `${runId}.json`);
  writeFileSync(file, JSON.stringify(report, null, 2));

  console.log('');
  console.log('query       target       req/s     p50 ms   p95 ms   p99 ms   CPU ms/request (process + subgraphs)');
  for (const r of results) {
    console.log(
      `${r.query.padEnd(11)} ${r.target.padEnd(11)} ${String(r.rps).padStart(8)} ${String(r.latencyMs.p50).padStart(8)} ${String(r.latencyMs.p95).padStart(8)} ${String(r.latencyMs.p99).padStart(8)}   ${r.cpuPerRequestMs.process} + ${r.cpuPerRequestMs.subgraphs}`,
    );
  }
  console.log('');
  for (const r of ratios) {
    console.log(
      `${r.query.padEnd(11)} ${r.mode.padEnd(8)} authorization + access log cost ${r.authorizationThroughputCostPct}% of throughput (on/off ${r.onPerOff}); on/direct ${r.onPerDirect}, off/direct ${r.offPerDirect}; p50 +${r.p50OnMinusOffMs} ms; CPU per request: gateway on/off ${r.gatewayCpuOnPerOff}, all processes +${r.totalCpuCostPct}%`,
    );
  }
  console.log('');
  for (const [id, m] of Object.entries(memory)) {
    console.log(`memory ${id.padEnd(11)} RSS after warm-up ${m.afterWarmupMiB} MiB, at the end ${m.endMiB} MiB (growth ${m.growthMiB} MiB), peak RSS ${m.peakRssMiB} MiB, VmHWM ${m.peakHwmMiB} MiB`);
  }
  if (soak) {
    console.log(
      `memory under ${config.soakS} s of sustained load (${soakTarget!.id}): RSS min-max per third ${soak.thirds.map((t) => `${t.minMiB}-${t.maxMiB}`).join(', ')} MiB; floor growth first to last third ${soak.floorGrowthMiB} MiB`,
    );
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
