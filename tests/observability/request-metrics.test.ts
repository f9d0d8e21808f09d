import type { Registry } from 'prom-client';
import { createMetricsRegistry } from '../../lib/observability/metrics-registry';
import { useMetrics } from '../../lib/observability/request-metrics';
import { CHAIN_OFFICER, testServer } from './apollo';
import { parseExposition, valueOf } from './prometheus';

/** useMetrics on a small Apollo Server: what each kind of request does to the series. */

async function samples(registry: Registry) {
  return parseExposition(await registry.metrics());
}

async function setup(maxOperations?: number) {
  const registry = createMetricsRegistry('test');
  const { server, send } = await testServer([useMetrics({ registry, maxOperations })]);
  return { registry, server, send };
}

test('counts requests and times them by operation name and status', async () => {
  const { registry, server, send } = await setup();
  for (let i = 0; i < 2; i++) expect((await send({ query: 'query Greeting { hello }' }, CHAIN_OFFICER)).status).toBe(200);
  await send({ query: 'query Slow { slow }' }, CHAIN_OFFICER);
  await send({ query: '{ hello }' }, CHAIN_OFFICER);
  const s = await samples(registry);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'Greeting', status: '200' })).toBe(2);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'anonymous', status: '200' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_request_duration_seconds_count', { operation: 'Greeting' })).toBe(2);
  expect(valueOf(s, 'chain_graphql_request_duration_seconds_sum', { operation: 'Slow' })).toBeGreaterThanOrEqual(0.015);
  expect(valueOf(s, 'chain_graphql_request_duration_seconds_bucket', { operation: 'Slow', le: '0.01' })).toBe(0);
  expect(valueOf(s, 'chain_graphql_request_duration_seconds_bucket', { operation: 'Slow', le: '0.1' })).toBe(1);
  await server.stop();
});

test('operation names: digit runs masked, unresolved ones anonymous, at most maxOperations then other', async () => {
  const { registry, server, send } = await setup(3);
  await send({ query: 'query Read2044001001 { hello }' }, CHAIN_OFFICER);
  // An operationName that the document does not define: not resolved, so not used.
  await send({ query: 'query A { hello }', operationName: 'Nope2044001002' }, CHAIN_OFFICER);
  for (const name of ['B', 'C', 'D', 'E']) await send({ query: `query ${name} { hello }` }, CHAIN_OFFICER);
  await send({ query: 'query B { hello }' }, CHAIN_OFFICER);
  const s = await samples(registry);
  const text = await registry.metrics();
  expect(text).not.toContain('2044001001');
  expect(text).not.toContain('2044001002');
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'Read##########' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'anonymous', status: '500' })).toBe(0);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'anonymous' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'B' })).toBe(2);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'other' })).toBe(3); // C, D, E
  const operations = new Set(s.filter((x) => x.name === 'chain_graphql_requests_total').map((x) => x.labels.operation));
  expect(operations).toEqual(new Set(['Read##########', 'anonymous', 'B', 'other']));
  await server.stop();
});

test('the default cap is 100 distinct names', async () => {
  const { registry, server, send } = await setup();
  for (let i = 0; i < 105; i++) await send({ query: `query Op${String.fromCharCode(65 + (i % 26))}${Math.floor(i / 26)} { hello }` }, CHAIN_OFFICER);
  const s = await samples(registry);
  const names = s.filter((x) => x.name === 'chain_graphql_requests_total');
  expect(names).toHaveLength(101);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'other' })).toBe(5);
  await server.stop();
});

test('counts denials by class and audience, and errors by code', async () => {
  const { registry, server, send } = await setup();
  const response = await send({ query: 'query Mixed { hello dossier notice broken }' }, CHAIN_OFFICER);
  expect(response.status).toBe(200);
  await send({ query: '{ dossier }' }, { identity: { ...CHAIN_OFFICER.identity, audience: null } });
  const s = await samples(registry);
  expect(valueOf(s, 'chain_authorization_denials_total', { class: 'medical-dossier', audience: 'chain-officer' })).toBe(1);
  expect(valueOf(s, 'chain_authorization_denials_total', { class: 'medical-dossier', audience: 'none' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'FORBIDDEN' })).toBe(2);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'SUBGRAPH_UNAVAILABLE' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'INTERNAL_SERVER_ERROR' })).toBe(1);
  await server.stop();
});

test('counts requests refused before execution: no valid token, CSRF, parse and validation errors', async () => {
  const { registry, server, send } = await setup();
  expect((await send({ query: '{ hello }' }, null)).status).toBe(401);
  // A GET without a preflight header is refused by CSRF prevention.
  expect((await send({ query: '{ hello }' }, CHAIN_OFFICER, { method: 'GET', headers: { 'content-type': 'text/plain' } })).status).toBe(400);
  expect((await send({ query: '{ hello' }, CHAIN_OFFICER)).status).toBe(400);
  expect((await send({ query: 'query V { nope }' }, CHAIN_OFFICER)).status).toBe(400);
  const s = await samples(registry);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'anonymous', status: '401' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'BAD_REQUEST' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
  expect(valueOf(s, 'chain_graphql_requests_total', { operation: 'anonymous', status: '400' })).toBe(3);
  // Refusals before Apollo ran the request are not timed.
  expect(valueOf(s, 'chain_graphql_request_duration_seconds_count')).toBe(2);
  await server.stop();
});
