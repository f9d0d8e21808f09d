import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { createSubgraphFetchMetrics } from '../../gateway/observability/subgraph-fetch-metrics';
import { createMetricsRegistry } from '../../lib/observability/metrics-registry';
import { parseExposition, valueOf } from './prometheus';

/** The data-source hook: latency for every fetch, failures by code, per-request tallies. */

type Answer = () => Promise<Awaited<ReturnType<GraphQLDataSource['process']>>>;

class FakeSource implements GraphQLDataSource {
  constructor(public answer: Answer) {}
  process(_options: GraphQLDataSourceProcessOptions): ReturnType<GraphQLDataSource['process']> {
    return this.answer();
  }
}

const incoming = (context: object) => ({ kind: 'incoming operation', request: {}, context, incomingRequestContext: {} }) as unknown as GraphQLDataSourceProcessOptions;

function setup() {
  const registry = createMetricsRegistry('gateway');
  const metrics = createSubgraphFetchMetrics(registry);
  return { registry, metrics, samples: async () => parseExposition(await registry.metrics()) };
}

test('times every fetch per subgraph and tallies them per request context', async () => {
  const { metrics, samples } = setup();
  const source = new FakeSource(async () => {
    await new Promise((resolve) => setTimeout(resolve, 15));
    return { data: { ok: true } };
  });
  const instrumented = metrics.instrument('dtv', source);
  expect(instrumented).toBe(source); // the same object, whatever it is
  const context = {};
  await instrumented.process(incoming(context));
  await instrumented.process(incoming(context));
  await metrics.instrument('dji', new FakeSource(async () => ({ data: {} }))).process(incoming(context));
  const s = await samples();
  expect(valueOf(s, 'chain_subgraph_fetch_duration_seconds_count', { subgraph: 'dtv', service: 'gateway' })).toBe(2);
  expect(valueOf(s, 'chain_subgraph_fetch_duration_seconds_sum', { subgraph: 'dtv' })).toBeGreaterThanOrEqual(0.025);
  expect(valueOf(s, 'chain_subgraph_fetch_duration_seconds_count', { subgraph: 'dji' })).toBe(1);
  const tally = metrics.tallyFor(context)!;
  expect(tally.dtv).toMatchObject({ fetches: 2, failed: 0 });
  expect(tally.dtv!.ms).toBeGreaterThanOrEqual(25);
  expect(tally.dji).toMatchObject({ fetches: 1, failed: 0 });
  expect(metrics.tallyFor({})).toBeUndefined();
});

test('counts failed fetches by code: resilience answers, thrown GraphQL errors, anything else as FETCH_FAILED', async () => {
  const { metrics, samples } = setup();
  const context = {};
  const failure = (code: string) => async () => ({ errors: [1, 2, 3].map(() => ({ message: 'x', extensions: { code, subgraph: 'coa' } })) }) as never;
  await metrics.instrument('coa', new FakeSource(failure('SUBGRAPH_UNAVAILABLE'))).process(incoming(context));
  await metrics.instrument('coa', new FakeSource(failure('SUBGRAPH_TIMEOUT'))).process(incoming(context));
  const thrown = metrics.instrument('dvo', new FakeSource(async () => {
    throw new GraphQLError('bad', { extensions: { code: 'BAD_USER_INPUT' } });
  }));
  await expect(thrown.process(incoming(context))).rejects.toThrow('bad');
  const broken = metrics.instrument('dvo', new FakeSource(async () => {
    throw new TypeError('fetch failed');
  }));
  await expect(broken.process(incoming(context))).rejects.toThrow('fetch failed');
  const s = await samples();
  // One failure per fetch, not per field error.
  expect(valueOf(s, 'chain_subgraph_fetch_errors_total', { subgraph: 'coa', code: 'SUBGRAPH_UNAVAILABLE' })).toBe(1);
  expect(valueOf(s, 'chain_subgraph_fetch_errors_total', { subgraph: 'coa', code: 'SUBGRAPH_TIMEOUT' })).toBe(1);
  expect(valueOf(s, 'chain_subgraph_fetch_errors_total', { subgraph: 'dvo', code: 'BAD_USER_INPUT' })).toBe(1);
  expect(valueOf(s, 'chain_subgraph_fetch_errors_total', { subgraph: 'dvo', code: 'FETCH_FAILED' })).toBe(1);
  expect(valueOf(s, 'chain_subgraph_fetch_duration_seconds_count', { subgraph: 'dvo' })).toBe(2);
  expect(valueOf(s, 'chain_subgraph_response_errors_total')).toBe(0);
  expect(metrics.tallyFor(context)).toMatchObject({ coa: { fetches: 2, failed: 2 }, dvo: { fetches: 2, failed: 2 } });
});

test('counts GraphQL errors in answers that arrived by code, without calling the fetch failed', async () => {
  const { metrics, samples } = setup();
  const context = {};
  const source = new FakeSource(async () => ({
    data: { person: { medicalDossier: null } },
    errors: [{ message: 'Not authorised to read Person.medicalDossier', extensions: { code: 'FORBIDDEN', class: 'medical-dossier' } }],
  }) as never);
  await metrics.instrument('medical', source).process(incoming(context));
  const s = await samples();
  expect(valueOf(s, 'chain_subgraph_response_errors_total', { subgraph: 'medical', code: 'FORBIDDEN' })).toBe(1);
  expect(valueOf(s, 'chain_subgraph_fetch_errors_total')).toBe(0);
  expect(metrics.tallyFor(context)).toMatchObject({ medical: { fetches: 1, failed: 0 } });
});

test('health checks and schema loading are not counted', async () => {
  const { metrics, samples } = setup();
  const source = metrics.instrument('dtv', new FakeSource(async () => ({ data: {} })));
  await source.process({ kind: 'health check', request: {}, context: {} } as unknown as GraphQLDataSourceProcessOptions);
  expect(valueOf(await samples(), 'chain_subgraph_fetch_duration_seconds_count')).toBe(0);
});
