import { holdsNul, useNoNulCharacters } from '../../gateway/plugins/useNoNulCharacters';
import { expectAccepted, expectRefused, harness, type PluginHarness } from '../limits/support';

describe('holdsNul', () => {
  it('finds a NUL in any string, however deeply nested, keys included', () => {
    expect(holdsNul({ a: ['x', { b: 'y' }], c: 1, d: null })).toBe(false);
    expect(holdsNul({ a: ['x', { b: 'y\u0000' }] })).toBe(true);
    expect(holdsNul({ ['k\u0000']: 1 })).toBe(true);
    let deep: unknown = '\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(holdsNul({ v: deep })).toBe(true);
    expect(holdsNul(undefined)).toBe(false);
  });
});

describe('useNoNulCharacters', () => {
  let server: PluginHarness;
  beforeAll(async () => {
    server = await harness([useNoNulCharacters()]);
  });
  afterAll(() => server.stop());

  it('passes strings without NUL, other control characters included', async () => {
    expectAccepted(await server.run('query($id: ID!) { transportOrder(id: $id) { id } }', { variables: { id: 'a\tb\u0001\u202e' } }));
  });

  it('refuses a NUL in a variable or in the text with HTTP 400 and BAD_USER_INPUT', async () => {
    expectRefused(await server.run('query($id: ID!) { transportOrder(id: $id) { id } }', { variables: { id: '\u0000' } }), 'BAD_USER_INPUT');
    expectRefused(await server.run('query($id: ID!) { transportOrder(id: $id) { id } }', { variables: { id: 'x', unused: ['\u0000'] } }), 'BAD_USER_INPUT');
    expectRefused(await server.run('{ transportOrder(id: "a\\u0000b") { id } }'), 'BAD_USER_INPUT');
    expectRefused(await server.run('{ accessLog(filter: { actorSubject: "\\u0000" }) { totalCount } }'), 'BAD_USER_INPUT');
  });
});
