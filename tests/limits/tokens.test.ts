import { parse } from 'graphql';
import { countTokens, tokenLimitParseOptions, useTokenLimit } from '../../gateway/limits/tokens';
import { expectAccepted, expectRefused, harness, type PluginHarness } from './support';

/** A query of exactly `n` tokens (n >= 3): `{ __typename __typename … }`. */
const ofTokens = (n: number) => `{ ${Array.from({ length: n - 2 }, () => '__typename').join(' ')} }`;

describe('countTokens', () => {
  it('counts what graphql-js counts: punctuators, names and values, not whitespace, commas or comments', () => {
    expect(countTokens('{ __typename }')).toBe(3);
    expect(countTokens('query Q($v: String!) { person(vNumber: $v) { vNumber } } # a comment, with commas')).toBe(21);
    expect(countTokens('  ,,, \n')).toBe(0);
    expect(countTokens(ofTokens(50))).toBe(50);
  });

  it('agrees with graphql-js maxTokens at the boundary', () => {
    for (const n of [3, 10, 77]) {
      expect(() => parse(ofTokens(n), { maxTokens: n })).not.toThrow();
      expect(() => parse(ofTokens(n + 1), { maxTokens: n })).toThrow(/tokens/);
    }
  });

  it('stops counting after stopAfter, and at a syntax error', () => {
    expect(countTokens(ofTokens(10_000), 100)).toBe(101);
    expect(countTokens('{ a "unterminated')).toBe(2);
  });
});

describe('useTokenLimit', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useTokenLimit({ maxTokens: 40 })], tokenLimitParseOptions(40));
  });
  afterAll(() => server.stop());

  it('passes a document of exactly the limit', async () => {
    expectAccepted(await server.run(ofTokens(40)));
  });

  it('refuses one token more with HTTP 400 and TOO_MANY_TOKENS, naming the limit', async () => {
    const answer = await server.run(ofTokens(41));
    expectRefused(answer, 'TOO_MANY_TOKENS');
    expect(answer.errors![0]!.message).toBe('the document has more than 40 tokens (MAX_TOKENS)');
    expect(answer.errors![0]!.extensions).toMatchObject({ maximum: 40, setting: 'MAX_TOKENS' });
  });

  it('refuses a huge document without parsing it whole', async () => {
    const started = Date.now();
    expectRefused(await server.run(ofTokens(200_000)), 'TOO_MANY_TOKENS');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('leaves other syntax errors as GRAPHQL_PARSE_FAILED', async () => {
    expectRefused(await server.run('{ person(vNumber: '), 'GRAPHQL_PARSE_FAILED');
  });
});
