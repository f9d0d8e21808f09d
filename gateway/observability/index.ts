import type { Logger } from '../../lib/log';
import { observeService, type ServiceObservability } from '../../lib/observability/service';
import { createAccessLogMetrics, type AccessLogMetrics } from './access-log-metrics';
import { createSubgraphFetchMetrics, type SubgraphFetchMetrics } from './subgraph-fetch-metrics';

/** The gateway's metrics and request log, with the hooks its data sources and access logger call. */
export interface GatewayObservability extends ServiceObservability {
  /** Wrap each subgraph data source (ApolloGateway `buildService`). */
  instrument: SubgraphFetchMetrics['instrument'];
  /** Hand to the AccessLogger: counts writes, records and failures. */
  accessLog: AccessLogMetrics;
}

/**
 * Observability for one gateway instance: request metrics and one log line per request
 * (lib/observability), per-subgraph fetch metrics (whose per-request tally goes into the
 * request's log line as `subgraphs`), access-log metrics, all on the instance's own
 * registry and served at `GET /metrics`.
 */
export function observeGateway(options: { logger: Logger; signingSecret: () => string }): GatewayObservability {
  let fetches: SubgraphFetchMetrics | undefined;
  const service = observeService({
    service: 'gateway',
    logger: options.logger,
    subjectKey: options.signingSecret,
    logFields: (context) => ({ subgraphs: fetches?.tallyFor(context) }),
  });
  fetches = createSubgraphFetchMetrics(service.registry);
  return { ...service, instrument: fetches.instrument, accessLog: createAccessLogMetrics(service.registry) };
}
