import { ConfigError } from '../lib/config';

/**
 * The benchmark's switch that runs the gateway WITHOUT the authorization rewrite and
 * WITHOUT access logging, so that `npm run bench` can measure what they cost. It exists
 * for that measurement only: it is honoured only with NODE_ENV=benchmark, and a gateway
 * started with it under any other NODE_ENV refuses to start. Caller tokens are still
 * verified, requests to the subgraphs are still signed, and every subgraph still enforces
 * the policy with graphql-shield.
 */
export const BENCHMARK_SWITCH = 'BENCHMARK_UNSAFE_DISABLE_AUTHORIZATION';

/** True when the benchmark switch is on (and allowed); throws ConfigError when it is set outside NODE_ENV=benchmark. */
export function benchmarkDisablesAuthorization(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[BENCHMARK_SWITCH];
  if (value === undefined || value === '' || value === '0' || value === 'false') return false;
  if (env.NODE_ENV !== 'benchmark') {
    throw new ConfigError(`${BENCHMARK_SWITCH} is a benchmark-only switch, honoured only with NODE_ENV=benchmark; refusing to start`);
  }
  if (value !== '1' && value !== 'true') throw new ConfigError(`${BENCHMARK_SWITCH} must be 1 or unset`);
  return true;
}
