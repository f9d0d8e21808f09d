import { request as httpRequest } from 'node:http';
import { operationCost } from '../../gateway/limits/cost';
import { countTokens } from '../../gateway/limits/tokens';
import { nestedPersonQuery, operationOf, schema } from '../limits/support';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Hostile and malformed requests through the whole product: every input limit exceeded by
 * one gives its own error and HTTP 400 (the body limit 413), one under passes; batching is
 * off and CSRF prevention on; malformed JSON, wrong content types, invalid variables,
 * unknown operations, empty queries and mutations over GET get a 4xx with a GraphQL error,
 * never a 500, never a stack trace, never the value sent.
 *
 * The stack runs with small limits, so that the boundaries are cheap to reach.
 */

jest.setTimeout(120_000);

const DAY = 24 * 3600_000;
const V = '2044001001';

/** The cost probe: a page of departures with each person's transport orders. */
const COST_PROBE = `query($from: DateTime!, $to: DateTime!, $n: Int) { departures(from: $from, to: $to, first: $n) { nodes { id person { transportOrders { id } } } } }`;
const COST_AT_LIMIT = operationCost(schema, operationOf(COST_PROBE).document, operationOf(COST_PROBE).operation, { n: 30 });

const LIMITS = {
  MAX_DEPTH: '6',
  MAX_ALIASES: '3',
  MAX_TOKENS: '100',
  MAX_LIST_SIZE: '50',
  MAX_COST: String(COST_AT_LIMIT),
  MAX_BODY_BYTES: '2000',
};

