import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { Counter, Histogram, type Registry } from 'prom-client';
import { BoundedLabel } from './labels';
import { callerOf, summarizeRefusal, summarizeResponse, type RequestSummary } from './request-summary';

/** Latency buckets in seconds, from a cached single-partner read to a request that ran into timeouts. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Options of useMetrics. */
export interface MetricsOptions {
  /** The server's own registry (lib/observability/metrics-registry). */
  registry: Registry;
  /** Distinct operation names labelled before the rest become `other` (default 100). */
  maxOperations?: number;
}

/**
 * Request metrics for one Apollo Server (gateway or subgraph), as a plugin:
 *
 * - `chain_graphql_requests_total{operation,status}`: requests by operation name and HTTP
 *   status, including those refused before execution (no valid token: 401);
 * - `chain_graphql_request_duration_seconds{operation}`: time from Apollo receiving the
 *   request to the response being ready (refusals before execution are not timed);
 * - `chain_graphql_errors_total{code}`: errors in responses by `extensions.code`;
 * - `chain_authorization_denials_total{class,audience}`: denied fields (FORBIDDEN errors)
 *   by policy class and the caller's audience (`none` when no audience matched).
 *
 * Operation names are digit-masked, unnamed or unresolved operations are `anonymous`, and
 * after `maxOperations` distinct names every new one is `other`; classes, audiences and
 * codes are capped likewise, so no client can grow the series count without bound.
 */
export function useMetrics(options: MetricsOptions): ApolloServerPlugin<BaseContext> {
  const { registry } = options;
  const operations = new BoundedLabel(options.maxOperations ?? 100);
  const codes = new BoundedLabel(50);
  const classes = new BoundedLabel(50);
  const audiences = new BoundedLabel(20);
  const requests = new Counter({
    name: 'chain_graphql_requests_total',
    help: 'GraphQL requests by operation name and HTTP status',
    labelNames: ['operation', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'chain_graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL request, by operation name',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'chain_graphql_errors_total',
    help: 'Errors in GraphQL responses, by extensions.code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const denials = new Counter({
    name: 'chain_authorization_denials_total',
    help: 'Fields withheld by the policy (FORBIDDEN errors), by policy class and the caller audience',
    labelNames: ['class', 'audience'] as const,
    registers: [registry],
  });

  function count(summary: RequestSummary, audience: string | null | undefined, seconds?: number): void {
    const operation = operations.value(summary.operation);
    requests.inc({ operation, status: String(summary.status) });
    if (seconds !== undefined) duration.observe({ operation }, seconds);
    for (const [code, n] of Object.entries(summary.errorCodes)) errors.inc({ code: codes.value(code) }, n);
    const audienceLabel = audiences.value(audience ?? 'none');
    for (const className of summary.deniedClasses) denials.inc({ class: classes.value(className), audience: audienceLabel });
  }

  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(requestContext) {
          count(summarizeResponse(requestContext), callerOf(requestContext.contextValue)?.audience, (performance.now() - started) / 1000);
        },
      };
    },
    async contextCreationDidFail({ error }) {
      count(summarizeRefusal(error, 500), undefined);
    },
    async invalidRequestWasReceived({ error }) {
      count(summarizeRefusal(error, 400), undefined);
    },
  };
}
