import { useScalarLiterals } from '../../gateway/plugins/useScalarLiterals';
import { DateTimeScalar } from '../../lib/subgraph/kit';
import { expectAccepted, expectRefused, harness, type PluginHarness } from '../limits/support';

const departures = (from: string, to = '"2026-12-08T00:00:00Z"') => `{ departures(from: ${from}, to: ${to}) { totalCount } }`;

describe('useScalarLiterals', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([], undefined, [useScalarLiterals([DateTimeScalar])]);
  });
  afterAll(() => server.stop());

  it('passes date-times the partners accept, and variables (checked elsewhere)', async () => {
    expectAccepted(await server.run(departures('"2026-12-01T00:00:00Z"')));
    expectAccepted(await server.run(departures('"2026-12-01T08:15:00.123+01:00"')));
    expectAccepted(await server.run(`query($f: DateTime!) ${departures('$f')}`, { variables: { f: 'whatever' } }));
    expectAccepted(await server.run('{ accessLog(filter: { from: "2026-12-01T00:00:00Z" }) { totalCount } }'));
  });

  it.each([
    ['a word', '"yesterday"'],
    ['a date without a time', '"2026-12-01"'],
    ['a time without a zone', '"2026-12-01T08:15:00"'],
    ['an impossible date', '"2031-13-45T08:15:00Z"'],
    ['a number', '2044001001'],
    ['a boolean', 'true'],
    ['an enum', 'TOMORROW'],
    ['a list', '["2026-12-01T00:00:00Z"]'],
    ['an object', '{ at: "2026-12-01T00:00:00Z" }'],
  ])('refuses %s for a DateTime with HTTP 400, without repeating it', async (_label, literal) => {
    const answer = await server.run(departures(literal));
    expectRefused(answer, 'GRAPHQL_VALIDATION_FAILED', ['yesterday', '2044001001', 'TOMORROW', '2031-13-45']);
    expect(answer.errors![0]!.message).toMatch(/^Expected value of type "DateTime": DateTime must be/);
  });

  it('checks nested input objects and variable defaults too', async () => {
    expectRefused(await server.run('{ accessLog(filter: { to: "soon" }) { totalCount } }'), 'GRAPHQL_VALIDATION_FAILED');
    expectRefused(await server.run(`query($f: DateTime = "soon") { departures(from: $f, to: "2026-12-08T00:00:00Z") { totalCount } }`), 'GRAPHQL_VALIDATION_FAILED');
  });
});
