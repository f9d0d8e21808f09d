/**
 * The deployment files against the code (Docker cannot run here): docker-compose.yml, the
 * Dockerfile and .dockerignore. Expectations come from the code (see compose-check.ts); the
 * second half proves that each check fails on a file broken the way it guards against.
 */
import { readFileSync } from 'node:fs';
import { fromRoot } from '../../lib/paths';
import { SUBGRAPH_NAMES, SUBGRAPH_PORTS } from '../../lib/subgraph/registry-names';
import { healthUrl } from '../../scripts/healthcheck';
import { parseDotEnv, requiredComposeVariables } from '../../scripts/deploy-env';
import { clusterShutdownLimitMs, DEFAULT_WORKER_HEAP_MB, workerCount, workerHeap } from '../../scripts/start-gateway-cluster';
import {
  checkCompose,
  checkDockerfile,
  checkDockerignore,
  codeFacts,
  interpolate,
  parseComposeDuration,
  rawEnvironment,
  readDeploymentFiles,
  sourceOfCompiled,
  testHostEnv,
  type CodeFacts,
} from './compose-check';

type Services = Record<string, Record<string, any>>;

let facts: CodeFacts;
let files: ReturnType<typeof readDeploymentFiles>;

beforeAll(() => {
  facts = codeFacts();
  files = readDeploymentFiles();
});

const services = (compose: unknown) => (compose as { services: Services }).services;
const mutate = (change: (services: Services, compose: Record<string, any>) => void) => {
  const copy = structuredClone(files.compose) as Record<string, any>;
  change(copy.services as Services, copy);
  return checkCompose(copy, files.dockerfile, facts);
};
const serviceRunning = (compose: unknown, subgraph: string) =>
  Object.entries(services(compose)).find(([, spec]) => Array.isArray(spec.command) && spec.command[1]?.includes('start-subgraph') && spec.command[2] === subgraph)![0];
const gatewayService = (compose: unknown) =>
  Object.entries(services(compose)).find(([, spec]) => Array.isArray(spec.command) && spec.command[1]?.includes('start-gateway'))![0];

