import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:net';
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '../log';
import { watchConnections } from './connection-metrics';
import { createMetricsRegistry, metricsRoute } from './metrics-registry';
import { useRequestLog, type RequestLogOptions } from './request-log';
import { useMetrics } from './request-metrics';

/** Options of observeService. */
export interface ServiceObservabilityOptions {
  /** `gateway` or `subgraph-<name>`: the `service` label of every series and the logger's name. */
  service: string;
  /** The service's logger (default: a new one named `service`). */
  logger?: Logger;
  /** Secret subjects are hashed with in the request log (the gateway signing secret). */
  subjectKey?: () => string;
  /** Extra fields for each request line (RequestLogOptions.fields). */
  logFields?: RequestLogOptions['fields'];
  /** Distinct operation names labelled before the rest become `other` (default 100). */
  maxOperations?: number;
}

/** What one server needs to be observable: its registry, its Apollo plugins and its `/metrics` route. */
export interface ServiceObservability {
  registry: Registry;
  logger: Logger;
  /** useMetrics and useRequestLog, for ApolloServer's `plugins`. */
  plugins: ApolloServerPlugin<BaseContext>[];
  /** `GET /metrics`, for createGraphQLHandler's `routes`. */
  metricsRoute: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** Counts the server's accepted and open TCP connections (lib/observability/connection-metrics). */
  watchConnections(server: Server): void;
}

/**
 * Request metrics and the request log for one server instance (the gateway or a
 * subgraph), on a registry of its own.
 */
export function observeService(options: ServiceObservabilityOptions): ServiceObservability {
  const registry = createMetricsRegistry(options.service);
  const logger = options.logger ?? createLogger(options.service);
  return {
    registry,
    logger,
    plugins: [
      useMetrics({ registry, maxOperations: options.maxOperations }),
      useRequestLog({ logger, subjectKey: options.subjectKey, fields: options.logFields }),
    ],
    metricsRoute: metricsRoute(registry),
    watchConnections: (server) => watchConnections(server, registry),
  };
}
