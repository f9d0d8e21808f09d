import type { IncomingMessage, ServerResponse } from 'node:http';
import { collectDefaultMetrics, Registry } from 'prom-client';

// Process metrics (CPU, memory, event loop, GC, handles) describe the process, not a server:
// collected once per process and served by every server in it. The default collectors
// install a GC observer and an event-loop monitor that are never removed, so a registry
// per server (tests start seven servers per stack, many stacks per jest worker) would pile
// them up. Kept on globalThis so jest's per-file module registries share it too.
const PROCESS_REGISTRY = Symbol.for('chain-gateway.observability.process-registry');

function processRegistry(): Registry {
  const holder = globalThis as { [PROCESS_REGISTRY]?: Registry };
  let registry = holder[PROCESS_REGISTRY];
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder[PROCESS_REGISTRY] = registry;
  }
  return registry;
}

/**
 * A Prometheus registry of its own for one server instance (never prom-client's global
 * one: a test process runs a gateway and six subgraphs), every series labelled with the
 * `service` it belongs to (`gateway`, `subgraph-dtv`, ...).
 */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  return registry;
}

/**
 * Prometheus text exposition of a server's registry followed by the process metrics
 * (`process_*`, `nodejs_*`): what `GET /metrics` answers.
 */
export async function exposition(registry: Registry): Promise<string> {
  const [own, process] = await Promise.all([registry.metrics(), processRegistry().metrics()]);
  return `${own.trimEnd()}\n${process}`;
}

/**
 * The `GET /metrics` route for a server's registry (createGraphQLHandler's `routes`):
 * 200 with the Prometheus text format, or 500 with a plain message if collecting failed.
 * Unauthenticated, like `/health`: it carries counts by operation name, subgraph, policy
 * class and audience, never personal data; keep the port off the public network.
 */
export function metricsRoute(registry: Registry): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let body: string;
    try {
      body = await exposition(registry);
    } catch {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics collection failed\n');
      return;
    }
    res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
