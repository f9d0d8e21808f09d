import { useNoReservedAliases } from '../../gateway/plugins/useNoReservedAliases';
import { expectAccepted, expectRefused, harness, type PluginHarness } from '../limits/support';

describe('useNoReservedAliases', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([], undefined, [useNoReservedAliases()]);
  });
  afterAll(() => server.stop());

  it('passes ordinary aliases, __typename itself and aliases with a single underscore', async () => {
    expectAccepted(await server.run('{ a: person(vNumber: "2044001001") { _v: vNumber t: __typename __typename } }'));
  });

  it.each(['__typename', '__proto__', '__schema', '___'])('refuses the alias %s with HTTP 400, without repeating it', async (alias) => {
    const answer = await server.run(`{ person(vNumber: "2044001001") { ${alias}: name { given } } }`);
    expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED');
    expect(answer.errors![0]!.message).toBe('aliases must not begin with "__" (reserved for introspection)');
  });

  it('finds them in fragments too', async () => {
    expectRefused(await server.run('{ ...F } fragment F on Query { __x: __typename }'), 'GRAPHQL_VALIDATION_FAILED');
  });
});
