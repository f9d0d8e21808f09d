/**
 * Checks docker-compose.yml and the Dockerfile against what the code expects. Docker cannot
 * run where the tests run, so every expectation is derived from the code instead: the
 * subgraphs and ports from lib/subgraph/registry-names.ts, the variables each service reads
 * from the sources its entry script imports, required settings by calling the code's own
 * configuration readers, the runtime files from the code's fromRoot() calls.
 *
 * Each check returns a list of problems (empty when all is well), so that the suite can
 * also prove the checks fail on a broken file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, posix, relative, resolve } from 'node:path';
import { readGatewayConfig, readSigningSecret } from '../../gateway/config';
import { databaseUrlFor } from '../../lib/db/open';
import { envInt } from '../../lib/config';
import { readShutdownGraceMs } from '../../lib/http/graceful-shutdown';
import type { Store } from '../../lib/db/store';
import { fromRoot, repoRoot } from '../../lib/paths';
import { SUBGRAPH_NAMES, SUBGRAPH_PORTS, type SubgraphName } from '../../lib/subgraph/registry-names';
import { loadSubgraphDefinition } from '../../subgraphs';
import { healthUrl } from '../../scripts/healthcheck';
import { requiredComposeVariables } from '../../scripts/deploy-env';
import { clusterShutdownLimitMs, workerCount, workerHeap } from '../../scripts/start-gateway-cluster';
import { envReads, type EnvReads } from './env-reads';

type Env = Record<string, string | undefined>;
type Json = unknown;

/** Variables not read by this code but by a dependency, set on purpose. */
export const DEPENDENCY_VARIABLES: Record<string, string> = {
  // @apollo/gateway sends usage telemetry unless this is "1" or "true"; set on every Node
  // service so that no Apollo library in any service ever phones home.
  APOLLO_TELEMETRY_DISABLED: '@apollo/gateway',
};

/** Variables the official postgres image reads itself (https://hub.docker.com/_/postgres). */
const POSTGRES_IMAGE_VARIABLES = new Set([
  'POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'POSTGRES_INITDB_ARGS', 'POSTGRES_INITDB_WALDIR',
  'POSTGRES_HOST_AUTH_METHOD', 'PGDATA', 'POSTGRES_PASSWORD_FILE', 'POSTGRES_USER_FILE', 'POSTGRES_DB_FILE',
]);

/** Names of secrets: these must never have a value in the compose file itself. */
const SECRET_NAME = /(_SECRET|_KEY|_PASSWORD)$/;

// ---------------------------------------------------------------------------------------
// Reading the code

/**
 * The repository paths `files` read through fromRoot(), as patterns: a literal argument
 * is a path segment, anything else (a subgraph's name) is `*`. Spreads are skipped.
 */
export function rootPathsRead(files: string[]): string[] {
  const patterns = new Set<string>();
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/\bfromRoot\(([^()]*)\)/g)) {
      const args = match[1].split(',').map((arg) => arg.trim()).filter(Boolean);
      if (args.length === 0 || args.some((arg) => arg.startsWith('...')) || !/^'[^']*'$/.test(args[0])) continue;
      patterns.add(args.map((arg) => (/^'[^']*'$/.test(arg) ? arg.slice(1, -1) : '*')).join('/'));
    }
  }
  return [...patterns].sort();
}

