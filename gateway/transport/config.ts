import { envInt } from '../../lib/config';
import { DEFAULT_KEEP_ALIVE, type KeepAliveOptions } from './keep-alive-fetcher';

/** How the gateway talks to its subgraphs and how many query plans it keeps. */
export interface TransportConfig {
  /** Keep-alive connections per subgraph (SUBGRAPH_MAX_SOCKETS, SUBGRAPH_IDLE_TIMEOUT_MS). */
  keepAlive: KeepAliveOptions;
  /**
   * Approximate size of @apollo/gateway's query plan cache in MiB (QUERY_PLAN_CACHE_MB,
   * default 30, the gateway's own default). Plans are cached per operation text after the
   * authorization rewrite, so one client operation has a plan per audience/purpose that
   * reads it differently.
   */
  queryPlanCacheMiB: number;
}

export function readTransportConfig(env: NodeJS.ProcessEnv = process.env): TransportConfig {
  return {
    keepAlive: {
      maxSockets: envInt('SUBGRAPH_MAX_SOCKETS', DEFAULT_KEEP_ALIVE.maxSockets, 1, 4096, env),
      idleTimeoutMs: envInt('SUBGRAPH_IDLE_TIMEOUT_MS', DEFAULT_KEEP_ALIVE.idleTimeoutMs, 1_000, 60_000, env),
    },
    queryPlanCacheMiB: envInt('QUERY_PLAN_CACHE_MB', 30, 1, 4096, env),
  };
}
