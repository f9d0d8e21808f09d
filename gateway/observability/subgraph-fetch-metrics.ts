import type { GraphQLDataSource } from '@apollo/gateway';
import { Counter, Histogram, type Registry } from 'prom-client';
import { BoundedLabel, safeErrorCode } from '../../lib/observability/labels';
import { LATENCY_BUCKETS } from '../../lib/observability/request-metrics';

// GraphQLDataSourceRequestKind.INCOMING_OPERATION (the enum is not exported by @apollo/gateway).
const INCOMING_OPERATION = 'incoming operation';

/** Codes of an answer that stands for a failed fetch (gateway/resilience: the partner did not answer). */
const FETCH_FAILURE_CODES = new Set(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_TIMEOUT']);

/** One subgraph's share of one request: how many fetches, how long in total, how many failed. */
export interface SubgraphTally {
  fetches: number;
  ms: number;
  failed: number;
}

/** Per-subgraph fetch metrics, and a hook to put them around the gateway's data sources. */
export interface SubgraphFetchMetrics {
  /**
   * Times every operation `source` sends for a client request (health checks and schema
   * loading are not counted) and counts the failures; returns the same object, its
   * `process` wrapped, so that whatever the data source is (signing, resilient) stays as is.
   */
  instrument<T extends GraphQLDataSource>(subgraph: string, source: T): T;
  /** The fetches made so far for the request whose context this is, per subgraph (for the request log). */
  tallyFor(context: object): Record<string, SubgraphTally> | undefined;
}

/**
 * `chain_subgraph_fetch_duration_seconds{subgraph}` (every fetch, failed ones included),
 * `chain_subgraph_fetch_errors_total{subgraph,code}` (fetches that failed: the partner
 * did not answer, SUBGRAPH_UNAVAILABLE or SUBGRAPH_TIMEOUT from gateway/resilience, or
 * the data source threw: its `extensions.code`, else FETCH_FAILED) and
 * `chain_subgraph_response_errors_total{subgraph,code}` (GraphQL errors in answers that
 * arrived, e.g. FORBIDDEN from a subgraph's own policy check).
 */
export function createSubgraphFetchMetrics(registry: Registry): SubgraphFetchMetrics {
  const codes = new BoundedLabel(50);
  const duration = new Histogram({
    name: 'chain_subgraph_fetch_duration_seconds',
    help: 'Time of a gateway fetch from a subgraph, failed fetches included',
    labelNames: ['subgraph'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const failures = new Counter({
    name: 'chain_subgraph_fetch_errors_total',
    help: 'Gateway fetches from a subgraph that failed (no usable answer), by error code',
    labelNames: ['subgraph', 'code'] as const,
    registers: [registry],
  });
  const responseErrors = new Counter({
    name: 'chain_subgraph_response_errors_total',
    help: 'GraphQL errors in subgraph answers to the gateway, by extensions.code',
    labelNames: ['subgraph', 'code'] as const,
    registers: [registry],
  });
  const tallies = new WeakMap<object, Record<string, SubgraphTally>>();

  function tally(context: unknown, subgraph: string, ms: number, failed: boolean): void {
    if (context === null || typeof context !== 'object') return;
    let perSubgraph = tallies.get(context);
    if (!perSubgraph) {
      perSubgraph = {};
      tallies.set(context, perSubgraph);
    }
    const entry = (perSubgraph[subgraph] ??= { fetches: 0, ms: 0, failed: 0 });
    entry.fetches += 1;
    entry.ms = Math.round((entry.ms + ms) * 10) / 10;
    if (failed) entry.failed += 1;
  }

  return {
    instrument(subgraph, source) {
      const process = source.process.bind(source);
      source.process = async (options) => {
        if ((options.kind as string) !== INCOMING_OPERATION) return process(options);
        const started = performance.now();
        const done = (failed: boolean) => {
          const ms = performance.now() - started;
          duration.observe({ subgraph }, ms / 1000);
          tally(options.context, subgraph, ms, failed);
        };
        try {
          const response = await process(options);
          // The resilient data source answers a partner that could not answer with a
          // response of errors (one per field) rather than by throwing: one failed fetch.
          const failure = response.errors?.map((error) => error.extensions?.code).find((code) => FETCH_FAILURE_CODES.has(code as string));
          done(failure !== undefined);
          if (failure !== undefined) failures.inc({ subgraph, code: codes.value(safeErrorCode(failure)) });
          else for (const error of response.errors ?? []) responseErrors.inc({ subgraph, code: codes.value(safeErrorCode(error.extensions?.code)) });
          return response;
        } catch (error) {
          done(true);
          const code = (error as { extensions?: { code?: unknown } } | null)?.extensions?.code;
          failures.inc({ subgraph, code: codes.value(code === undefined ? 'FETCH_FAILED' : safeErrorCode(code)) });
          throw error;
        }
      };
      return source;
    },
    tallyFor(context) {
      return tallies.get(context);
    },
  };
}