/** The files lib/paths.ts repoRoot() recognises the repository root by. */
export function rootMarkers(): string[] {
  const source = readFileSync(fromRoot('lib', 'paths.ts'), 'utf8');
  return [...source.matchAll(/existsSync\(join\(dir, '([^']+)'\)\)/g)].map((match) => match[1]);
}

/** tsconfig.build.json: where `npm run build` puts the compiled files, and which folders it compiles. */
export function buildLayout(): { outDir: string; rootDir: string; include: string[] } {
  const build = JSON.parse(readFileSync(fromRoot('tsconfig.build.json'), 'utf8')) as { extends?: string; include?: string[]; compilerOptions?: Record<string, string> };
  const base = build.extends ? (JSON.parse(readFileSync(fromRoot(build.extends), 'utf8')) as typeof build) : {};
  const options = { ...base.compilerOptions, ...build.compilerOptions };
  return { outDir: posix.normalize(options.outDir ?? '.'), rootDir: posix.normalize(options.rootDir ?? '.'), include: build.include ?? base.include ?? [] };
}

/** The source file a compiled path (`dist/scripts/start-gateway.js`) comes from, when the build compiles it. */
export function sourceOfCompiled(compiledPath: string): string | undefined {
  const { outDir, rootDir, include } = buildLayout();
  const normalized = posix.normalize(compiledPath);
  if (!normalized.startsWith(`${outDir}/`) || !normalized.endsWith('.js')) return undefined;
  const source = posix.join(rootDir, normalized.slice(outDir.length + 1).replace(/\.js$/, '.ts'));
  if (!include.some((folder) => source === folder || source.startsWith(`${posix.normalize(folder)}/`))) return undefined;
  return existsSync(fromRoot(source)) ? source : undefined;
}

/** What each kind of service runs and reads, derived from its entry scripts. */
export interface CodeFacts {
  /** The production gateway: the cluster primary, whose workers run gatewaySingleEntry. */
  gatewayEntry: string;
  /** The gateway as a single process (development, and each cluster worker). */
  gatewaySingleEntry: string;
  subgraphEntry: string;
  healthcheckEntry: string;
  gatewayReads: Set<string>;
  subgraphReads: Record<SubgraphName, Set<string>>;
  /** Repository paths the services read at run time (fromRoot patterns plus the root markers). */
  runtimePaths: string[];
  /** The source files each kind of service loads. */
  gatewayFiles: Set<string>;
  subgraphFiles: Set<string>;
}

export function codeFacts(): CodeFacts {
  const gatewayEntry = 'scripts/start-gateway-cluster.ts';
  const gatewaySingleEntry = 'scripts/start-gateway.ts';
  const subgraphEntry = 'scripts/start-subgraph.ts';
  const healthcheckEntry = 'scripts/healthcheck.ts';
  const dependencyVariables = Object.keys(DEPENDENCY_VARIABLES);
  const expand = (reads: EnvReads, prefixes: readonly string[]) =>
    new Set([...reads.names, ...[...reads.templateSuffixes].flatMap((suffix) => prefixes.map((prefix) => `${prefix.toUpperCase()}${suffix}`)), ...dependencyVariables]);
  // The cluster entry requires the single-process gateway in its workers: its reads are the
  // primary's (WEB_CONCURRENCY, GATEWAY_WORKER_HEAP_MB, ...) and the gateway's.
  const gateway = envReads([gatewayEntry]);
  const files = new Set([...gateway.files, ...envReads([healthcheckEntry]).files]);
  const subgraphFiles = new Set<string>();
  const subgraphReads = {} as Record<SubgraphName, Set<string>>;
  for (const name of SUBGRAPH_NAMES) {
    // subgraphs/index.ts loads the definition with a computed require: start from it too.
    // A subgraph process runs one subgraph, whose name is the prefix of its own settings.
    const reads = envReads([subgraphEntry, `subgraphs/${name}/index.ts`]);
    reads.files.forEach((file) => {
      files.add(file);
      subgraphFiles.add(file);
    });
    subgraphReads[name] = expand(reads, [name]);
  }
  // `.dev/` holds development keys that `npm start` and `npm run token` create; never in an image.
  const runtimePaths = [...new Set([...rootPathsRead([...files]), ...rootMarkers()])].filter((path) => !path.startsWith('.dev')).sort();
  return {
    gatewayEntry,
    gatewaySingleEntry,
    subgraphEntry,
    healthcheckEntry,
    // The gateway reads a setting per subgraph (`${NAME}_URL`): every subgraph's name is a prefix.
    gatewayReads: expand(gateway, SUBGRAPH_NAMES),
    subgraphReads,
    runtimePaths,
    gatewayFiles: gateway.files,
    subgraphFiles,
  };
}

/** Concrete repository paths for a runtime path pattern (`*` is each subgraph's name). */
export function expandRuntimePath(pattern: string): string[] {
  return pattern.includes('*') ? SUBGRAPH_NAMES.map((name) => pattern.split('*').join(name)) : [pattern];
}

// ---------------------------------------------------------------------------------------
// Reading compose

/** Compose variable interpolation: $$, $NAME, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?err}, ${NAME?err}, ${NAME:+alt}. */
export function interpolate(value: string, vars: Env): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole: string, braced: string | undefined, op: string | undefined, arg: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const name = (braced ?? bare)!;
      const current = vars[name];
      const set = current !== undefined;
      const nonEmpty = set && current !== '';
      switch (op) {
        case ':-': return nonEmpty ? current! : (arg ?? '');
        case '-': return set ? current! : (arg ?? '');
        case ':?':
        case '?':
          if (op === ':?' ? !nonEmpty : !set) throw new Error(`required variable ${name} is missing: ${arg ?? ''}`);
          return current!;
        case ':+': return nonEmpty ? (arg ?? '') : '';
        case '+': return set ? (arg ?? '') : '';
        default: return current ?? '';
      }
    },
  );
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(value: Json): string | undefined {
  return value === null || value === undefined ? undefined : typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Every string in the document. */
function strings(value: Json, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((item) => strings(item, out));
  else if (isRecord(value)) Object.values(value).forEach((item) => strings(item, out));
  return out;
}

/** A stand-in for .env: a distinct, long, URL-safe value for every variable the file requires. */
export function testHostEnv(compose: Json): Env {
  const env: Env = {};
  for (const name of requiredComposeVariables(strings(compose).join('\n'))) {
    env[name] = createHash('sha256').update(`compose-test:${name}`).digest('hex');
  }
  return env;
}

/** A service's `environment` (map or list form), raw (before interpolation). */
export function rawEnvironment(service: Record<string, Json>): Record<string, string | undefined> {
  const environment = service.environment;
  const raw: Record<string, string | undefined> = {};
  if (Array.isArray(environment)) {
    for (const item of environment) {
      const text = String(item);
      const at = text.indexOf('=');
      if (at < 0) raw[text] = undefined;
      else raw[text.slice(0, at)] = text.slice(at + 1);
    }
  } else if (isRecord(environment)) {
    for (const [name, value] of Object.entries(environment)) raw[name] = scalar(value);
  }
  return raw;
}

function command(service: Record<string, Json>): string[] {
  const value = service.command;
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.trim().split(/\s+/);
  return [];
}

function dependsOn(service: Record<string, Json>): Record<string, string | undefined> {
  const value = service.depends_on;
  const result: Record<string, string | undefined> = {};
  if (Array.isArray(value)) value.forEach((name) => (result[String(name)] = undefined));
  else if (isRecord(value)) for (const [name, spec] of Object.entries(value)) result[name] = isRecord(spec) ? scalar(spec.condition) : undefined;
  return result;
}

function networksOf(service: Record<string, Json>): Set<string> {
  const value = service.networks;
  if (Array.isArray(value)) return new Set(value.map(String));
  if (isRecord(value)) return new Set(Object.keys(value));
  return new Set(['default']);
}

/** Short or long volume syntax: source (host path or volume name) and target. */
function volumes(service: Record<string, Json>): Array<{ source: string; target: string }> {
  const value = service.volumes;
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    if (typeof item === 'string') {
      const [source, target] = item.split(':');
      return target ? [{ source, target }] : [];
    }
    if (isRecord(item) && typeof item.target === 'string') return [{ source: String(item.source ?? ''), target: item.target }];
    return [];
  });
}