interface Answer {
  status: number;
  text: string;
  body: { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | undefined;
}

describe('hostile and malformed input through the gateway', () => {
  let stack: TestStack;
  let token: string;
  let window: { from: string; to: string };

  beforeAll(async () => {
    stack = await startTestStack({ env: LIMITS, size: 20 });
    token = await stack.token({ role: 'return-officer' });
    const from = stack.world.reference;
    window = { from: new Date(from.getTime() - 30 * DAY).toISOString(), to: new Date(from.getTime() + 60 * DAY).toISOString() };
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function send(init: { method?: string; body?: string; headers?: Record<string, string>; search?: string; auth?: boolean }): Promise<Answer> {
    const response = await fetch(stack.gateway.url + (init.search ?? ''), {
      method: init.method ?? 'POST',
      headers: { ...(init.auth === false ? {} : { authorization: `Bearer ${token}` }), ...(init.headers ?? {}) },
      body: init.body,
    });
    const text = await response.text();
    let body: Answer['body'];
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, text, body };
  }

  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    send({ body: typeof payload === 'string' ? payload : JSON.stringify(payload), headers: { 'content-type': 'application/json', ...headers } });

  /** A refusal: the status, one error with the code, no stack trace, nothing of `notEchoed`. */
  function refused(answer: Answer, status: number, code: string, notEchoed: string[] = []) {
    expect({ status: answer.status, code: answer.body?.errors?.[0]?.extensions?.code }).toEqual({ status, code });
    expect(answer.body?.errors).toHaveLength(1);
    expect(answer.body?.data ?? undefined).toBeUndefined();
    expect(answer.text).not.toMatch(/stacktrace|exception|\.ts:\d+|at \w+ \(|node_modules/);
    for (const value of notEchoed) expect(answer.text).not.toContain(value);
    return answer.body!.errors![0]!;
  }

  function accepted(answer: Answer) {
    expect({ status: answer.status, errors: answer.body?.errors }).toEqual({ status: 200, errors: undefined });
    return answer.body!.data;
  }

  describe('each limit: one under passes, one over is refused', () => {
    it('depth (MAX_DEPTH=6)', async () => {
      const data = accepted(await post({ query: nestedPersonQuery(6) }));
      expect(data.person.transportOrders.length).toBeGreaterThan(0);
      const error = refused(await post({ query: nestedPersonQuery(7) }), 400, 'QUERY_TOO_DEEP', [V]);
      expect(error.message).toMatch(/MAX_DEPTH/);
    });

    it('aliases (MAX_ALIASES=3)', async () => {
      const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `p${i}: person(vNumber: "${V}") { vNumber }`).join(' ')} }`;
      const data = accepted(await post({ query: aliased(3) }));
      expect(data.p2.vNumber).toBe(V);
      refused(await post({ query: aliased(4) }), 400, 'TOO_MANY_ALIASES');
    });

    it('tokens (MAX_TOKENS=100)', async () => {
      const padded = (n: number) => {
        const base = `{ person(vNumber: "${V}") { vNumber } }`;
        const query = base.replace('vNumber }', `vNumber ${'__typename '.repeat(n - countTokens(base))}}`);
        expect(countTokens(query)).toBe(n);
        return query;
      };
      accepted(await post({ query: padded(100) }));
      const error = refused(await post({ query: padded(101) }), 400, 'TOO_MANY_TOKENS', [V]);
      expect(error.message).toBe('the document has more than 100 tokens (MAX_TOKENS)');
    });

    it('list size (MAX_LIST_SIZE=50, below the partner\'s own 100)', async () => {
      const page = (first: number) => post({ query: `query($from: DateTime!, $to: DateTime!, $first: Int) { departures(from: $from, to: $to, first: $first) { nodes { id } } }`, variables: { ...window, first } });
      const data = accepted(await page(50));
      expect(data.departures.nodes.length).toBeGreaterThan(0);
      const error = refused(await page(51), 400, 'BAD_USER_INPUT', ['51']);
      expect(error.extensions).toMatchObject({ setting: 'MAX_LIST_SIZE', maximum: 50 });
    });

    it(`estimated cost (MAX_COST=${COST_AT_LIMIT})`, async () => {
      accepted(await post({ query: COST_PROBE, variables: { ...window, n: 30 } }));
      // One field more (cost + 1) is refused.
      const byOne = COST_PROBE.replace('{ departures', '{ __typename departures');
      expect(operationCost(schema, operationOf(byOne).document, operationOf(byOne).operation, { n: 30 })).toBe(COST_AT_LIMIT + 1);
      const error = refused(await post({ query: byOne, variables: { ...window, n: 30 } }), 400, 'QUERY_TOO_COMPLEX');
      expect(error.message).toMatch(/MAX_COST/);
    });

    it('request body size (MAX_BODY_BYTES=2000): 413 PAYLOAD_TOO_LARGE', async () => {
      const body = (bytes: number) => {
        const json = JSON.stringify({ query: `{ person(vNumber: "${V}") { vNumber } }` });
        return json + ' '.repeat(bytes - Buffer.byteLength(json));
      };
      expect(accepted(await post(body(2000))).person.vNumber).toBe(V);
      const error = refused(await post(body(2001)), 413, 'PAYLOAD_TOO_LARGE');
      expect(error.message).toMatch(/2000 bytes/);
    });

    it('request body size without a content-length (chunked): 413 as well, and the gateway stays up', async () => {
      const url = new URL(stack.gateway.url);
      const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = httpRequest(
          { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'transfer-encoding': 'chunked' } },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          },
        );
        req.on('error', reject);
        req.write(`{"query": "{ __typename }", "pad": "`);
        for (let i = 0; i < 10; i++) req.write('x'.repeat(500));
        req.end('"}');
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(accepted(await post({ query: '{ __typename }' })).__typename).toBe('Query');
    });

    it('cuts off a body far beyond the limit (413 or a closed connection), and stays up', async () => {
      const status = await post('x'.repeat(5_000_000)).then(
        (answer) => answer.status,
        () => 'connection closed',
      );
      expect([413, 'connection closed']).toContain(status);
      expect(accepted(await post({ query: '{ __typename }' })).__typename).toBe('Query');
    });
  });

  describe('batching is off and CSRF prevention on', () => {
    it('refuses a batch (a JSON array) with 400 and executes none of it', async () => {
      const error = refused(await post([{ query: `{ person(vNumber: "${V}") { vNumber } }` }, { query: '{ __typename }' }]), 400, 'BAD_REQUEST', [V]);
      expect(error.message).toMatch(/batching is off/);
    });

    it('refuses a GET without a preflight-forcing header as CSRF, before authentication', async () => {
      const search = `?query=${encodeURIComponent(`{ person(vNumber: "${V}") { vNumber } }`)}`;
      for (const auth of [true, false]) {
        const error = refused(await send({ method: 'GET', search, auth }), 400, 'BAD_REQUEST', [V]);
        expect(error.message).toMatch(/Cross-Site Request Forgery/);
      }
      // With apollo-require-preflight (which a browser cannot send cross-site without a preflight) it runs.
      expect(accepted(await send({ method: 'GET', search, headers: { 'apollo-require-preflight': 'true' } })).person.vNumber).toBe(V);
    });

    it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
      'refuses a simple POST (%s) without executing it',
      async (type) => {
        const answer = await send({ body: JSON.stringify({ query: `{ person(vNumber: "${V}") { vNumber } }` }), headers: { 'content-type': type } });
        refused(answer, 415, 'UNSUPPORTED_MEDIA_TYPE', [V]);
      },
    );
  });

