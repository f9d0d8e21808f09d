import type { RunningGateway } from '../../gateway/server';
import { startTestStack, type TestStack } from '../support/stack';
import { errorsWithCode, PERSON, pathsOf, queryAt, startHungServer, startSideGateway, V_NUMBER, type HungServer } from './support';

/**
 * A partner that accepts the connection and never answers: the gateway answers within the
 * partner's timeout plus a small margin, with SUBGRAPH_TIMEOUT naming the partner at its
 * fields and everything else intact. After as many timeouts as the breaker's threshold the
 * breaker opens and the answer comes at once.
 */

jest.setTimeout(90_000);

const TIMEOUT_MS = 1_000;
const MARGIN_MS = 1_500;
let stack: TestStack;
let hung: HungServer;
let gateway: RunningGateway;

beforeAll(async () => {
  stack = await startTestStack({ env: { POLICY_WATCH: 'false' } });
  hung = await startHungServer();
  // A gateway over the same partners, except that DJI's URL points at the hung server.
  gateway = await startSideGateway(stack, {
    DJI_URL: hung.url,
    DJI_TIMEOUT_MS: String(TIMEOUT_MS),
    SUBGRAPH_TIMEOUT_MS: '10000',
    CIRCUIT_BREAKER_THRESHOLD: '2',
    CIRCUIT_BREAKER_COOLDOWN_MS: '60000',
  });
});

afterAll(async () => {
  await gateway?.close();
  await hung?.close();
  await stack?.close();
});

it('answers within the timeout plus a small margin, with SUBGRAPH_TIMEOUT at the hung partner fields', async () => {
  const full = await stack.query(PERSON, { variables: { v: V_NUMBER } });
  expect(full.body.errors).toBeUndefined();

  const started = performance.now();
  const response = await queryAt(stack, gateway.url, PERSON, { v: V_NUMBER });
  const elapsed = performance.now() - started;
  console.log(`answer with a hung DJI: ${Math.round(elapsed)} ms (DJI_TIMEOUT_MS ${TIMEOUT_MS})`);
  expect(hung.requests).toBe(1);
  expect(elapsed).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
  expect(elapsed).toBeLessThan(TIMEOUT_MS + MARGIN_MS);

  expect(response.status).toBe(200);
  const { detention: _d, ...others } = full.body.data.person;
  expect(response.body.data.person).toEqual({ ...others, detention: null });
  const timeouts = errorsWithCode(response, 'SUBGRAPH_TIMEOUT');
  expect(pathsOf(timeouts)).toEqual(['person.detention']);
  expect(timeouts[0]!.extensions).toMatchObject({ code: 'SUBGRAPH_TIMEOUT', subgraph: 'dji' });
  expect(timeouts[0]!.message).toBe(`DJI (subgraph dji) did not answer within ${TIMEOUT_MS} ms; the data it holds is missing from this answer`);
  expect(response.body.errors).toHaveLength(1);
  expect(JSON.stringify(response.body)).not.toContain('127.0.0.1');
});

it('opens the breaker after the threshold of timeouts, and then answers at once', async () => {
  // Second timeout: the threshold (2) is reached.
  const second = await queryAt(stack, gateway.url, PERSON, { v: V_NUMBER });
  expect(pathsOf(errorsWithCode(second, 'SUBGRAPH_TIMEOUT'))).toEqual(['person.detention']);
  const requestsBefore = hung.requests;

  const started = performance.now();
  const third = await queryAt(stack, gateway.url, PERSON, { v: V_NUMBER });
  const elapsed = performance.now() - started;
  console.log(`answer with DJI's breaker open: ${Math.round(elapsed)} ms`);
  expect(elapsed).toBeLessThan(TIMEOUT_MS);
  expect(hung.requests).toBe(requestsBefore); // not contacted
  const unavailable = errorsWithCode(third, 'SUBGRAPH_UNAVAILABLE');
  expect(pathsOf(unavailable)).toEqual(['person.detention']);
  expect(unavailable[0]!.extensions?.subgraph).toBe('dji');
  expect(third.body.data.person.name).not.toBeNull();
});
