import { createAccessLogMetrics } from '../../gateway/observability/access-log-metrics';
import { createMetricsRegistry } from '../../lib/observability/metrics-registry';
import { parseExposition, valueOf } from './prometheus';

/**
 * The counters the access logger reports to (gateway/access-log/access-logger.ts calls
 * `committed` after each commit and `failed` when a batch could not be written; the
 * end-to-end path is in gateway-metrics.test.ts).
 */

test('counts committed batches, records and commit time', async () => {
  const registry = createMetricsRegistry('gateway');
  const metrics = createAccessLogMetrics(registry);
  metrics.committed(2, 0.012);
  metrics.committed(1, 0.2);
  const s = parseExposition(await registry.metrics());
  expect(valueOf(s, 'chain_access_log_writes_total', { service: 'gateway' })).toBe(2);
  expect(valueOf(s, 'chain_access_log_records_total')).toBe(3);
  expect(valueOf(s, 'chain_access_log_write_duration_seconds_count')).toBe(2);
  expect(valueOf(s, 'chain_access_log_write_duration_seconds_bucket', { le: '0.025' })).toBe(1);
  expect(valueOf(s, 'chain_access_log_write_failures_total')).toBe(0);
});

test('counts failures by reason and the fields withheld because of them', async () => {
  const registry = createMetricsRegistry('gateway');
  const metrics = createAccessLogMetrics(registry);
  metrics.failed('timeout', 3);
  metrics.failed('network', 1);
  metrics.failed('status 503', 2);
  metrics.failed('status 503', 0);
  const s = parseExposition(await registry.metrics());
  expect(valueOf(s, 'chain_access_log_write_failures_total', { reason: 'timeout' })).toBe(1);
  expect(valueOf(s, 'chain_access_log_write_failures_total', { reason: 'network' })).toBe(1);
  expect(valueOf(s, 'chain_access_log_write_failures_total', { reason: 'status_503' })).toBe(2);
  expect(valueOf(s, 'chain_access_log_withheld_fields_total')).toBe(6);
  expect(valueOf(s, 'chain_access_log_writes_total')).toBe(0);
});

test('reasons are bounded: odd strings are normalised and capped', async () => {
  const registry = createMetricsRegistry('gateway');
  const metrics = createAccessLogMetrics(registry);
  for (let i = 0; i < 30; i++) metrics.failed(`status ${500 + i}`, 0);
  metrics.failed('???', 0);
  const reasons = new Set(parseExposition(await registry.metrics()).filter((x) => x.name === 'chain_access_log_write_failures_total').map((x) => x.labels.reason));
  expect(reasons.size).toBe(21);
  expect(reasons.has('other')).toBe(true);
  for (const reason of reasons) expect(reason).toMatch(/^[a-z0-9_]+$/);
});