  describe('malformed requests: a 4xx with a GraphQL error, never a 500', () => {
    const PERSON = 'query Person($v: String!) { person(vNumber: $v) { vNumber } }';

    it.each<[string, () => Promise<Answer>, number, string]>([
      ['malformed JSON', () => post('{"query": "{ __typename }"'), 400, 'BAD_REQUEST'],
      ['JSON that is not an object', () => post('"{ __typename }"'), 400, 'BAD_REQUEST'],
      ['deeply nested JSON', () => post(`${'['.repeat(900)}${']'.repeat(900)}`), 400, 'BAD_REQUEST'],
      ['no content type', () => send({ body: JSON.stringify({ query: '{ __typename }' }) }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['an XML content type', () => send({ body: '<query/>', headers: { 'content-type': 'application/xml' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['application/graphql', () => send({ body: '{ __typename }', headers: { 'content-type': 'application/graphql' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['an empty query', () => post({ query: '' }), 400, 'BAD_REQUEST'],
      ['no query at all', () => post({ variables: {} }), 400, 'BAD_REQUEST'],
      ['a query that is not a string', () => post({ query: { person: V } }), 400, 'BAD_REQUEST'],
      ['a query that does not parse', () => post({ query: `{ person(vNumber: "${V}" { vNumber } }` }), 400, 'GRAPHQL_PARSE_FAILED'],
      ['a query that does not validate', () => post({ query: '{ person(vNumber: "0000000000") { nope } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['an alias that takes the reserved __typename', () => post({ query: `{ person(vNumber: "${V}") { __typename: name { given } } }` }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['a date-time literal the partner would refuse', () => post({ query: '{ departures(from: "yesterday", to: "2027-01-01T00:00:00Z") { totalCount } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      ['a date-time variable the partner would refuse', () => post({ query: 'query($f: DateTime!) { departures(from: $f, to: "2027-01-01T00:00:00Z") { totalCount } }', variables: { f: `${V}` } }), 400, 'BAD_USER_INPUT'],
      ['a NUL character in a variable (no partner can store or look it up)', () => post({ query: 'query($id: ID!) { transportOrder(id: $id) { id } }', variables: { id: '\u0000' } }), 400, 'BAD_USER_INPUT'],
      ['a NUL character in the text', () => post({ query: '{ transportOrder(id: "\\u0000") { id } }' }), 400, 'BAD_USER_INPUT'],
      ['a variable nested 900 deep', () => post(`{"query":"query($v: String!) { person(vNumber: $v) { vNumber } }","variables":{"v":${'['.repeat(900)}${']'.repeat(900)}}}`), 400, 'BAD_USER_INPUT'],
      ['variables as a string', () => post({ query: PERSON, variables: JSON.stringify({ v: V }) }), 400, 'BAD_REQUEST'],
      ['variables as an array', () => post({ query: PERSON, variables: [V] }), 400, 'BAD_REQUEST'],
      ['a variable of the wrong type (a V-number as a number)', () => post({ query: PERSON, variables: { v: Number(V) } }), 400, 'BAD_USER_INPUT'],
      ['a missing required variable', () => post({ query: PERSON, variables: {} }), 400, 'BAD_USER_INPUT'],
      ['an unknown operation name', () => post({ query: PERSON, operationName: `Secret${V}`, variables: { v: V } }), 400, 'OPERATION_RESOLUTION_FAILURE'],
      ['two operations without a name', () => post({ query: `${PERSON} query Other { __typename }`, variables: { v: V } }), 400, 'OPERATION_RESOLUTION_FAILURE'],
      ['an operationName that is not a string', () => post({ query: PERSON, operationName: 7, variables: { v: V } }), 400, 'BAD_REQUEST'],
      ['a subscription', () => post({ query: 'subscription { person { vNumber } }' }), 400, 'GRAPHQL_VALIDATION_FAILED'],
      [
        'a mutation over GET',
        () =>
          send({
            method: 'GET',
            search: `?query=${encodeURIComponent('mutation { recordRestraintDecision(input: { transportOrderId: "x", classificationId: "y", means: [HANDCUFFS], justification: "zzzzzzzzzzzzzzzzzzzzzzzzz" }) { id } }')}`,
            headers: { 'apollo-require-preflight': 'true' },
          }),
        405,
        'BAD_REQUEST',
      ],
      ['GET without a query', () => send({ method: 'GET', headers: { 'apollo-require-preflight': 'true' } }), 400, 'BAD_REQUEST'],
      ['GET with variables that are not JSON', () => send({ method: 'GET', search: `?query=${encodeURIComponent(PERSON)}&variables=%7Bv`, headers: { 'apollo-require-preflight': 'true' } }), 400, 'BAD_REQUEST'],
      ['an unknown persisted query', () => post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }), 200, 'PERSISTED_QUERY_NOT_FOUND'],
      ['a persisted-query hash that does not match the query', () => post({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }), 400, 'BAD_REQUEST'],
      ['an unsupported persisted-query version', () => post({ query: '{ __typename }', extensions: { persistedQuery: { version: 2, sha256Hash: 'f'.repeat(64) } } }), 400, 'BAD_REQUEST'],
      ['another method', () => send({ method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } }), 405, 'METHOD_NOT_ALLOWED'],
    ])('%s', async (_label, ask, status, code) => {
      const answer = await ask();
      refused(answer, status, code, [V, `Secret${V}`]);
      expect(answer.status).toBeLessThan(500);
    });

    it('answers an unknown persisted query with the APQ protocol\'s 200 when trusted documents are off', async () => {
      // (PERSISTED_QUERY_NOT_FOUND tells an APQ client to send the full text; in
      // trusted-documents mode it is a 400, see trusted-documents.test.ts.)
      const answer = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
      expect(answer.status).toBe(200);
    });

    it('is still up and answering after all of it', async () => {
      const health = await fetch(new URL('/health', stack.gateway.url));
      expect(health.status).toBe(200);
      expect(accepted(await post({ query: PERSON, variables: { v: V } })).person.vNumber).toBe(V);
    });
  });
});
