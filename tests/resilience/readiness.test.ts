import { readyUrlOf, useGatewayReadiness } from '../../gateway/resilience/readiness';
import { useSubgraphReadiness } from '../../lib/subgraph/readiness';
import { startTestStack, type TestStack } from '../support/stack';
import { restartSubgraph, subgraphOf, waitFor } from './support';

/**
 * Readiness: every subgraph's /ready (store answers, policy loaded) and the gateway's
 * /ready (policy loaded, every subgraph's /ready answers 200 in time, with each
 * subgraph's state and breaker state). The gateway's goes 503 while a partner is down and
 * back to 200 when it returns; /health stays 200 throughout (alive).
 */

jest.setTimeout(90_000);

let stack: TestStack;
const gatewayBase = () => stack.gateway.url.replace(/\/graphql$/, '');

async function get(url: string): Promise<{ status: number; body: any; type: string | null }> {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.json() };
}

beforeAll(async () => {
  stack = await startTestStack({ env: { POLICY_WATCH: 'false', READINESS_TIMEOUT_MS: '1000' } });
});

afterAll(async () => {
  await stack?.close();
});

describe('readyUrlOf', () => {
  it('derives /ready from the configured GraphQL URL of a subgraph', () => {
    expect(readyUrlOf('http://127.0.0.1:4002/graphql')).toBe('http://127.0.0.1:4002/ready');
    expect(readyUrlOf('http://dji:4002/graphql/')).toBe('http://dji:4002/ready');
    expect(readyUrlOf('https://partner.example/chain/graphql?x=1')).toBe('https://partner.example/chain/ready');
  });
});

describe('a subgraph /ready', () => {
  it('is 200 with a JSON body when its store answers and its policy is loaded', async () => {
    const dji = subgraphOf(stack, 'dji');
    const ready = await get(readyUrlOf(dji.url));
    expect(ready.status).toBe(200);
    expect(ready.type).toMatch(/^application\/json/);
    expect(ready.body).toEqual({ status: 'ready', subgraph: 'dji', checks: { store: 'ok', policy: 'ok' }, policy: stack.gateway.policy().hash });
    expect((await get(dji.url.replace(/graphql$/, 'health'))).status).toBe(200);
  });

  it('is 503 when the store does not answer, or not in time', async () => {
    const policy = () => stack.gateway.policy();
    const send = async (ping: () => Promise<void>) => {
      const { check } = useSubgraphReadiness({ subgraph: 'dji', store: { ping }, policy, timeoutMs: 100 });
      return check();
    };
    expect(await send(() => Promise.reject(new Error('connection refused by db.internal:5432')))).toEqual({
      status: 'not-ready',
      subgraph: 'dji',
      checks: { store: 'failed', policy: 'ok' },
      policy: stack.gateway.policy().hash,
    });
    expect((await send(() => new Promise(() => undefined))).checks.store).toBe('timeout');
    const noPolicy = useSubgraphReadiness({ subgraph: 'dji', store: { ping: async () => undefined }, policy: () => undefined });
    expect(await noPolicy.check()).toMatchObject({ status: 'not-ready', checks: { store: 'ok', policy: 'failed' } });
  });
});

describe('the gateway /ready', () => {
  it('is 200 with every subgraph ready and its breaker closed', async () => {
    const ready = await get(`${gatewayBase()}/ready`);
    expect(ready.status).toBe(200);
    expect(ready.type).toMatch(/^application\/json/);
    expect(ready.body.status).toBe('ready');
    expect(ready.body.policy).toEqual({ loaded: true, version: stack.gateway.policy().version, hash: stack.gateway.policy().hash });
    expect(Object.keys(ready.body.subgraphs).sort()).toEqual(stack.subgraphs.map((s) => s.name).sort());
    for (const state of Object.values<any>(ready.body.subgraphs)) expect(state).toMatchObject({ state: 'ready', breaker: { state: 'closed' } });
    // No internal addresses in the body.
    expect(JSON.stringify(ready.body)).not.toContain('127.0.0.1');
    const health = await get(`${gatewayBase()}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', policy: { hash: stack.gateway.policy().hash } });
  });

  it('goes 503 naming the subgraph that is down, and 200 again when it is back', async () => {
    await subgraphOf(stack, 'medical').close();
    const down = await get(`${gatewayBase()}/ready`);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not-ready');
    expect(down.body.subgraphs.medical.state).toBe('unreachable');
    for (const [name, state] of Object.entries<any>(down.body.subgraphs)) if (name !== 'medical') expect(state.state).toBe('ready');
    expect((await get(`${gatewayBase()}/health`)).status).toBe(200);

    await restartSubgraph(stack, 'medical');
    const back = await waitFor(async () => (await fetch(`${gatewayBase()}/ready`)).status === 200, 5_000);
    console.log(`gateway /ready 200 again ${back} ms after medical was restarted`);
    expect((await get(`${gatewayBase()}/ready`)).body.subgraphs.medical.state).toBe('ready');
  });

  it('reports a timeout and the breaker state, and refuses when no policy is loaded', async () => {
    const slow: typeof fetch = (input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    const readiness = useGatewayReadiness({
      subgraphUrls: { dji: 'http://dji.internal:4002/graphql' },
      timeoutMs: 100,
      policy: () => undefined,
      breakers: () => ({ dji: { state: 'open', consecutiveFailures: 5, retryAt: '2030-01-01T00:00:00.000Z' } }),
      fetch: slow,
    });
    const started = Date.now();
    const result = await readiness.check();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({
      status: 'not-ready',
      policy: { loaded: false },
      subgraphs: { dji: { state: 'timeout', breaker: { state: 'open', consecutiveFailures: 5, retryAt: '2030-01-01T00:00:00.000Z' } } },
    });
  });
});
