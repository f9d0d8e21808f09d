import { envInt } from '../../lib/config';
import { readShutdownGraceMs } from '../../lib/http/graceful-shutdown';
import { SUBGRAPH_NAMES, type SubgraphName } from '../../lib/subgraph/registry-names';
import { DEFAULT_COOLDOWN_MS, DEFAULT_FAILURE_THRESHOLD } from './circuit-breaker';

/** Default per-subgraph timeout: below the 10-30 s that clients and load balancers usually allow. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 5_000;
/** Default time the gateway's `/ready` waits for each subgraph's `/ready`. */
export const DEFAULT_READINESS_TIMEOUT_MS = 1_000;

/** How the gateway copes with slow or failing partners; README "Configuration" documents each variable. */
export interface ResilienceConfig {
  /** Per subgraph: how long one subgraph request may take, in ms (`SUBGRAPH_TIMEOUT_MS`, `<NAME>_TIMEOUT_MS`). */
  timeoutsMs: Record<SubgraphName, number>;
  /** Consecutive failures or timeouts that open a subgraph's circuit (`CIRCUIT_BREAKER_THRESHOLD`). */
  breakerThreshold: number;
  /** How long an open circuit refuses requests before one probe (`CIRCUIT_BREAKER_COOLDOWN_MS`). */
  breakerCooldownMs: number;
  /** How long `/ready` waits for each subgraph's `/ready` (`READINESS_TIMEOUT_MS`). */
  readinessTimeoutMs: number;
  /** How long a shutdown waits for requests in flight (`SHUTDOWN_GRACE_MS`). */
  shutdownGraceMs: number;
}

/**
 * Reads the resilience settings: SUBGRAPH_TIMEOUT_MS (default 5000) with <NAME>_TIMEOUT_MS
 * overrides per subgraph, CIRCUIT_BREAKER_THRESHOLD (5), CIRCUIT_BREAKER_COOLDOWN_MS
 * (10000), READINESS_TIMEOUT_MS (1000), SHUTDOWN_GRACE_MS (10000). Throws ConfigError
 * naming the variable for a malformed or out-of-range value.
 */
export function readResilienceConfig(env: NodeJS.ProcessEnv = process.env): ResilienceConfig {
  const timeout = envInt('SUBGRAPH_TIMEOUT_MS', DEFAULT_SUBGRAPH_TIMEOUT_MS, 50, 120_000, env);
  const timeoutsMs = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPH_NAMES) timeoutsMs[name] = readSubgraphTimeout(name.toUpperCase(), timeout, env);
  return {
    timeoutsMs,
    breakerThreshold: envInt('CIRCUIT_BREAKER_THRESHOLD', DEFAULT_FAILURE_THRESHOLD, 1, 1_000, env),
    breakerCooldownMs: envInt('CIRCUIT_BREAKER_COOLDOWN_MS', DEFAULT_COOLDOWN_MS, 10, 3_600_000, env),
    readinessTimeoutMs: envInt('READINESS_TIMEOUT_MS', DEFAULT_READINESS_TIMEOUT_MS, 50, 60_000, env),
    shutdownGraceMs: readShutdownGraceMs(env),
  };
}

function readSubgraphTimeout(prefix: string, fallback: number, env: NodeJS.ProcessEnv): number {
  return envInt(`${prefix}_TIMEOUT_MS`, fallback, 50, 120_000, env);
}
