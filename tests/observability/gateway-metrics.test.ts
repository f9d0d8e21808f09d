import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';
import { familiesOf, parseExposition, valueOf, type Sample } from './prometheus';

/**
 * GET /metrics on a running stack: every metric family the gateway promises is exposed,
 * and a few known requests move the right series (requests by operation, denials by class
 * and audience, per-subgraph fetch latency, access-log writes); each subgraph exposes its
 * own request counts.
 */

jest.setTimeout(120_000);

const PARTNERS = ['dtv', 'dji', 'dvo', 'coa', 'medical'];
const V = DEMO_V_NUMBERS.consentGiven;

// One field from each partner.
const PERSON = /* GraphQL */ `
  query PersonPicture($v: String!) {
    person(vNumber: $v) {
      vNumber
      detention { unit }
      transportOrders { id }
      reception { currentLocation { code } }
      healthNotice { fitToTravel }
    }
  }
`;

const DOSSIER = /* GraphQL */ `
  query Dossier($v: String!) {
    person(vNumber: $v) { vNumber medicalDossier { conditions { code } } }
  }
`;

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
});

function metricsUrl(graphqlUrl: string): string {
  return graphqlUrl.replace(/\/graphql$/, '/metrics');
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[]; contentType: string | null }> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { text, samples: parseExposition(text), contentType: response.headers.get('content-type') };
}

test('the gateway exposes every metric family, in the Prometheus text format, with process metrics', async () => {
  await stack.query(PERSON, { variables: { v: V } });
  const { text, contentType } = await scrape(metricsUrl(stack.gateway.url));
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  const families = familiesOf(text);
  for (const [name, type] of [
    ['chain_graphql_requests_total', 'counter'],
    ['chain_graphql_request_duration_seconds', 'histogram'],
    ['chain_graphql_errors_total', 'counter'],
    ['chain_authorization_denials_total', 'counter'],
    ['chain_subgraph_fetch_duration_seconds', 'histogram'],
    ['chain_subgraph_fetch_errors_total', 'counter'],
    ['chain_subgraph_response_errors_total', 'counter'],
    ['chain_access_log_writes_total', 'counter'],
    ['chain_access_log_records_total', 'counter'],
    ['chain_access_log_write_duration_seconds', 'histogram'],
    ['chain_access_log_write_failures_total', 'counter'],
    ['chain_access_log_withheld_fields_total', 'counter'],
    ['process_cpu_user_seconds_total', 'counter'],
    ['process_resident_memory_bytes', 'gauge'],
    ['nodejs_heap_size_used_bytes', 'gauge'],
    ['nodejs_eventloop_lag_seconds', 'gauge'],
  ]) {
    expect([name, families.get(name)]).toEqual([name, type]);
  }
  // The gateway's own series carry its service label; no V-number anywhere.
  expect(text).toMatch(/chain_graphql_requests_total\{[^}]*service="gateway"/);
  expect(text).not.toContain(V);
});

