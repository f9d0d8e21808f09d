import type { RemoteGraphQLDataSource } from '@apollo/gateway';
import type { Logger } from '../../lib/log';
import { CircuitBreaker, type BreakerSnapshot } from './circuit-breaker';
import type { ResilienceConfig } from './config';
import { CIRCUIT_OPEN, ResilientDataSource } from './resilient-data-source';

/** The gateway's per-subgraph timeouts and circuit breakers. */
export interface SubgraphResilience {
  /** Wraps the data source of one subgraph (in ApolloGateway's `buildService`). */
  wrap(subgraph: string, inner: RemoteGraphQLDataSource<any>): ResilientDataSource;
  /** The breaker of one subgraph (created on first use). */
  breaker(subgraph: string): CircuitBreaker;
  /** Every subgraph's breaker state, for `/ready`. */
  breakers(): Record<string, BreakerSnapshot>;
}

/**
 * One circuit breaker per subgraph, and data sources that honour the subgraph's timeout
 * and breaker (see ResilientDataSource). Breaker changes and partner failures are logged
 * with the subgraph name and a short reason, never a URL or personal data.
 */
export function useSubgraphResilience(config: ResilienceConfig, log?: Pick<Logger, 'warn' | 'info' | 'debug'>, now?: () => number): SubgraphResilience {
  const breakers = new Map<string, CircuitBreaker>();
  const breaker = (subgraph: string) => {
    let existing = breakers.get(subgraph);
    if (!existing) {
      existing = new CircuitBreaker({
        failureThreshold: config.breakerThreshold,
        cooldownMs: config.breakerCooldownMs,
        now,
        onStateChange: (state, previous) =>
          (state === 'open' ? log?.warn.bind(log) : log?.info.bind(log))?.({ subgraph, breaker: state, previous }, `circuit breaker ${state}`),
      });
      breakers.set(subgraph, existing);
    }
    return existing;
  };
  return {
    breaker,
    wrap(subgraph, inner) {
      return new ResilientDataSource({
        subgraph,
        inner,
        timeoutMs: (config.timeoutsMs as Record<string, number>)[subgraph] ?? Math.max(...Object.values(config.timeoutsMs)),
        breaker: breaker(subgraph),
        onFailure: ({ code, reason }) =>
          // While the circuit is open every request is refused here: log those quietly.
          (reason === CIRCUIT_OPEN ? log?.debug.bind(log) : log?.warn.bind(log))?.({ subgraph, code, reason }, 'subgraph request failed'),
      });
    },
    breakers() {
      return Object.fromEntries([...breakers].map(([name, b]) => [name, b.snapshot()]));
    },
  };
}