/** Where a path inside a service's container comes from: a bind mount (host path), a secret, or the image. */
function providerOf(compose: Record<string, Json>, service: Record<string, Json>, path: string): { kind: 'host'; path: string } | { kind: 'secret'; file?: string } | { kind: 'image' } {
  for (const volume of volumes(service)) {
    const target = posix.normalize(volume.target);
    if ((path === target || path.startsWith(`${target}/`)) && /^[.~/]/.test(volume.source)) {
      return { kind: 'host', path: resolve(repoRoot(), volume.source, path.slice(target.length).replace(/^\//, '')) };
    }
  }
  const secrets = Array.isArray(service.secrets) ? service.secrets : [];
  for (const secret of secrets) {
    const name = isRecord(secret) ? String(secret.source) : String(secret);
    const target = isRecord(secret) && typeof secret.target === 'string' ? secret.target : name;
    const mounted = target.startsWith('/') ? target : `/run/secrets/${target}`;
    if (mounted === path) {
      const defined = isRecord(compose.secrets) ? compose.secrets[name] : undefined;
      return { kind: 'secret', file: isRecord(defined) && typeof defined.file === 'string' ? defined.file : undefined };
    }
  }
  return { kind: 'image' };
}

// ---------------------------------------------------------------------------------------
// Reading the Dockerfile

export interface DockerStage {
  name?: string;
  image: string;
  instructions: Array<{ keyword: string; args: string }>;
}

/** The Dockerfile's stages, ARG defaults before the first FROM substituted into FROM lines. */
export function parseDockerfile(text: string): { stages: DockerStage[]; globalArgs: Record<string, string> } {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
  const globalArgs: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const match = /^(\w+)\s+(.*)$/.exec(line);
    if (!match) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].replace(/\s+/g, ' ').trim();
    if (keyword === 'FROM') {
      const [image, as, name] = args.replace(/--platform=\S+\s*/, '').split(' ');
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_all: string, arg: string) => globalArgs[arg] ?? '');
      stages.push({ image: resolved, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length === 0) {
      if (keyword === 'ARG') {
        const [name, value] = args.split('=');
        if (value !== undefined) globalArgs[name] = value;
      }
    } else {
      stages[stages.length - 1].instructions.push({ keyword, args });
    }
  }
  return { stages, globalArgs };
}

/** ENV of a stage (KEY=VALUE pairs and the legacy `ENV KEY VALUE`). */
function stageEnv(stage: DockerStage): Record<string, string> {
  const env: Record<string, string> = {};
  for (const { keyword, args } of stage.instructions) {
    if (keyword !== 'ENV') continue;
    if (!args.includes('=')) {
      const [name, ...rest] = args.split(' ');
      env[name] = rest.join(' ');
      continue;
    }
    for (const pair of args.match(/[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|\S+)/g) ?? []) {
      const at = pair.indexOf('=');
      env[pair.slice(0, at)] = pair.slice(at + 1).replace(/^["']|["']$/g, '');
    }
  }
  return env;
}

/** The exec-form JSON array of CMD/HEALTHCHECK CMD, or the shell form split on spaces. */
function execForm(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    try {
      return (JSON.parse(trimmed) as unknown[]).map(String);
    } catch {
      return [];
    }
  }
  return trimmed.split(' ');
}

function isRootUser(user: string | undefined): boolean {
  if (user === undefined) return true;
  const name = user.split(':')[0].trim();
  return name === '' || name === 'root' || name === '0';
}

/** The last USER of the final stage (undefined: root). */
export function dockerfileUser(text: string): string | undefined {
  const { stages } = parseDockerfile(text);
  const users = stages[stages.length - 1]?.instructions.filter((i) => i.keyword === 'USER') ?? [];
  return users[users.length - 1]?.args;
}

// ---------------------------------------------------------------------------------------
// The checks

export interface DeploymentFiles {
  compose: Json;
  dockerfile: string;
}

export function readDeploymentFiles(): DeploymentFiles {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof import('yaml');
  return {
    compose: parse(readFileSync(fromRoot('docker-compose.yml'), 'utf8'), { merge: true }) as Json,
    dockerfile: readFileSync(fromRoot('Dockerfile'), 'utf8'),
  };
}

/** Checks the Dockerfile: stages, production dependencies, non-root user, health check, runtime files. */
export function checkDockerfile(text: string, facts: CodeFacts = codeFacts()): string[] {
  const problems: string[] = [];
  const { stages } = parseDockerfile(text);
  if (stages.length < 2) return [`Dockerfile: expected a multi-stage build, found ${stages.length} FROM line(s)`];
  const engines = (JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { engines?: { node?: string } }).engines?.node ?? '';
  const minimum = Number(/(\d+)/.exec(engines)?.[1] ?? 0);
  for (const stage of stages) {
    if (stages.some((other) => other.name && other.name === stage.image)) continue;
    const node = /^(?:docker\.io\/(?:library\/)?)?node:(\d+)(?:[.-][\w.-]*)?$/.exec(stage.image);
    if (!node) {
      problems.push(`Dockerfile: stage ${stage.name ?? '?'} is not built on an official Node image (${stage.image || 'unresolved image'})`);
      continue;
    }
    const major = Number(node[1]);
    // An LTS line is even-numbered; 20 leaves maintenance in 2026, so 22 or later.
    if (major % 2 !== 0 || major < Math.max(22, minimum)) problems.push(`Dockerfile: ${stage.image} is not a current Node LTS line (22 or later, even)`);
  }
  const runs = (stage: DockerStage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join(' && ');
  const build = stages.find((stage) => /\bnpm ci\b(?![^&]*--omit=dev)/.test(runs(stage)) && /\bnpm run build\b/.test(runs(stage)));
  const deps = stages.find((stage) => /\bnpm ci\b[^&]*--omit=dev/.test(runs(stage)));
  if (!build) problems.push('Dockerfile: no stage runs `npm ci` and `npm run build`');
  if (!deps) problems.push('Dockerfile: no stage installs production dependencies only (`npm ci --omit=dev`)');
  const final = stages[stages.length - 1];
  if (final === build) problems.push('Dockerfile: the final stage is the build stage (dev dependencies and sources would ship)');
  const workdirs = final.instructions.filter((i) => i.keyword === 'WORKDIR');
  const workdir = workdirs[workdirs.length - 1]?.args;
  if (!workdir) problems.push('Dockerfile: the final stage sets no WORKDIR (commands run dist/… relative to it)');
  const copies = final.instructions.filter((i) => i.keyword === 'COPY').map((i) => {
    const parts = i.args.split(' ');
    const from = parts.find((part) => part.startsWith('--from='))?.slice('--from='.length);
    const paths = parts.filter((part) => !part.startsWith('--'));
    return { from, sources: paths.slice(0, -1), dest: posix.resolve(workdir ?? '/', paths[paths.length - 1] ?? '') };
  });
  const stageWorkdir = (stage: DockerStage | undefined) => stage?.instructions.filter((i) => i.keyword === 'WORKDIR').map((i) => i.args).pop() ?? '/';
  const { outDir } = buildLayout();
  if (build && workdir) {
    const dist = posix.resolve(stageWorkdir(build), outDir);
    if (!copies.some((copy) => copy.from === build.name && copy.sources.some((s) => posix.resolve(stageWorkdir(build), s) === dist) && copy.dest === posix.resolve(workdir, outDir))) {
      problems.push(`Dockerfile: the final stage does not copy ${outDir}/ from the build stage to ${posix.resolve(workdir, outDir)}`);
    }
  }
  if (deps && workdir) {
    const modules = posix.resolve(stageWorkdir(deps), 'node_modules');
    if (!copies.some((copy) => copy.from === deps.name && copy.sources.some((s) => posix.resolve(stageWorkdir(deps), s) === modules) && copy.dest === posix.resolve(workdir, 'node_modules'))) {
      problems.push('Dockerfile: the final stage does not copy node_modules from the production-dependencies stage');
    }
    if (copies.some((copy) => copy.from === build?.name && copy.sources.some((s) => s.includes('node_modules')))) {
      problems.push('Dockerfile: the final stage copies node_modules from the build stage (dev dependencies)');
    }
  }
  // Runtime files: collected in the build stage by `cp --parents <paths…> <dir>`, copied to WORKDIR.
  const collect = build ? /\bcp\s+((?:-\S+\s+)*)--parents\s+((?:-\S+\s+)*)([^&;]+)/.exec(runs(build)) : null;
  if (!collect) {
    problems.push('Dockerfile: the build stage does not collect the runtime files (`cp -R --parents … /runtime/`)');
  } else {
    const args = collect[3].trim().split(' ');
    const target = posix.resolve(stageWorkdir(build), args[args.length - 1]);
    const globs = args.slice(0, -1);
    if (!copies.some((copy) => copy.from === build?.name && copy.sources.some((s) => posix.resolve(stageWorkdir(build), s) === target) && copy.dest === posix.resolve(workdir ?? '/'))) {
      problems.push(`Dockerfile: the final stage does not copy the collected runtime files (${target}) to WORKDIR`);
    }
    const covered = (path: string) => globs.some((glob) => new RegExp(`^${glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/.*)?$`).test(path));
    for (const pattern of facts.runtimePaths) {
      for (const path of expandRuntimePath(pattern)) {
        if (!covered(path)) problems.push(`Dockerfile: the runtime files do not include ${path} (the code reads ${pattern} from the repository root)`);
      }
    }
  }
  const env = stageEnv(final);
  for (const [name, value] of Object.entries({ APOLLO_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', HOST: '0.0.0.0' })) {
    if (env[name] !== value) problems.push(`Dockerfile: the final stage must set ENV ${name}=${value} (has ${env[name] ?? 'nothing'})`);
  }
  if (isRootUser(dockerfileUser(text))) problems.push('Dockerfile: the final stage runs as root (no non-root USER)');
  const healthchecks = final.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
  const healthcheck = healthchecks[healthchecks.length - 1];
  if (!healthcheck || /^NONE\b/i.test(healthcheck.args)) problems.push('Dockerfile: no HEALTHCHECK');
  else {
    const cmd = execForm(healthcheck.args.replace(/^(--\S+\s+)*CMD\s+/, ''));
    const script = cmd.find((arg) => arg.endsWith('.js'));
    if (!script || sourceOfCompiled(script) !== facts.healthcheckEntry) problems.push(`Dockerfile: HEALTHCHECK does not run the compiled ${facts.healthcheckEntry} (${healthcheck.args})`);
  }
  const cmds = final.instructions.filter((i) => i.keyword === 'CMD');
  const defaultCommand = cmds.length > 0 ? execForm(cmds[cmds.length - 1].args) : [];
  if (defaultCommand[0] !== 'node' || sourceOfCompiled(defaultCommand[1] ?? '') !== facts.gatewayEntry) {
    problems.push(`Dockerfile: the default CMD must start the compiled production gateway, one worker per core (${facts.gatewayEntry}), got ${JSON.stringify(defaultCommand)}`);
  }
  return problems;
}

/** Checks that .dockerignore keeps nothing out that the build needs. */
export function checkDockerignore(text: string, facts: CodeFacts = codeFacts()): string[] {
  const patterns = text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#') && !line.startsWith('!'));
  const needed = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', ...buildLayout().include, ...facts.runtimePaths.flatMap(expandRuntimePath)];
  const problems: string[] = [];
  for (const path of needed) {
    for (const pattern of patterns) {
      const anyDepth = /^\/*\*\*\//.test(pattern);
      const body = pattern.replace(/^\/*(\*\*\/)?/, '');
      const regex = new RegExp(`^${anyDepth ? '(?:.*/)?' : ''}${body.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/.*)?$`);
      if (regex.test(path)) problems.push(`.dockerignore: "${pattern}" leaves ${path} out of the build context`);
    }
  }
  return problems;
}

/** What compose waits after SIGTERM when a service sets no stop_grace_period. */
const COMPOSE_DEFAULT_STOP_MS = 10_000;
/** How long after SHUTDOWN_GRACE_MS a service ends itself at the latest (lib/http/graceful-shutdown.ts, default margin). */
const SERVICE_SHUTDOWN_MARGIN_MS = 5_000;

/** A compose duration (`30s`, `1m30s`, `1.5s`, `500ms`, `2h`) in ms; undefined when it is not one. */
export function parseComposeDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const trimmed = text.trim();
  if (!/^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * units[unit];
  return total;
}

const isLoopback = (host: string) => host === '127.0.0.1' || host === 'localhost' || host === '[::1]';

/** Checks docker-compose.yml against the code. */
export function checkCompose(compose: Json, dockerfile: string, facts: CodeFacts = codeFacts()): string[] {
  const problems: string[] = [];
  if (!isRecord(compose) || !isRecord(compose.services)) return ['docker-compose.yml: no services'];
  const services = compose.services as Record<string, Json>;
  const hostEnv = testHostEnv(compose);
  const finalStage = parseDockerfile(dockerfile).stages.pop();
  const imageWorkdir = finalStage?.instructions.filter((i) => i.keyword === 'WORKDIR').pop()?.args;

  type Kind = { kind: 'gateway' } | { kind: 'subgraph'; subgraph: SubgraphName } | { kind: 'postgres' };
  const kinds = new Map<string, Kind>();
  const envs = new Map<string, Env>();
  const raws = new Map<string, Record<string, string | undefined>>();
  const listenPorts = new Map<string, number>();

  // Which service is which: by the command it runs (or the image).
  for (const [name, value] of Object.entries(services)) {
    if (!isRecord(value)) continue;
    const argv = command(value);
    const script = argv[0] === 'node' ? argv[1] : undefined;
    const source = script ? sourceOfCompiled(script) : undefined;
    if (script && !source) problems.push(`service ${name}: runs ${script}, which the build does not produce`);
    if (source === facts.gatewayEntry) kinds.set(name, { kind: 'gateway' });
    else if (source === facts.gatewaySingleEntry) {
      kinds.set(name, { kind: 'gateway' });
      problems.push(`service ${name}: runs the gateway as a single process (${script}); production runs one worker per core (${facts.gatewayEntry})`);
    } else if (source === facts.subgraphEntry) {
      const subgraph = argv[2];
      if (!(SUBGRAPH_NAMES as string[]).includes(subgraph ?? '')) problems.push(`service ${name}: runs unknown subgraph "${subgraph}"`);
      else kinds.set(name, { kind: 'subgraph', subgraph: subgraph as SubgraphName });
    } else if (typeof value.image === 'string' && /^(?:docker\.io\/(?:library\/)?)?postgres:/.test(value.image) && !value.build) kinds.set(name, { kind: 'postgres' });
    else problems.push(`service ${name}: neither the gateway, a subgraph nor PostgreSQL (command ${JSON.stringify(argv)})`);
    const raw = rawEnvironment(value);
    raws.set(name, raw);
    const env: Env = {};
    for (const [variable, rawValue] of Object.entries(raw)) {
      try {
        env[variable] = rawValue === undefined ? hostEnv[variable] : interpolate(rawValue, hostEnv);
      } catch (error) {
        problems.push(`service ${name}: ${variable}: ${(error as Error).message}`);
      }
    }
    envs.set(name, env);
  }

  const byKind = (kind: Kind['kind']) => [...kinds].filter(([, k]) => k.kind === kind).map(([name]) => name);
  const gateways = byKind('gateway');
  const postgresServices = byKind('postgres');
  if (gateways.length !== 1) problems.push(`expected one gateway service, found ${gateways.length}`);
  if (postgresServices.length !== 1) problems.push(`expected one PostgreSQL service, found ${postgresServices.length}`);
  const subgraphService = new Map<SubgraphName, string>();
  for (const name of SUBGRAPH_NAMES) {
    const running = [...kinds].filter(([, k]) => k.kind === 'subgraph' && k.subgraph === name).map(([service]) => service);
    if (running.length !== 1) problems.push(`subgraph ${name}: expected one service running it, found ${running.length}`);
    else subgraphService.set(name, running[0]);
  }
  const nodeServices = [...kinds].filter(([, k]) => k.kind !== 'postgres').map(([name]) => name);
  const postgres = postgresServices[0];
  const service = (name: string) => services[name] as Record<string, Json>;

  // Node services: the image from this Dockerfile, telemetry off, not root, only variables the code reads.
  for (const name of nodeServices) {
    const spec = service(name);
    const env = envs.get(name)!;
    const kind = kinds.get(name)!;
    const build = spec.build;
    const context = typeof build === 'string' ? build : isRecord(build) ? String(build.context ?? '.') : undefined;
    const dockerfilePath = isRecord(build) && typeof build.dockerfile === 'string' ? build.dockerfile : 'Dockerfile';
    if (context === undefined || resolve(repoRoot(), context) !== repoRoot() || resolve(repoRoot(), dockerfilePath) !== fromRoot('Dockerfile')) {
      problems.push(`service ${name}: must be built from this repository's Dockerfile`);
    }
    if (env.APOLLO_TELEMETRY_DISABLED !== '1') problems.push(`service ${name}: APOLLO_TELEMETRY_DISABLED must be "1" (is ${env.APOLLO_TELEMETRY_DISABLED ?? 'unset'})`);
    const user = scalar(spec.user);
    if (user !== undefined ? isRootUser(user) : isRootUser(dockerfileUser(dockerfile))) problems.push(`service ${name}: runs as root`);
    const reads = kind.kind === 'gateway' ? facts.gatewayReads : facts.subgraphReads[(kind as { subgraph: SubgraphName }).subgraph];
    for (const variable of Object.keys(env)) {
      if (!reads.has(variable)) problems.push(`service ${name}: sets ${variable}, which the code it runs never reads`);
    }
    if (kind.kind === 'subgraph') {
      for (const other of SUBGRAPH_NAMES) {
        if (other === kind.subgraph) continue;
        for (const variable of Object.keys(env)) {
          if (variable.startsWith(`${other.toUpperCase()}_`)) problems.push(`service ${name}: sets ${variable}, a setting of subgraph ${other}`);
        }
      }
    }
    // Files named by *_FILE variables must be in the container: mounted (and present) or in the image.
    for (const [variable, value] of Object.entries(env)) {
      if (!variable.endsWith('_FILE') || !value) continue;
      const provider = providerOf(compose, spec, value);
      if (provider.kind === 'host' && !existsSync(provider.path)) problems.push(`service ${name}: ${variable}=${value} is mounted from ${relative(repoRoot(), provider.path)}, which does not exist`);
      if (provider.kind === 'secret' && !provider.file) problems.push(`service ${name}: ${variable}=${value} is a secret without a file`);
      if (provider.kind === 'image' && !(imageWorkdir && value.startsWith(`${imageWorkdir}/`) && existsSync(fromRoot(value.slice(imageWorkdir.length + 1))))) {
        problems.push(`service ${name}: ${variable}=${value} is neither mounted nor in the image`);
      }
    }
  }

  // Secrets come from .env (${NAME:?…}), never from this file.
  for (const [name, raw] of raws) {
    for (const [variable, value] of Object.entries(raw)) {
      if (value === undefined) continue;
      if (SECRET_NAME.test(variable) && !/^\$\{[A-Z0-9_]+:?\?[^}]*\}$/.test(value)) problems.push(`service ${name}: ${variable} must be \${${variable}:?…} (from .env), not a value in the file`);
      const password = /^postgres(?:ql)?:\/\/[^:@/]+:([^@]*)@/.exec(value)?.[1];
      if (password !== undefined && !/^\$\{[A-Z0-9_]+:?\?[^}]*\}$/.test(password)) problems.push(`service ${name}: ${variable} has a password in the file; use \${NAME:?…} from .env`);
    }
  }

  // Listen ports: what the code will listen on with this environment, and what compose exposes.
  for (const name of nodeServices) {
    const kind = kinds.get(name)!;
    const env = envs.get(name)!;
    let port: number;
    try {
      if (kind.kind === 'gateway') port = readGatewayConfig(env).port;
      else {
        const subgraph = (kind as { subgraph: SubgraphName }).subgraph;
        const variable = `${subgraph.toUpperCase()}_PORT`;
        port = envInt(variable, SUBGRAPH_PORTS[subgraph], 0, 65535, env);
        if (env[variable] === undefined) problems.push(`service ${name}: ${variable} is not set`);
        if (port !== SUBGRAPH_PORTS[subgraph]) problems.push(`service ${name}: ${variable}=${port}, but subgraph ${subgraph}'s port is ${SUBGRAPH_PORTS[subgraph]} (lib/subgraph/registry-names.ts)`);
      }
    } catch (error) {
      problems.push(`service ${name}: ${(error as Error).message}`);
      continue;
    }
    listenPorts.set(name, port);
    const spec = service(name);
    const containerPorts = [
      ...(Array.isArray(spec.ports) ? spec.ports : []).map((entry) => (isRecord(entry) ? Number(entry.target) : Number(interpolate(String(entry), hostEnv).split(':').pop()!.split('/')[0]))),
      ...(Array.isArray(spec.expose) ? spec.expose : []).map((entry) => Number(String(entry).split('/')[0])),
    ];
    for (const containerPort of containerPorts) {
      if (containerPort !== port) problems.push(`service ${name}: publishes or exposes port ${containerPort}, but listens on ${port}`);
    }
    if (kind.kind === 'gateway' && containerPorts.length === 0) problems.push(`service ${name}: the gateway's port ${port} is not published`);
  }

  // Required settings: the code's own readers must accept each service's environment.
  for (const name of nodeServices) {
    const kind = kinds.get(name)!;
    const env = envs.get(name)!;
    try {
      if (kind.kind === 'gateway') {
        readGatewayConfig(env);
        // The cluster primary's own settings; the workers' heap must be bounded (flat memory).
        workerCount(env, 1, undefined);
        if (workerHeap(env, []).heapMb === undefined) problems.push(`service ${name}: the gateway workers run without a heap bound (set GATEWAY_WORKER_HEAP_MB)`);
      } else {
        readSigningSecret(env);
        // Routes read their keys at start (the audit service's ACCESS_LOG_KEY); they touch no store until called.
        loadSubgraphDefinition((kind as { subgraph: SubgraphName }).subgraph).httpRoutes?.({} as Store, { env });
      }
    } catch (error) {
      problems.push(`service ${name}: would not start: ${(error as Error).message}`);
    }
  }

  // Gateway: a URL per subgraph at that subgraph's service and port; depends on each being healthy.
  const gateway = gateways[0];
  if (gateway) {
    const env = envs.get(gateway)!;
    let config: ReturnType<typeof readGatewayConfig> | undefined;
    let defaults: ReturnType<typeof readGatewayConfig> | undefined;
    try {
      config = readGatewayConfig(env);
      defaults = readGatewayConfig({ GATEWAY_SIGNING_SECRET: 'x'.repeat(32), TOKEN_PUBLIC_KEY_FILE: '/dev/null' });
    } catch {
      // reported above
    }
    const dependencies = dependsOn(service(gateway));
    for (const subgraph of SUBGRAPH_NAMES) {
      const target = subgraphService.get(subgraph);
      const variable = `${subgraph.toUpperCase()}_URL`;
      if (!target) continue;
      if (env[variable] === undefined) problems.push(`service ${gateway}: ${variable} is not set`);
      if (config && defaults) {
        const url = new URL(config.subgraphUrls[subgraph]);
        const expectedPath = new URL(defaults.subgraphUrls[subgraph]).pathname;
        const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
        if (url.hostname !== target || port !== listenPorts.get(target) || url.pathname !== expectedPath) {
          problems.push(`service ${gateway}: ${variable}=${url} should be http://${target}:${listenPorts.get(target)}${expectedPath}`);
        }
      }
      if (dependencies[target] !== 'service_healthy') problems.push(`service ${gateway}: must depend on ${target} with condition service_healthy`);
      if (![...networksOf(service(gateway))].some((network) => networksOf(service(target)).has(network))) problems.push(`service ${gateway}: shares no network with ${target}`);
    }
    if (config) {
      const accessLog = new URL(config.accessLog.url);
      const audit = subgraphService.get('audit' as SubgraphName);
      if (audit && accessLog.hostname !== audit) problems.push(`service ${gateway}: access records go to ${accessLog.hostname}, not the audit service ${audit}`);
    }
    if (postgres && [...networksOf(service(gateway))].some((network) => networksOf(service(postgres)).has(network))) {
      problems.push(`service ${gateway}: shares a network with ${postgres}; the gateway talks to nothing but its subgraphs`);
    }
  }

  // Databases: the init script's databases and owners; each subgraph its own, with its owner's password.
  const databases = new Map<string, string>();
  if (postgres) {
    const spec = service(postgres);
    const env = envs.get(postgres)!;
    if (isRootUser(scalar(spec.user))) problems.push(`service ${postgres}: runs as root (set user: postgres)`);
    const scripts = volumes(spec).filter((volume) => volume.target.startsWith('/docker-entrypoint-initdb.d'));
    if (scripts.length === 0) problems.push(`service ${postgres}: no init script mounted in /docker-entrypoint-initdb.d`);
    const scriptVariables = new Set<string>();
    for (const script of scripts) {
      const path = resolve(repoRoot(), script.source);
      if (!existsSync(path)) {
        problems.push(`service ${postgres}: init script ${script.source} does not exist`);
        continue;
      }
      const files = statSync(path).isDirectory() ? readdirSync(path).map((file) => join(path, file)) : [path];
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const match of text.matchAll(/\$\{?([A-Z][A-Z0-9_]*)/g)) scriptVariables.add(match[1]);
        for (const match of text.matchAll(/^create_database\s+(\w+)\s+"\$\{([A-Z0-9_]+)/gm)) databases.set(match[1], match[2]);
        for (const match of text.matchAll(/^\s*CREATE DATABASE\s+"?(\w+)"?/gim)) if (!databases.has(match[1])) databases.set(match[1], '');
      }
    }
    for (const variable of Object.keys(env)) {
      if (!POSTGRES_IMAGE_VARIABLES.has(variable) && !scriptVariables.has(variable)) problems.push(`service ${postgres}: sets ${variable}, which neither the postgres image nor the init script reads`);
    }
    for (const [database, passwordVariable] of databases) {
      if (passwordVariable && !env[passwordVariable]) problems.push(`service ${postgres}: ${passwordVariable} (password of database ${database}) is not set`);
    }
    if (!healthcheckTest(spec).join(' ').match(/\bpg_isready\b.*\s-h\s/)) {
      problems.push(`service ${postgres}: health check must be pg_isready over TCP (-h), which passes only after initialisation`);
    }
  }
  const used = new Map<string, string>();
  for (const [subgraph, name] of subgraphService) {
    const env = envs.get(name)!;
    const url = databaseUrlFor(subgraph, env);
    if (!url) {
      problems.push(`service ${name}: no ${subgraph.toUpperCase()}_DATABASE_URL (or DATABASE_URL): it would use an in-memory store`);
      continue;
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      problems.push(`service ${name}: database URL is not a URL`);
      continue;
    }
    const database = parsed.pathname.replace(/^\//, '');
    if (!postgres || parsed.hostname !== postgres) problems.push(`service ${name}: database host ${parsed.hostname} is not the PostgreSQL service`);
    if (parsed.port && parsed.port !== '5432') problems.push(`service ${name}: database port ${parsed.port} is not PostgreSQL's 5432`);
    if (!databases.has(database)) problems.push(`service ${name}: database "${database}" is not created by the init script (${[...databases.keys()].join(', ')})`);
    else {
      if (decodeURIComponent(parsed.username) !== database) problems.push(`service ${name}: connects as ${parsed.username}, not as ${database}, the owner of its database`);
      const passwordVariable = databases.get(database);
      if (passwordVariable && postgres && decodeURIComponent(parsed.password) !== envs.get(postgres)![passwordVariable]) {
        problems.push(`service ${name}: the database password is not ${passwordVariable}, the one the init script gives role ${database}`);
      }
    }
    if (used.has(database)) problems.push(`service ${name}: shares database ${database} with ${used.get(database)}`);
    used.set(database, name);
    if (postgres) {
      if (dependsOn(service(name))[postgres] !== 'service_healthy') problems.push(`service ${name}: must depend on ${postgres} with condition service_healthy`);
      if (![...networksOf(service(name))].some((network) => networksOf(service(postgres)).has(network))) problems.push(`service ${name}: shares no network with ${postgres}`);
    }
  }

  // Stop: the runtime waits stop_grace_period after SIGTERM before it kills; the service
  // needs its grace period (SHUTDOWN_GRACE_MS) plus its own margin, the gateway's cluster
  // primary a little more (scripts/start-gateway-cluster.ts).
  for (const name of nodeServices) {
    const raw = service(name).stop_grace_period;
    const stopMs = raw === undefined ? COMPOSE_DEFAULT_STOP_MS : parseComposeDuration(String(raw));
    let needMs: number;
    try {
      const graceMs = readShutdownGraceMs(envs.get(name)!);
      needMs = kinds.get(name)!.kind === 'gateway' ? clusterShutdownLimitMs(graceMs) : graceMs + SERVICE_SHUTDOWN_MARGIN_MS;
    } catch (error) {
      problems.push(`service ${name}: ${(error as Error).message}`);
      continue;
    }
    if (stopMs === undefined) problems.push(`service ${name}: stop_grace_period ${JSON.stringify(raw)} is not a duration`);
    else if (stopMs <= needMs) problems.push(`service ${name}: stop_grace_period is ${stopMs} ms, but the service may take ${needMs} ms to stop (SHUTDOWN_GRACE_MS and margin); it would be killed with requests in flight`);
  }

  // Health checks: every Node service asks its own /health on the port it listens on.
  for (const name of nodeServices) {
    const spec = service(name);
    const test = healthcheckTest(spec);
    const kind = kinds.get(name)!;
    if (test.length === 0) {
      problems.push(`service ${name}: no health check`);
      continue;
    }
    const script = test.find((arg) => arg.endsWith('.js'));
    if (test[0] !== 'CMD' || test[1] !== 'node' || !script || sourceOfCompiled(script) !== facts.healthcheckEntry) {
      problems.push(`service ${name}: health check must run the compiled ${facts.healthcheckEntry} (CMD form), got ${JSON.stringify(test)}`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(healthUrl(test[test.indexOf(script) + 1], envs.get(name)));
    } catch (error) {
      problems.push(`service ${name}: health check: ${(error as Error).message}`);
      continue;
    }
    if (!isLoopback(url.hostname) || Number(url.port) !== listenPorts.get(name)) problems.push(`service ${name}: health check asks ${url}, but the service listens on ${listenPorts.get(name)}`);
    // The path must be a route of the code the service runs (a `'/health'` key or string).
    const sources = [...(kind.kind === 'gateway' ? facts.gatewayFiles : facts.subgraphFiles)];
    if (!sources.some((file) => readFileSync(file, 'utf8').includes(`'${url.pathname}'`))) problems.push(`service ${name}: health check asks ${url.pathname}, a path the server does not serve`);
  }
  if (isRecord(compose.secrets)) {
    for (const [name, secret] of Object.entries(compose.secrets)) {
      const file = isRecord(secret) ? scalar(secret.file) : undefined;
      if (file && !resolve(repoRoot(), file).startsWith(fromRoot('deploy', 'keys'))) problems.push(`secret ${name}: ${file} is outside deploy/keys/`);
    }
  }
  return problems;
}

function healthcheckTest(spec: Record<string, Json>): string[] {
  const check = spec.healthcheck;
  if (!isRecord(check) || check.disable === true) return [];
  if (Array.isArray(check.test)) return check.test.map(String);
  if (typeof check.test === 'string') return ['CMD-SHELL', check.test];
  return [];
}