test('requests and latency are counted by operation name; unnamed and unauthenticated ones as anonymous', async () => {
  const before = (await scrape(metricsUrl(stack.gateway.url))).samples;
  for (let i = 0; i < 3; i++) expect((await stack.query(PERSON, { variables: { v: V } })).status).toBe(200);
  expect((await stack.query(`{ person(vNumber: "${V}") { vNumber } }`)).status).toBe(200);
  expect((await stack.query(PERSON, { variables: { v: V }, token: null })).status).toBe(401);
  const after = (await scrape(metricsUrl(stack.gateway.url))).samples;
  const delta = (name: string, labels: Record<string, string>) => valueOf(after, name, labels) - valueOf(before, name, labels);

  expect(delta('chain_graphql_requests_total', { operation: 'PersonPicture', status: '200' })).toBe(3);
  expect(delta('chain_graphql_request_duration_seconds_count', { operation: 'PersonPicture' })).toBe(3);
  expect(delta('chain_graphql_request_duration_seconds_sum', { operation: 'PersonPicture' })).toBeGreaterThan(0);
  // Cumulative buckets: +Inf holds every observation.
  expect(delta('chain_graphql_request_duration_seconds_bucket', { operation: 'PersonPicture', le: '+Inf' })).toBe(3);
  expect(delta('chain_graphql_requests_total', { operation: 'anonymous', status: '200' })).toBe(1);
  expect(delta('chain_graphql_requests_total', { operation: 'anonymous', status: '401' })).toBe(1);
  expect(delta('chain_graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
});

test("a transport officer's dossier attempt counts a denial of class medical-dossier for chain-officer", async () => {
  const labels = { class: 'medical-dossier', audience: 'chain-officer' };
  const before = valueOf((await scrape(metricsUrl(stack.gateway.url))).samples, 'chain_authorization_denials_total', labels);
  const response = await stack.query(DOSSIER, { variables: { v: V }, role: 'transport-officer' });
  expect(response.body.errors?.map((e) => [e.extensions?.code, e.extensions?.class])).toContainEqual(['FORBIDDEN', 'medical-dossier']);
  const after = (await scrape(metricsUrl(stack.gateway.url))).samples;
  expect(valueOf(after, 'chain_authorization_denials_total', labels) - before).toBe(1);
  expect(valueOf(after, 'chain_graphql_errors_total', { code: 'FORBIDDEN' })).toBeGreaterThanOrEqual(1);
  // A doctor reading the same dossier is not a denial.
  const doctorBefore = valueOf(after, 'chain_authorization_denials_total', { class: 'medical-dossier', audience: 'medical-professional' });
  const doctor = await stack.query(DOSSIER, { variables: { v: V }, role: 'medical-doctor' });
  expect(doctor.body.data?.person?.medicalDossier).not.toBeNull();
  const final = (await scrape(metricsUrl(stack.gateway.url))).samples;
  expect(valueOf(final, 'chain_authorization_denials_total', { class: 'medical-dossier', audience: 'medical-professional' })).toBe(doctorBefore);
});

test('the per-subgraph fetch latency histogram has samples for each partner after a person query', async () => {
  const before = (await scrape(metricsUrl(stack.gateway.url))).samples;
  const response = await stack.query(PERSON, { variables: { v: V } });
  expect(response.body.errors ?? []).toEqual([]);
  const after = (await scrape(metricsUrl(stack.gateway.url))).samples;
  for (const subgraph of PARTNERS) {
    const count = valueOf(after, 'chain_subgraph_fetch_duration_seconds_count', { subgraph }) - valueOf(before, 'chain_subgraph_fetch_duration_seconds_count', { subgraph });
    expect([subgraph, count >= 1]).toEqual([subgraph, true]);
    expect(valueOf(after, 'chain_subgraph_fetch_duration_seconds_sum', { subgraph })).toBeGreaterThan(0);
    expect(valueOf(after, 'chain_subgraph_fetch_errors_total', { subgraph })).toBe(0);
  }
});

test('access-log writes are counted: an audited read commits records', async () => {
  const before = (await scrape(metricsUrl(stack.gateway.url))).samples;
  await stack.query(PERSON, { variables: { v: V } }); // the health notice is audited
  const after = (await scrape(metricsUrl(stack.gateway.url))).samples;
  expect(valueOf(after, 'chain_access_log_writes_total') - valueOf(before, 'chain_access_log_writes_total')).toBe(1);
  expect(valueOf(after, 'chain_access_log_records_total') - valueOf(before, 'chain_access_log_records_total')).toBeGreaterThanOrEqual(1);
  expect(valueOf(after, 'chain_access_log_write_duration_seconds_count')).toBeGreaterThanOrEqual(1);
  expect(valueOf(after, 'chain_access_log_write_failures_total')).toBe(0);
});

test('each subgraph serves its own request counts and latency at /metrics', async () => {
  await stack.query(PERSON, { variables: { v: V } });
  for (const subgraph of stack.subgraphs.filter((s) => PARTNERS.includes(s.name))) {
    const { samples, text } = await scrape(metricsUrl(subgraph.url));
    const service = `subgraph-${subgraph.name}`;
    expect([subgraph.name, valueOf(samples, 'chain_graphql_requests_total', { service, status: '200' }) >= 1]).toEqual([subgraph.name, true]);
    expect(valueOf(samples, 'chain_graphql_request_duration_seconds_count', { service })).toBeGreaterThanOrEqual(1);
    expect(familiesOf(text).get('process_cpu_user_seconds_total')).toBe('counter');
    // Only the gateway fetches from subgraphs and writes the access log.
    expect(familiesOf(text).has('chain_subgraph_fetch_duration_seconds')).toBe(false);
    expect(text).not.toContain(V);
  }
});

test('each server instance has its own registry: the subgraphs do not see the gateway operation names', async () => {
  const gateway = (await scrape(metricsUrl(stack.gateway.url))).samples;
  const dtv = (await scrape(metricsUrl(stack.subgraphs.find((s) => s.name === 'dtv')!.url))).samples;
  expect(valueOf(gateway, 'chain_graphql_requests_total', { operation: 'PersonPicture' })).toBeGreaterThan(0);
  expect(gateway.every((s) => !s.name.startsWith('chain_') || s.labels.service === 'gateway')).toBe(true);
  expect(dtv.every((s) => !s.name.startsWith('chain_') || s.labels.service === 'subgraph-dtv')).toBe(true);
  // The gateway names its subgraph operations after the client's (`PersonPicture__dtv__0`).
  expect(valueOf(dtv, 'chain_graphql_requests_total', { operation: 'PersonPicture' })).toBe(0);
});

// Last: takes partners away from the stack.
test('a partner down counts fetch errors for it; the access log down counts a write failure and the withheld fields', async () => {
  await stack.subgraphs.find((s) => s.name === 'coa')!.close();
  await stack.subgraphs.find((s) => s.name === 'audit')!.close();
  const before = (await scrape(metricsUrl(stack.gateway.url))).samples;
  const response = await stack.query(PERSON, { variables: { v: V } });
  expect(response.status).toBe(200);
  const codes = (response.body.errors ?? []).map((e) => e.extensions?.code);
  expect(codes).toContain('SUBGRAPH_UNAVAILABLE');
  expect(codes).toContain('ACCESS_LOG_UNAVAILABLE');
  const after = (await scrape(metricsUrl(stack.gateway.url))).samples;
  const delta = (name: string, labels: Record<string, string> = {}) => valueOf(after, name, labels) - valueOf(before, name, labels);

  expect(delta('chain_subgraph_fetch_errors_total', { subgraph: 'coa', code: 'SUBGRAPH_UNAVAILABLE' })).toBe(1);
  expect(delta('chain_subgraph_fetch_duration_seconds_count', { subgraph: 'coa' })).toBe(1);
  for (const subgraph of ['dtv', 'dji', 'dvo', 'medical']) expect([subgraph, delta('chain_subgraph_fetch_errors_total', { subgraph })]).toEqual([subgraph, 0]);
  expect(delta('chain_access_log_write_failures_total', { reason: 'network' })).toBe(1);
  expect(delta('chain_access_log_withheld_fields_total')).toBe(1); // the health notice
  expect(delta('chain_access_log_writes_total')).toBe(0);
  expect(delta('chain_graphql_errors_total', { code: 'ACCESS_LOG_UNAVAILABLE' })).toBe(1);
  expect(delta('chain_graphql_errors_total', { code: 'SUBGRAPH_UNAVAILABLE' })).toBeGreaterThanOrEqual(1);
});
