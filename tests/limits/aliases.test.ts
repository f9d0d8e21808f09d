import { operationAliases, useAliasLimit } from '../../gateway/limits/aliases';
import { expectAccepted, expectRefused, harness, operationOf, type PluginHarness } from './support';

const aliases = (text: string) => {
  const { document, operation } = operationOf(text);
  return operationAliases(document, operation);
};

/** `n` aliased `__typename` fields on the query root. */
const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ')} }`;

describe('operationAliases', () => {
  it('counts aliased fields at every level', () => {
    expect(aliases('{ person(vNumber: "2044001001") { vNumber } }')).toBe(0);
    expect(aliases('{ a: person(vNumber: "2044001001") { v: vNumber n: name { g: given family } } }')).toBe(4);
    expect(aliases(aliased(31))).toBe(31);
  });

  it('counts a fragment\'s aliases at every spread, inline fragments once', () => {
    expect(aliases('{ a: person(vNumber: "2044001001") { ...F } b: person(vNumber: "2044001002") { ...F } } fragment F on Person { x: vNumber y: vNumber }')).toBe(6);
    expect(aliases('{ person(vNumber: "2044001001") { ... on Person { x: vNumber } } }')).toBe(1);
  });

  it('multiplies nested spreads without expanding them (a fragment bomb stays cheap to count)', () => {
    let text = '{ ...F0 } fragment F0 on Query { a: __typename b: __typename }';
    for (let i = 1; i <= 40; i++) text += ` fragment F${i} on Query { ...F${i - 1} ...F${i - 1} }`;
    text = text.replace('{ ...F0 }', '{ ...F40 }');
    const started = Date.now();
    expect(aliases(text)).toBe(2 * 2 ** 40);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('useAliasLimit', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useAliasLimit({ maxAliases: 30 })]);
  });
  afterAll(() => server.stop());

  it('passes 30 aliases', async () => {
    expectAccepted(await server.run(aliased(30)));
  });

  it('refuses 31 with HTTP 400 and TOO_MANY_ALIASES', async () => {
    const answer = await server.run(aliased(31));
    expectRefused(answer, 'TOO_MANY_ALIASES');
    expect(answer.errors![0]!.message).toMatch(/more than 30 aliased fields.*MAX_ALIASES/);
  });

  it('refuses aliases multiplied by fragment spreads', async () => {
    const answer = await server.run(`{ ...A ...A2 } fragment A on Query { ${aliased(16).slice(1, -1)} } fragment A2 on Query { ...A }`);
    expectRefused(answer, 'TOO_MANY_ALIASES');
  });
});
