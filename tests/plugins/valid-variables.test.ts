import { useValidVariables } from '../../gateway/plugins/useValidVariables';
import { DateTimeScalar } from '../../lib/subgraph/kit';
import { expectAccepted, expectRefused, harness, type PluginHarness } from '../limits/support';

const PERSON = 'query($v: String!) { person(vNumber: $v) { vNumber } }';
const RECORD = `mutation($input: RestraintDecisionInput!) { recordRestraintDecision(input: $input) { id } }`;
const DEPARTURES = 'query($from: DateTime!, $to: DateTime!, $first: Int) { departures(from: $from, to: $to, first: $first) { totalCount } }';

describe('useValidVariables', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useValidVariables({ scalars: [DateTimeScalar] })]);
  });
  afterAll(() => server.stop());

  it('passes well-typed variables, and leaves values to the partners (a malformed V-number is theirs to refuse)', async () => {
    expectAccepted(await server.run(PERSON, { variables: { v: '2044001001' } }));
    expectAccepted(await server.run(PERSON, { variables: { v: 'not ten digits' } }));
    expectAccepted(await server.run(DEPARTURES, { variables: { from: '2026-12-01T00:00:00Z', to: '2026-12-08T00:00:00+01:00' } }));
  });

  it.each([
    ['a V-number sent as a number', PERSON, { v: 2044001001 }, /\$v.*String cannot represent a non string value\.$/],
    ['a missing required variable', PERSON, {}, /\$v.*not provided/],
    ['null for a non-null variable', PERSON, { v: null }, /\$v.*non-null/],
    ['an object for a string', PERSON, { v: { vNumber: '2044001001' } }, /\$v/],
    ['a list for a string', PERSON, { v: ['2044001001'] }, /\$v/],
    ['a string for an Int', DEPARTURES, { from: 'a', to: 'b', first: '2044001001' }, /\$first.*Int/],
    ['a fraction for an Int', DEPARTURES, { from: 'a', to: 'b', first: 2044001001.5 }, /\$first.*Int/],
    ['a DateTime that is a word', DEPARTURES, { from: 'yesterday2044001001', to: '2026-12-08T00:00:00Z' }, /\$from.*DateTime must be an ISO 8601 date-time with a time zone/],
    ['a DateTime without a zone', DEPARTURES, { from: '2026-12-01T00:00:00Z', to: '2026-12-08T20:44:00' }, /\$to.*DateTime/],
    ['a DateTime that is a number', DEPARTURES, { from: 2044001001, to: '2026-12-08T00:00:00Z' }, /\$from.*DateTime/],
    ['a DateTime in an input object', 'query($f: AccessLogFilter!) { accessLog(filter: $f) { totalCount } }', { f: { from: '2044001001' } }, /\$f.*DateTime/],
    ['an Int beyond 32 bits', DEPARTURES, { from: 'a', to: 'b', first: 2044001001 * 10 }, /\$first.*Int/],
    ['an unknown enum value', RECORD, { input: { transportOrderId: 'x', classificationId: 'y', means: ['X2044001001'], justification: 'j' } }, /\$input.*does not exist in "RestraintMeans" enum/],
    ['an unknown input field', RECORD, { input: { transportOrderId: 'x', classificationId: 'y', means: [], justification: 'j', vNumber: '2044001001' } }, /\$input/],
    ['a missing input field', RECORD, { input: { transportOrderId: 'x', means: [], justification: '2044001001' } }, /\$input.*classificationId/],
  ])('refuses %s with HTTP 400 and BAD_USER_INPUT, without the value', async (_label, query, variables, message) => {
    const answer = await server.run(query, { variables: variables as Record<string, unknown> });
    expectRefused(answer, 'BAD_USER_INPUT', ['2044001001', '20440010010']);
    expect(answer.errors![0]!.message).toMatch(message);
    expect(answer.data).toBeUndefined();
  });
});
