import { startTestStack, type TestStack } from '../support/stack';
import { DEPARTURES, errorsWithCode, PERSON, pathsOf, restartSubgraph, subgraphOf, V_NUMBER, waitFor } from './support';

/**
 * A partner stopped mid-run: the person query still answers with what the other partners
 * know, with SUBGRAPH_UNAVAILABLE naming COA at exactly the fields COA holds; once COA is
 * started again on the same port, the same gateway (not restarted) gives the full answer
 * again, after at most the circuit breaker's cool-down.
 */

jest.setTimeout(90_000);

const COOLDOWN_MS = 400;
let stack: TestStack;
let baseline: any;
let baselinePage: any;

beforeAll(async () => {
  stack = await startTestStack({ env: { CIRCUIT_BREAKER_THRESHOLD: '2', CIRCUIT_BREAKER_COOLDOWN_MS: String(COOLDOWN_MS), POLICY_WATCH: 'false' } });
  const first = await stack.query(PERSON, { variables: { v: V_NUMBER } });
  expect(first.body.errors).toBeUndefined();
  baseline = first.body.data.person;
  const page = await stack.query(DEPARTURES, { variables: window() });
  expect(page.body.errors).toBeUndefined();
  baselinePage = page.body.data;
});

afterAll(async () => {
  await stack?.close();
});

const DAY = 24 * 3600_000;
const window = () => ({ from: stack.world.reference.toISOString(), to: new Date(stack.world.reference.getTime() + 30 * DAY).toISOString() });

it('answers with the other partners data and SUBGRAPH_UNAVAILABLE at the missing paths while COA is down', async () => {
  expect(baseline.characteristics).not.toBeNull();
  expect(baseline.name).not.toBeNull();
  await subgraphOf(stack, 'coa').close();

  const response = await stack.query(PERSON, { variables: { v: V_NUMBER } });
  expect(response.status).toBe(200);
  const person = response.body.data.person;
  // COA's fields are null ...
  expect(person.characteristics).toBeNull();
  expect(person.reception).toBeNull();
  // ... everything the other partners hold is intact.
  const { characteristics: _c, reception: _r, ...others } = baseline;
  expect(person).toMatchObject(others);
  expect(others.detention).not.toBeNull();
  expect(others.transportOrders.length).toBeGreaterThan(0);
  expect(others.healthNotice).not.toBeNull();

  const errors = response.body.errors ?? [];
  expect(pathsOf(errors)).toEqual(['person.characteristics', 'person.reception']);
  for (const error of errors) {
    expect(error.extensions).toMatchObject({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'coa' });
    expect(error.message).toMatch(/^COA \(subgraph coa\) is unavailable/);
  }
  // No address, network error or stack trace reaches the client.
  const text = JSON.stringify(response.body);
  for (const secret of ['127.0.0.1', 'http://', 'ECONNREFUSED', 'stacktrace', 'exception', 'at ']) expect(text).not.toContain(secret);
});

it('puts the error at each list index of a page of departures', async () => {
  const response = await stack.query(DEPARTURES, { variables: window() });
  expect(response.status).toBe(200);
  const nodes = response.body.data.departures.nodes as any[];
  expect(nodes).toHaveLength(3);
  nodes.forEach((node, i) => {
    const { characteristics: _c, ...others } = baselinePage.departures.nodes[i].person;
    expect(node.person).toEqual({ ...others, characteristics: null });
    expect(node.person.name).not.toBeNull();
  });
  const unavailable = errorsWithCode(response, 'SUBGRAPH_UNAVAILABLE');
  expect(pathsOf(unavailable)).toEqual([0, 1, 2].map((i) => `departures.nodes.${i}.person.characteristics`));
  expect(unavailable.every((e) => e.extensions?.subgraph === 'coa')).toBe(true);
  expect(response.body.errors).toHaveLength(3);
});

it('refuses fast while the breaker is open', async () => {
  // Two failures so far (threshold 2): the breaker is open and COA is not even contacted.
  const started = Date.now();
  const response = await stack.query(PERSON, { variables: { v: V_NUMBER } });
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(pathsOf(errorsWithCode(response, 'SUBGRAPH_UNAVAILABLE'))).toEqual(['person.characteristics', 'person.reception']);
});

it('gives the full answer again once COA is back, without restarting the gateway', async () => {
  const restartedAt = Date.now();
  await restartSubgraph(stack, 'coa');
  const startedIn = Date.now() - restartedAt;
  const recovery = await waitFor(async () => {
    const response = await stack.query(PERSON, { variables: { v: V_NUMBER } });
    return response.body.errors === undefined;
  }, COOLDOWN_MS + 5_000, 50);
  console.log(`COA restarted in ${startedIn} ms; full answer again ${recovery} ms later (breaker cool-down ${COOLDOWN_MS} ms)`);
  expect(recovery).toBeLessThan(COOLDOWN_MS + 2_000);

  const response = await stack.query(PERSON, { variables: { v: V_NUMBER } });
  expect(response.body.errors).toBeUndefined();
  expect(response.body.data.person).toEqual(baseline);
  const page = await stack.query(DEPARTURES, { variables: window() });
  expect(page.body.errors).toBeUndefined();
  expect(page.body.data).toEqual(baselinePage);
});
