import { largestPageSize, useListSizeLimit } from '../../gateway/limits/list-size';
import { expectAccepted, expectRefused, harness, operationOf, type PluginHarness } from './support';

const DEPARTURES = 'query($first: Int) { departures(from: "2026-12-01T00:00:00Z", to: "2026-12-08T00:00:00Z", first: $first) { nodes { id } } }';

describe('largestPageSize', () => {
  const largest = (text: string, variables: Record<string, unknown> = {}) => {
    const { document, operation } = operationOf(text);
    return largestPageSize(document, operation, variables);
  };

  it('finds first/last literals and variables anywhere, in fragments too', () => {
    expect(largest('{ person(vNumber: "2044001001") { vNumber } }')).toBe(0);
    expect(largest(DEPARTURES, { first: 7 })).toBe(7);
    expect(largest('{ a: accessLog(filter: {}, first: 3) { totalCount } ...F } fragment F on Query { accessLog(filter: {}, first: 99) { totalCount } }')).toBe(99);
  });

  it('ignores variables that are not numbers (variable checks refuse them)', () => {
    expect(largest(DEPARTURES, { first: '1000' })).toBe(0);
  });
});

describe('useListSizeLimit', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useListSizeLimit({ maxListSize: 100 })]);
  });
  afterAll(() => server.stop());

  it('passes first: 100', async () => {
    expectAccepted(await server.run(DEPARTURES, { variables: { first: 100 } }));
    expectAccepted(await server.run('{ accessLog(filter: {}, first: 100) { totalCount } }'));
  });

  it('refuses first: 101 (variable or literal) with HTTP 400 and BAD_USER_INPUT, without the value', async () => {
    for (const answer of [
      await server.run(DEPARTURES, { variables: { first: 101 } }),
      await server.run('{ accessLog(filter: {}, first: 101) { totalCount } }'),
      await server.run('{ ...F } fragment F on Query { accessLog(filter: {}, first: 101) { totalCount } }'),
    ]) {
      expectRefused(answer, 'BAD_USER_INPUT', ['101']);
      expect(answer.errors![0]!.message).toMatch(/first and last must be at most 100 \(MAX_LIST_SIZE\)/);
    }
  });
});