describe('what the checks derive from the code', () => {
  it('finds the variables each service reads', () => {
    for (const name of ['GATEWAY_SIGNING_SECRET', 'TOKEN_PUBLIC_KEY_FILE', 'PORT', 'HOST', 'POLICY_FILE', 'NODE_ENV', 'LOG_LEVEL']) {
      expect(facts.gatewayReads).toContain(name);
    }
    for (const subgraph of SUBGRAPH_NAMES) {
      expect(facts.gatewayReads).toContain(`${subgraph.toUpperCase()}_URL`);
      expect(facts.subgraphReads[subgraph]).toContain(`${subgraph.toUpperCase()}_PORT`);
      expect(facts.subgraphReads[subgraph]).toContain(`${subgraph.toUpperCase()}_DATABASE_URL`);
      expect(facts.subgraphReads[subgraph]).toContain('SEED_DEMO');
      // Per service, not per file: the subgraph runner imports gateway/config.ts for
      // readSigningSecret only, so the gateway's settings are not a subgraph's.
      for (const name of ['PORT', 'TOKEN_PUBLIC_KEY_FILE', `${subgraph.toUpperCase()}_URL`]) expect(facts.subgraphReads[subgraph]).not.toContain(name);
      for (const other of SUBGRAPH_NAMES.filter((name) => name !== subgraph)) expect(facts.subgraphReads[subgraph]).not.toContain(`${other.toUpperCase()}_PORT`);
    }
    expect(facts.gatewayReads).not.toContain('DATABASE_URL');
    // The production gateway is the cluster: its primary's settings and, through the workers, the gateway's.
    expect(facts.gatewayEntry).toBe('scripts/start-gateway-cluster.ts');
    for (const name of ['WEB_CONCURRENCY', 'GATEWAY_WORKER_HEAP_MB', 'SHUTDOWN_GRACE_MS', 'QUERY_PLAN_CACHE_MB']) expect(facts.gatewayReads).toContain(name);
    for (const subgraph of SUBGRAPH_NAMES) {
      for (const name of ['WEB_CONCURRENCY', 'GATEWAY_WORKER_HEAP_MB']) expect(facts.subgraphReads[subgraph]).not.toContain(name);
    }
    // Keys stay with the service that needs them: the gateway never reads the access log key.
    if ((SUBGRAPH_NAMES as string[]).includes('audit')) {
      expect(facts.subgraphReads['audit' as keyof typeof facts.subgraphReads]).toContain('ACCESS_LOG_KEY');
      expect(facts.gatewayReads).not.toContain('ACCESS_LOG_KEY');
      expect(facts.gatewayReads).not.toContain('AUDIT_DATABASE_URL');
    }
  });

  it('finds the files the services read from the repository', () => {
    expect(facts.runtimePaths).toEqual(expect.arrayContaining(['package.json', 'schema', 'subgraphs/*/schema.graphql']));
    expect(facts.runtimePaths.some((path) => /^subgraphs\/(\*|\w+)\/migrations$/.test(path))).toBe(true);
  });

  it('resolves health check URLs the way the health check script does', () => {
    expect(healthUrl(undefined, {})).toBe('http://127.0.0.1:4000/health');
    expect(healthUrl(undefined, { PORT: '4100' })).toBe('http://127.0.0.1:4100/health');
    expect(healthUrl('dji', {})).toBe(`http://127.0.0.1:${SUBGRAPH_PORTS.dji}/health`);
    expect(healthUrl('dji', { DJI_PORT: '4102' })).toBe('http://127.0.0.1:4102/health');
    expect(healthUrl('http://127.0.0.1:4003/health', {})).toBe('http://127.0.0.1:4003/health');
    expect(() => healthUrl('nope', {})).toThrow(/unknown subgraph/);
  });

  it('reads compose durations', () => {
    expect(parseComposeDuration('30s')).toBe(30_000);
    expect(parseComposeDuration('1m30s')).toBe(90_000);
    expect(parseComposeDuration('1.5s')).toBe(1_500);
    expect(parseComposeDuration('500ms')).toBe(500);
    expect(parseComposeDuration('30')).toBeUndefined();
    expect(parseComposeDuration('soon')).toBeUndefined();
  });

  it('interpolates like compose', () => {
    expect(interpolate('a${X}b$${Y}', { X: '1' })).toBe('a1b${Y}');
    expect(interpolate('${X:-d}/${Y-d}/${Z-d}', { Y: '', Z: 'z' })).toBe('d//z');
    expect(() => interpolate('${S:?set S}', {})).toThrow(/S is missing/);
    expect(interpolate('${S:?set S}', { S: 's' })).toBe('s');
  });
});

describe('docker-compose.yml', () => {
  it('matches the code: services, ports, URLs, databases, variables, health checks, users', () => {
    expect(checkCompose(files.compose, files.dockerfile, facts)).toEqual([]);
  });

  it('runs every subgraph of lib/subgraph/registry-names.ts on its port, and the gateway', () => {
    const compose = files.compose;
    for (const subgraph of SUBGRAPH_NAMES) {
      const name = serviceRunning(compose, subgraph);
      expect(services(compose)[name].environment[`${subgraph.toUpperCase()}_PORT`]).toBe(String(SUBGRAPH_PORTS[subgraph]));
    }
    expect(gatewayService(compose)).toBeDefined();
  });

  it('runs the gateway in its production mode: one worker per CPU, each with a bounded heap, time to stop', () => {
    const spec = services(files.compose)[gatewayService(files.compose)];
    expect(sourceOfCompiled(spec.command[1])).toBe(facts.gatewayEntry);
    const raw = rawEnvironment(spec);
    expect(Object.keys(raw)).toEqual(expect.arrayContaining(['WEB_CONCURRENCY', 'GATEWAY_WORKER_HEAP_MB']));
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(raw)) env[name] = interpolate(value ?? '', testHostEnv(files.compose));
    // Defaults: workers from the CPUs the container may use, the documented heap bound.
    expect(env.WEB_CONCURRENCY).toBe('');
    expect(workerCount(env, 3, { cpus: 1.5, file: '/sys/fs/cgroup/cpu.max' }).workers).toBe(2);
    expect(workerHeap(env, []).heapMb).toBe(DEFAULT_WORKER_HEAP_MB);
    expect(parseComposeDuration(spec.stop_grace_period)).toBeGreaterThan(clusterShutdownLimitMs(10_000));
    // .env overrides both.
    const overridden = { ...testHostEnv(files.compose), WEB_CONCURRENCY: '3', GATEWAY_WORKER_HEAP_MB: '512' };
    expect(interpolate(raw.WEB_CONCURRENCY!, overridden)).toBe('3');
    expect(interpolate(raw.GATEWAY_WORKER_HEAP_MB!, overridden)).toBe('512');
  });

  it('takes every secret from .env, which `npm run deploy:env` generates', () => {
    const text = readFileSync(fromRoot('docker-compose.yml'), 'utf8');
    const required = requiredComposeVariables(text);
    expect(required).toEqual(expect.arrayContaining(['GATEWAY_SIGNING_SECRET', 'POSTGRES_PASSWORD']));
    // Every required variable is one deploy:env generates (a secret by name), so a fresh .env is complete.
    expect(required.filter((name) => !/_(SECRET|KEY|PASSWORD)$/.test(name))).toEqual([]);
    expect(parseDotEnv('# c\nA=1\n B = x y \n\nbad line\n')).toEqual(new Map([['A', '1'], ['B', 'x y']]));
  });

  it('keeps .env and the token keys out of git and out of the image', () => {
    const gitignore = readFileSync(fromRoot('.gitignore'), 'utf8').split('\n');
    expect(gitignore).toEqual(expect.arrayContaining(['.env', 'deploy/keys/*.pem']));
    const dockerignore = readFileSync(fromRoot('.dockerignore'), 'utf8').split('\n');
    expect(dockerignore).toEqual(expect.arrayContaining(['.env', '.dev', 'deploy']));
  });
});

