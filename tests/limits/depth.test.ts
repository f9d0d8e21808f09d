import { operationDepth, useDepthLimit } from '../../gateway/limits/depth';
import { expectAccepted, expectRefused, harness, nestedPersonQuery, operationOf, type PluginHarness } from './support';

const depth = (text: string) => {
  const { document, operation } = operationOf(text);
  return operationDepth(document, operation);
};

describe('operationDepth', () => {
  it.each([
    ['{ __typename }', 1],
    ['{ person(vNumber: "2044001001") { vNumber } }', 2],
    ['{ person(vNumber: "2044001001") { name { given } } }', 3],
    ['{ person(vNumber: "2044001001") { vNumber returnCase { departure { flight { number } } } } }', 5],
  ])('%s has depth %i', (text, expected) => {
    expect(depth(text)).toBe(expected);
  });

  it('counts fragments where they are spread, and adds no level for a fragment itself', () => {
    expect(depth('{ person(vNumber: "2044001001") { ...P } } fragment P on Person { name { ...N } } fragment N on PersonName { given }')).toBe(3);
    expect(depth('{ person(vNumber: "2044001001") { ... on Person { name { ... { given } } } } }')).toBe(3);
    // The same fragment at two depths counts at the deeper one.
    expect(depth('{ person(vNumber: "2044001001") { ...N transportOrders { person { ...N } } } } fragment N on Person { name { given } }')).toBe(5);
  });

  it('does not count introspection', () => {
    expect(depth('{ __schema { types { fields { type { ofType { ofType { ofType { name } } } } } } } }')).toBe(0);
  });

  it('measures the nested test query exactly', () => {
    for (const n of [2, 3, 6, 12, 13]) expect(depth(nestedPersonQuery(n))).toBe(n);
  });
});

describe('useDepthLimit', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useDepthLimit({ maxDepth: 6 })]);
  });
  afterAll(() => server.stop());

  it('passes an operation at the limit', async () => {
    expectAccepted(await server.run(nestedPersonQuery(6)));
  });

  it('refuses one level more with HTTP 400 and QUERY_TOO_DEEP, naming the limit', async () => {
    const answer = await server.run(nestedPersonQuery(7));
    expectRefused(answer, 'QUERY_TOO_DEEP', ['2044001001']);
    expect(answer.errors![0]!.message).toMatch(/more than 6 levels.*MAX_DEPTH/);
    expect(answer.errors![0]!.extensions).toMatchObject({ maximum: 6, setting: 'MAX_DEPTH' });
  });

  it('refuses depth hidden in fragments', async () => {
    const answer = await server.run(`query { ...Q } fragment Q on Query { person(vNumber: "2044001001") { ...A } }
      fragment A on Person { transportOrders { person { transportOrders { person { transportOrders { id } } } } } }`);
    expectRefused(answer, 'QUERY_TOO_DEEP');
  });

  it('leaves requests without a resolvable operation to the other checks', async () => {
    const answer = await server.run('query A { __typename } query B { __typename }', { operationName: 'C' });
    expect(answer.errors?.[0]?.extensions?.code).not.toBe('QUERY_TOO_DEEP');
  });
});
