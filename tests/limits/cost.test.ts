import { operationCost, useCostLimit } from '../../gateway/limits/cost';
import { expectAccepted, expectRefused, harness, operationOf, schema, type PluginHarness } from './support';

const cost = (text: string, variables: Record<string, unknown> = {}, listFactor?: number) => {
  const { document, operation } = operationOf(text);
  return operationCost(schema, document, operation, variables, listFactor);
};

const WINDOW = 'from: "2026-12-01T00:00:00Z", to: "2026-12-08T00:00:00Z"';

describe('operationCost', () => {
  it('charges 1 per field; a leaf, also a list of scalars, is 1', () => {
    expect(cost('{ __typename }')).toBe(1);
    expect(cost('{ person(vNumber: "2044001001") { vNumber name { given family } } }')).toBe(1 + 1 + (1 + 2));
    expect(cost('{ transportOrder(id: "x") { restraintDecisions { means } } }')).toBe(1 + (1 + 10 * 1));
  });

  it('multiplies a list of objects by the default list factor (10, configurable)', () => {
    // The example of the doc comment.
    expect(cost('{ person(vNumber: "2044001001") { transportOrders { pickupChanges { reason } } } }')).toBe(112);
    expect(cost('{ person(vNumber: "2044001001") { transportOrders { pickupChanges { reason } } } }', {}, 2)).toBe(1 + (1 + 2 * (1 + 2 * 1)));
  });

  it('multiplies the list inside a connection by the connection\'s first (literal, variable or schema default)', () => {
    const page = (first: string) => `query($n: Int) { departures(${WINDOW}${first}) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } }`;
    // departures 1 + totalCount 1 + pageInfo (1 + 2) + nodes (1 + first × 1)
    expect(cost(page(', first: 5'))).toBe(1 + 1 + 3 + (1 + 5));
    expect(cost(page(', first: $n'), { n: 100 })).toBe(1 + 1 + 3 + (1 + 100));
    expect(cost(page(''))).toBe(1 + 1 + 3 + (1 + 20)); // departures(first: Int = 20)
    expect(cost('{ accessLog(filter: {}) { nodes { id } } }')).toBe(1 + (1 + 50)); // accessLog(first: Int = 50)
  });

  it('counts a fragment at every spread and inline fragments in place; introspection is free', () => {
    expect(cost('{ a: person(vNumber: "1") { ...N } b: person(vNumber: "2") { ...N } } fragment N on Person { name { given } }')).toBe(2 * (1 + (1 + 1)));
    expect(cost('{ person(vNumber: "1") { ... on Person { vNumber } ... { nationality } } }')).toBe(1 + 2);
    expect(cost('{ __schema { types { name } } __typename }')).toBe(1);
  });

  it('stays finite and fast for a fragment bomb', () => {
    let text = '{ ...F30 } fragment F0 on Query { person(vNumber: "1") { transportOrders { id } } }';
    for (let i = 1; i <= 30; i++) text += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    expect(cost(text)).toBe(2 ** 30 * (1 + (1 + 10)));
  });
});

describe('useCostLimit', () => {
  let server: PluginHarness;
  // departures(first: $n) { nodes { id } } costs n + 2.
  const DEPARTURES = `query($n: Int) { departures(${WINDOW}, first: $n) { nodes { id } } }`;
  beforeAll(async () => {
    server = await harness([useCostLimit({ maxCost: 42 })]);
  });
  afterAll(() => server.stop());

  it('passes an operation that costs exactly the limit', async () => {
    expect(cost(DEPARTURES, { n: 40 })).toBe(42);
    expectAccepted(await server.run(DEPARTURES, { variables: { n: 40 } }));
  });

  it('refuses one more with HTTP 400 and QUERY_TOO_COMPLEX, naming the limit', async () => {
    const answer = await server.run(DEPARTURES, { variables: { n: 41 } });
    expectRefused(answer, 'QUERY_TOO_COMPLEX', ['43']);
    expect(answer.errors![0]!.message).toBe("the operation's estimated cost is above 42 (MAX_COST)");
  });
});