describe('Dockerfile and .dockerignore', () => {
  it('Dockerfile: multi-stage on a Node LTS image, production dependencies, non-root, health check, runtime files', () => {
    expect(checkDockerfile(files.dockerfile, facts)).toEqual([]);
  });

  it('.dockerignore keeps in what the build needs', () => {
    expect(checkDockerignore(readFileSync(fromRoot('.dockerignore'), 'utf8'), facts)).toEqual([]);
  });
});

describe('the checks fail on broken files', () => {
  it('a subgraph on another port than the code expects', () => {
    const problems = mutate((s) => (s[serviceRunning(files.compose, 'dji')].environment.DJI_PORT = '4012'));
    expect(problems.join('\n')).toMatch(/DJI_PORT=4012, but subgraph dji's port is 4002/);
    expect(problems.join('\n')).toMatch(/health check asks http:\/\/127\.0\.0\.1:4002\/health, but the service listens on 4012/);
    expect(problems.join('\n')).toMatch(/DJI_URL=.* should be http:\/\/dji:4012\/graphql/);
  });

  it('a gateway URL at the wrong service or port, and a missing one', () => {
    const problems = mutate((s) => {
      const env = s[gatewayService(files.compose)].environment;
      env.DVO_URL = 'http://coa:4003/graphql';
      delete env.MEDICAL_URL;
    });
    expect(problems.join('\n')).toMatch(/DVO_URL=http:\/\/coa:4003\/graphql should be http:\/\/dvo:4003\/graphql/);
    expect(problems.join('\n')).toMatch(/MEDICAL_URL is not set/);
  });

  it('a missing subgraph service', () => {
    const problems = mutate((s) => delete s[serviceRunning(files.compose, 'coa')]);
    expect(problems).toEqual(expect.arrayContaining(['subgraph coa: expected one service running it, found 0']));
  });

  it('a typo in a variable name, and a variable on a service that does not read it', () => {
    const problems = mutate((s) => {
      const env = s[serviceRunning(files.compose, 'medical')].environment;
      env.STALENESS_WINDOW_DAY = '7';
      s[gatewayService(files.compose)].environment.SEED_DEMO = 'true';
    });
    expect(problems.join('\n')).toMatch(/sets STALENESS_WINDOW_DAY, which the code it runs never reads/);
    expect(problems.join('\n')).toMatch(/gateway: sets SEED_DEMO, which the code it runs never reads/);
    const port = mutate((s) => (s[serviceRunning(files.compose, 'coa')].environment.PORT = '4004'));
    expect(port.join('\n')).toMatch(/coa: sets PORT, which the code it runs never reads/);
  });

  it('telemetry left on, and a service running as root', () => {
    const problems = mutate((s) => {
      delete s[serviceRunning(files.compose, 'dtv')].environment.APOLLO_TELEMETRY_DISABLED;
      s[serviceRunning(files.compose, 'dvo')].user = 'root';
    });
    expect(problems.join('\n')).toMatch(/dtv: APOLLO_TELEMETRY_DISABLED must be "1"/);
    expect(problems.join('\n')).toMatch(/dvo: runs as root/);
    expect(checkCompose(files.compose, files.dockerfile.replace(/^USER .*$/m, ''), facts).length).toBe(0);
    expect(checkDockerfile(files.dockerfile.replace(/^USER .*$/m, ''), facts)).toEqual(['Dockerfile: the final stage runs as root (no non-root USER)']);
  });

  it('services without their user fall back to the Dockerfile USER', () => {
    const withoutUser = structuredClone(files.compose) as Record<string, any>;
    for (const spec of Object.values(withoutUser.services as Services)) if (spec.build) delete spec.user;
    expect(checkCompose(withoutUser, files.dockerfile, facts)).toEqual([]);
    expect(checkCompose(withoutUser, files.dockerfile.replace(/^USER .*$/m, 'USER root'), facts).join('\n')).toMatch(/gateway: runs as root/);
  });

  it('a required setting missing, or a secret written into the file', () => {
    const problems = mutate((s) => {
      delete s[gatewayService(files.compose)].environment.TOKEN_PUBLIC_KEY_FILE;
      s[serviceRunning(files.compose, 'dtv')].environment.GATEWAY_SIGNING_SECRET = 'short';
      if (s.audit) delete s.audit.environment.ACCESS_LOG_KEY;
    });
    const text = problems.join('\n');
    expect(text).toMatch(/gateway: would not start: set TOKEN_PUBLIC_KEY_FILE/);
    expect(text).toMatch(/dtv: would not start: GATEWAY_SIGNING_SECRET must be at least 32 characters/);
    expect(text).toMatch(/dtv: GATEWAY_SIGNING_SECRET must be \$\{GATEWAY_SIGNING_SECRET:\?…\}/);
    if ((SUBGRAPH_NAMES as string[]).includes('audit')) expect(text).toMatch(/audit: would not start: ACCESS_LOG_KEY is required/);
  });

  it('a database the init script does not create, a shared one, the wrong password', () => {
    const problems = mutate((s) => {
      s[serviceRunning(files.compose, 'coa')].environment.COA_DATABASE_URL = 'postgres://coa:${COA_DB_PASSWORD:?x}@postgres:5432/coa_db';
      s[serviceRunning(files.compose, 'dji')].environment.DJI_DATABASE_URL = 'postgres://dtv:${DTV_DB_PASSWORD:?x}@postgres:5432/dtv';
      s[serviceRunning(files.compose, 'medical')].environment.MEDICAL_DATABASE_URL = 'postgres://medical:${DVO_DB_PASSWORD:?x}@postgres:5432/medical';
    });
    const text = problems.join('\n');
    expect(text).toMatch(/coa: database "coa_db" is not created by the init script/);
    expect(text).toMatch(/dji: connects as dtv, not as dji|shares database dtv/);
    expect(text).toMatch(/medical: the database password is not MEDICAL_DB_PASSWORD/);
  });

  it('health checks and start order', () => {
    const problems = mutate((s) => {
      delete s[serviceRunning(files.compose, 'dtv')].healthcheck;
      s[serviceRunning(files.compose, 'dvo')].healthcheck.test = ['CMD', 'node', 'dist/scripts/healthcheck.js', 'http://127.0.0.1:4003/healthz'];
      s[gatewayService(files.compose)].depends_on.coa = { condition: 'service_started' };
      s.postgres.healthcheck.test = ['CMD', 'pg_isready'];
    });
    const text = problems.join('\n');
    expect(text).toMatch(/dtv: no health check/);
    expect(text).toMatch(/dvo: health check asks \/healthz, a path the server does not serve/);
    expect(text).toMatch(/must depend on coa with condition service_healthy/);
    expect(text).toMatch(/postgres: health check must be pg_isready over TCP/);
  });

  it('the gateway on the database network', () => {
    const problems = mutate((s) => s[gatewayService(files.compose)].networks.push('store'));
    expect(problems.join('\n')).toMatch(/shares a network with postgres/);
  });

  it('the gateway as a single process, without a heap bound, or with a bad worker setting', () => {
    const single = mutate((s) => (s[gatewayService(files.compose)].command = ['node', 'dist/scripts/start-gateway.js']));
    expect(single.join('\n')).toMatch(/gateway: runs the gateway as a single process .*; production runs one worker per core \(scripts\/start-gateway-cluster\.ts\)/);
    const unbounded = mutate((s) => (s[gatewayService(files.compose)].environment.GATEWAY_WORKER_HEAP_MB = '0'));
    expect(unbounded.join('\n')).toMatch(/gateway: the gateway workers run without a heap bound/);
    const bad = mutate((s) => {
      s[gatewayService(files.compose)].environment.GATEWAY_WORKER_HEAP_MB = '32';
    });
    expect(bad.join('\n')).toMatch(/gateway: would not start: GATEWAY_WORKER_HEAP_MB must be 0 \(no bound: V8's default\) or at least 64/);
    const workers = mutate((s) => (s[gatewayService(files.compose)].environment.WEB_CONCURRENCY = 'all'));
    expect(workers.join('\n')).toMatch(/gateway: would not start: WEB_CONCURRENCY must be an integer/);
    const onSubgraph = mutate((s) => (s[serviceRunning(files.compose, 'dji')].environment.WEB_CONCURRENCY = '2'));
    expect(onSubgraph.join('\n')).toMatch(/dji: sets WEB_CONCURRENCY, which the code it runs never reads/);
    const dockerfile = checkDockerfile(files.dockerfile.replace(/^CMD .*$/m, 'CMD ["node", "dist/scripts/start-gateway.js"]'), facts);
    expect(dockerfile.join('\n')).toMatch(/the default CMD must start the compiled production gateway, one worker per core \(scripts\/start-gateway-cluster\.ts\)/);
  });

  it('a stop grace period shorter than the shutdown the service needs', () => {
    const short = mutate((s) => (s[gatewayService(files.compose)].stop_grace_period = '15s'));
    expect(short.join('\n')).toMatch(/gateway: stop_grace_period is 15000 ms, but the service may take 17000 ms to stop/);
    const longerGrace = mutate((s) => (s[gatewayService(files.compose)].environment.SHUTDOWN_GRACE_MS = '30000'));
    expect(longerGrace.join('\n')).toMatch(/gateway: stop_grace_period is 30000 ms, but the service may take 37000 ms to stop/);
    const subgraph = mutate((s) => (s[serviceRunning(files.compose, 'coa')].stop_grace_period = '12s'));
    expect(subgraph.join('\n')).toMatch(/coa: stop_grace_period is 12000 ms, but the service may take 15000 ms to stop/);
    const unset = mutate((s) => delete s[serviceRunning(files.compose, 'dtv')].stop_grace_period);
    expect(unset.join('\n')).toMatch(/dtv: stop_grace_period is 10000 ms/);
    expect(mutate((s) => (s[gatewayService(files.compose)].stop_grace_period = 'long')).join('\n')).toMatch(/stop_grace_period "long" is not a duration/);
  });

  it('a Dockerfile without production-only dependencies, health check or runtime files', () => {
    const broken = files.dockerfile
      .replace('--omit=dev ', '')
      .replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, '')
      .replace(' subgraphs/*/migrations', '');
    const text = checkDockerfile(broken, facts).join('\n');
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).toMatch(/no HEALTHCHECK/);
    expect(text).toMatch(/do not include subgraphs\/dtv\/migrations/);
    expect(checkDockerfile(files.dockerfile.replace(/node:24-bookworm-slim/, 'node:23-bookworm-slim'), facts).join('\n')).toMatch(/not a current Node LTS line/);
    expect(checkDockerignore('schema\n', facts).join('\n')).toMatch(/leaves schema out/);
    expect(checkDockerignore('**/migrations\n', facts).join('\n')).toMatch(/"\*\*\/migrations" leaves subgraphs\/dtv\/migrations out/);
    expect(checkDockerignore('**/node_modules\n*.md\n', facts)).toEqual([]);
  });
});
