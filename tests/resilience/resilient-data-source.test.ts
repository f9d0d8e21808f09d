import { RemoteGraphQLDataSource } from '@apollo/gateway';
import { GraphQLError, parse } from 'graphql';
import { CircuitBreaker } from '../../gateway/resilience/circuit-breaker';
import { ResilientDataSource } from '../../gateway/resilience/resilient-data-source';
import { missingPaths } from '../../gateway/resilience/subgraph-errors';

/**
 * The data source wrapper on its own, with a scripted fetcher: which failures become a
 * partial answer (with paths in the subgraph's response, for @apollo/gateway to map), which
 * are passed on, what the breaker counts, and that the deadline aborts the request.
 */

const ENTITIES = `query Person__dji__1($representations:[_Any!]!){_entities(representations:$representations){...on Person{__typename detention{unit} belongings{description} __accessSubject:vNumber} ...on TransportOrder{kind}}}`;
const ROOT = `query Person__dtv__0($v:String!){person(vNumber:$v){__typename vNumber name{family}} who:person(vNumber:$v){vNumber}}`;
const URL_ = 'http://dji.internal:4002/graphql';

type Fetch = RemoteGraphQLDataSource['fetcher'];

function setup(fetcher: (init: any) => Promise<Response>, timeoutMs = 200) {
  const inner = new RemoteGraphQLDataSource({ url: URL_ });
  const seen: Array<AbortSignal | undefined> = [];
  inner.fetcher = (async (_url: string, init: any) => {
    seen.push(init?.signal);
    return fetcher(init);
  }) as unknown as Fetch;
  const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 60_000 });
  const source = new ResilientDataSource({ subgraph: 'dji', inner, timeoutMs, breaker });
  const process = (query: string, variables: Record<string, unknown>) =>
    source.process({
      kind: 'incoming operation' as never,
      request: { query, variables },
      incomingRequestContext: {} as never,
      context: {},
      document: parse(query),
    } as never);
  return { source, breaker, process, seen };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const representations = [
  { __typename: 'Person', vNumber: '2044001001' },
  { __typename: 'TransportOrder', id: 't1' },
  { __typename: 'Person', vNumber: '2044001002' },
];

describe('missingPaths', () => {
  it('lists every caller field of each entity, by type, without __typename or injected keys', () => {
    expect(missingPaths({ query: ENTITIES, variables: { representations } })).toEqual([
      ['_entities', 0, 'detention'],
      ['_entities', 0, 'belongings'],
      ['_entities', 1, 'kind'],
      ['_entities', 2, 'detention'],
      ['_entities', 2, 'belongings'],
    ]);
  });

  it('lists the root fields (aliases kept) of a root fetch', () => {
    expect(missingPaths({ query: ROOT, variables: { v: '2044001001' } })).toEqual([['person'], ['who']]);
  });

  it('gives no paths for what it cannot read', () => {
    expect(missingPaths({ query: '{ broken' })).toEqual([]);
    expect(missingPaths({})).toEqual([]);
  });
});

describe('ResilientDataSource', () => {
  it('passes answers through and gives the fetcher an abort signal', async () => {
    const { process, seen, breaker } = setup(async () => json(200, { data: { _entities: [] } }));
    await expect(process(ENTITIES, { representations: [] })).resolves.toMatchObject({ data: { _entities: [] } });
    expect(seen[0]).toBeInstanceOf(AbortSignal);
    expect(breaker.state).toBe('closed');
  });

  it('turns a refused connection into SUBGRAPH_UNAVAILABLE errors at the missing paths', async () => {
    const refused = Object.assign(new Error(`request to ${URL_} failed, reason: connect ECONNREFUSED`), { code: 'ECONNREFUSED' });
    const { process, breaker } = setup(() => Promise.reject(refused));
    const response = await process(ENTITIES, { representations: representations.slice(0, 1) });
    expect(response.data).toBeUndefined();
    expect(response.errors).toEqual([
      { message: 'DJI (subgraph dji) is unavailable; the data it holds is missing from this answer', path: ['_entities', 0, 'detention'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'dji' } },
      { message: 'DJI (subgraph dji) is unavailable; the data it holds is missing from this answer', path: ['_entities', 0, 'belongings'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'dji' } },
    ]);
    expect(breaker.snapshot().consecutiveFailures).toBe(1);
  });

  it('treats 5xx and a body that is not JSON as unavailable', async () => {
    for (const answer of [() => json(503, { error: 'down' }), () => new Response('<html>bad gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } })]) {
      const { process } = setup(async () => answer());
      const response = await process(ROOT, { v: '2044001001' });
      expect(response.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([
        [['person'], 'SUBGRAPH_UNAVAILABLE'],
        [['who'], 'SUBGRAPH_UNAVAILABLE'],
      ]);
      expect(JSON.stringify(response)).not.toContain('internal');
    }
  });

  it('passes a refusal (4xx) on without the subgraph URL, and does not count it as a failure', async () => {
    const { process, breaker } = setup(async () => json(401, { errors: [{ message: 'request not signed by the gateway' }] }));
    const error = await process(ROOT, { v: '2044001001' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions).toEqual({ code: 'UNAUTHENTICATED' });
    expect(JSON.stringify(error)).not.toContain('internal');
    expect(breaker.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 0 });
  });

  it('answers SUBGRAPH_TIMEOUT at the deadline and aborts the request', async () => {
    const { process, seen } = setup(() => new Promise<Response>(() => undefined), 150);
    const started = performance.now();
    const response = await process(ROOT, { v: '2044001001' });
    expect(performance.now() - started).toBeLessThan(150 + 200);
    expect(response.errors?.[0]).toEqual({
      message: 'DJI (subgraph dji) did not answer within 150 ms; the data it holds is missing from this answer',
      path: ['person'],
      extensions: { code: 'SUBGRAPH_TIMEOUT', subgraph: 'dji' },
    });
    expect(seen[0]?.aborted).toBe(true);
  });

  it('does not contact the subgraph while its breaker is open', async () => {
    let calls = 0;
    const { process, breaker } = setup(async () => {
      calls++;
      return json(502, {});
    });
    await process(ROOT, { v: '1' });
    await process(ROOT, { v: '1' });
    expect(breaker.state).toBe('open');
    const response = await process(ROOT, { v: '1' });
    expect(calls).toBe(2);
    expect(response.errors?.map((e) => e.extensions?.code)).toEqual(['SUBGRAPH_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE']);
  });
});
