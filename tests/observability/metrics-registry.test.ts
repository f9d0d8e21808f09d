import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter } from 'prom-client';
import { createMetricsRegistry, exposition, metricsRoute } from '../../lib/observability/metrics-registry';
import { familiesOf, parseExposition, valueOf } from './prometheus';

describe('createMetricsRegistry', () => {
  it('gives each server a registry of its own, labelled with its service', async () => {
    const a = createMetricsRegistry('gateway');
    const b = createMetricsRegistry('subgraph-dtv');
    // The same metric name in both: fine, they are separate registries (not prom-client's global one).
    const inA = new Counter({ name: 'chain_test_total', help: 'test', registers: [a] });
    new Counter({ name: 'chain_test_total', help: 'test', registers: [b] });
    inA.inc(2);
    const samplesA = parseExposition(await a.metrics());
    const samplesB = parseExposition(await b.metrics());
    expect(valueOf(samplesA, 'chain_test_total', { service: 'gateway' })).toBe(2);
    expect(valueOf(samplesB, 'chain_test_total', { service: 'subgraph-dtv' })).toBe(0);
  });
});

describe('exposition', () => {
  it("serves the server's metrics and the process metrics once", async () => {
    const registry = createMetricsRegistry('gateway');
    new Counter({ name: 'chain_test_total', help: 'test', registers: [registry] }).inc();
    const text = await exposition(registry);
    const families = familiesOf(text);
    expect(families.get('chain_test_total')).toBe('counter');
    expect(families.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(families.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    expect(text.match(/^# TYPE process_cpu_user_seconds_total /gm)).toHaveLength(1);
    expect(() => parseExposition(text)).not.toThrow();
  });
});

describe('metricsRoute', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const registry = createMetricsRegistry('gateway');
    new Counter({ name: 'chain_test_total', help: 'test', registers: [registry] }).inc(3);
    const route = metricsRoute(registry);
    server = createServer((req, res) => void route(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers GET with the Prometheus text format', async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(valueOf(parseExposition(await response.text()), 'chain_test_total')).toBe(3);
  });

  it('answers HEAD without a body', async () => {
    const response = await fetch(`${base}/metrics`, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });
});
