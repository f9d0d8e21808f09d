import { ConfigError, envBool, envEnum, envInt, envOptional, envString, envUrl, isDevelopment } from '../lib/config';
import { SUBGRAPH_NAMES, SUBGRAPH_PORTS, type SubgraphName } from '../lib/subgraph/registry-names';
import { defaultPolicyFile, defaultSupergraphFile } from '../lib/policy/source';
import { DEV_AUDIENCE, DEV_ISSUER } from '../lib/identity/dev-keys';
import { readResilienceConfig, type ResilienceConfig } from './resilience/config';
import { benchmarkDisablesAuthorization } from './benchmark-mode';
import { readTransportConfig, type TransportConfig } from './transport/config';
import { DEFAULT_INPUT_LIMITS, type InputLimits } from './limits/defaults';

/** The gateway's settings; README "Configuration" documents each variable. */
export interface GatewayConfig {
  host: string;
  port: number;
  subgraphUrls: Record<SubgraphName, string>;
  supergraphFile: string;
  policyFile: string;
  token: { issuer: string; audience: string; publicKeyFile?: string; jwksFile?: string };
  signingSecret: string;
  /** Header a client states the purpose of a request in; falls back to the token's purpose claim. */
  purposeHeader: string;
  maxBodyBytes: number;
  development: boolean;
  onDeniedOverride?: 'null-field' | 'reject-operation';
  /** Watch the policy file and reload it on change (POLICY_WATCH, default true). */
  watchPolicy: boolean;
  /** Where access records go (the audit subgraph's POST endpoint) and how long to wait for it. */
  accessLog: { url: string; timeoutMs: number };
  /** Per-subgraph timeouts, circuit breakers, readiness and shutdown (gateway/resilience/config.ts). */
  resilience: ResilienceConfig;
  /** `npm run bench` only (NODE_ENV=benchmark): no authorization rewrite, no access log. See gateway/benchmark-mode.ts. */
  benchmarkUnsafeNoAuthorization?: boolean;
  /** Keep-alive pools to the subgraphs and the query plan cache size (gateway/transport). */
  transport?: TransportConfig;
  /** Limits on incoming operations: depth, aliases, tokens, list sizes, estimated cost (gateway/limits). */
  limits: InputLimits;
  /** TRUSTED_DOCUMENTS_FILE: when set, only the operations of this manifest are executed. */
  trustedDocumentsFile?: string;
}

/**
 * Reads and validates the gateway configuration from the environment. Throws ConfigError
 * naming the variable for anything missing or malformed.
 */
export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const subgraphUrls = {} as Record<SubgraphName, string>;
  for (const name of SUBGRAPH_NAMES) {
    subgraphUrls[name] = envUrl(`${name.toUpperCase()}_URL`, `http://127.0.0.1:${SUBGRAPH_PORTS[name]}/graphql`, env);
  }
  const publicKeyFile = envOptional('TOKEN_PUBLIC_KEY_FILE', env);
  const jwksFile = envOptional('TOKEN_JWKS_FILE', env);
  if (!publicKeyFile && !jwksFile) throw new ConfigError('set TOKEN_PUBLIC_KEY_FILE (PEM) or TOKEN_JWKS_FILE (JWKS JSON) to verify caller tokens');
  if (publicKeyFile && jwksFile) throw new ConfigError('set only one of TOKEN_PUBLIC_KEY_FILE and TOKEN_JWKS_FILE');
  return {
    host: envString('HOST', '127.0.0.1', env),
    port: envInt('PORT', 4000, 0, 65535, env),
    subgraphUrls,
    supergraphFile: envString('SUPERGRAPH_FILE', defaultSupergraphFile(), env),
    policyFile: envString('POLICY_FILE', defaultPolicyFile(), env),
    token: {
      issuer: envString('TOKEN_ISSUER', DEV_ISSUER, env),
      audience: envString('TOKEN_AUDIENCE', DEV_AUDIENCE, env),
      publicKeyFile,
      jwksFile,
    },
    signingSecret: readSigningSecret(env),
    purposeHeader: envString('PURPOSE_HEADER', 'x-purpose', env).toLowerCase(),
    maxBodyBytes: envInt('MAX_BODY_BYTES', 100_000, 1_000, 10_000_000, env),
    development: isDevelopment(env) || envBool('GATEWAY_DEVELOPMENT', false, env),
    watchPolicy: envBool('POLICY_WATCH', true, env),
    onDeniedOverride: envOptional('ON_DENIED', env) ? envEnum('ON_DENIED', 'null-field', ['null-field', 'reject-operation'] as const, env) : undefined,
    accessLog: {
      url: envUrl('ACCESS_LOG_URL', new URL('/access-records', subgraphUrls.audit).toString(), env),
      timeoutMs: envInt('ACCESS_LOG_TIMEOUT_MS', 2_000, 50, 60_000, env),
    },
    resilience: readResilienceConfig(env),
    benchmarkUnsafeNoAuthorization: benchmarkDisablesAuthorization(env),
    transport: readTransportConfig(env),
    limits: readInputLimits(env),
    trustedDocumentsFile: envOptional('TRUSTED_DOCUMENTS_FILE', env),
  };
}

/** MAX_DEPTH, MAX_ALIASES, MAX_TOKENS, MAX_LIST_SIZE, MAX_COST, COST_LIST_FACTOR (README "Configuration"). */
export function readInputLimits(env: NodeJS.ProcessEnv = process.env): InputLimits {
  const d = DEFAULT_INPUT_LIMITS;
  return {
    maxDepth: envInt('MAX_DEPTH', d.maxDepth, 1, 1_000, env),
    maxAliases: envInt('MAX_ALIASES', d.maxAliases, 0, 10_000, env),
    maxTokens: envInt('MAX_TOKENS', d.maxTokens, 10, 1_000_000, env),
    maxListSize: envInt('MAX_LIST_SIZE', d.maxListSize, 1, 100_000, env),
    maxCost: envInt('MAX_COST', d.maxCost, 1, 1_000_000_000, env),
    costListFactor: envInt('COST_LIST_FACTOR', d.costListFactor, 1, 1_000, env),
  };
}

/** GATEWAY_SIGNING_SECRET: shared by the gateway and every subgraph; at least 32 characters. */
export function readSigningSecret(env: NodeJS.ProcessEnv = process.env): string {
  const secret = envOptional('GATEWAY_SIGNING_SECRET', env);
  if (!secret) throw new ConfigError('GATEWAY_SIGNING_SECRET is required (the secret the gateway signs subgraph requests with)');
  if (secret.length < 32) throw new ConfigError('GATEWAY_SIGNING_SECRET must be at least 32 characters');
  return secret;
}
