import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type GraphQLResponse, type TestStack } from '../support/stack';

/**
 * Bad input through the gateway gets a clear BAD_USER_INPUT (or a 4xx for a request that
 * is not GraphQL at all), never a 500 and never an echo of the value supplied; a refused
 * restraint decision leaves nothing behind in DV&O's store.
 */

jest.setTimeout(120_000);

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const PERSON = `query($v: String!) { person(vNumber: $v) { vNumber name { family } } }`;
const DEPARTURES = `query($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
  departures(from: $from, to: $to, first: $first, after: $after) { totalCount pageInfo { endCursor hasNextPage } nodes { id } }
}`;
const ORDERS = `query($v: String!) { person(vNumber: $v) { transportOrders { id kind classification { id level } restraintDecisions { id means justification decidedAt classification { id } provenance { partner recordedByRole } } } } }`;
const RECORD = `mutation($input: RestraintDecisionInput!) {
  recordRestraintDecision(input: $input) { id means justification classification { id level } provenance { partner recordedByRole stale } }
}`;

/** The single error of a response, which must carry `code`. */
function onlyError(response: GraphQLResponse<any>, code: string) {
  expect(response.status).not.toBe(500);
  expect(response.body.errors).toHaveLength(1);
  const [error] = response.body.errors!;
  expect(error!.extensions?.code).toBe(code);
  // Never internals: no stack traces or exception details in what a client sees.
  expect(JSON.stringify(error)).not.toMatch(/stacktrace|exception|\.ts:\d+|at \w+ \(/);
  return error!;
}

describe('bad input through the gateway', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe('malformed V-numbers', () => {
    it.each([
      ['three digits', '123'],
      ['letters', 'abcdefghij'],
      ['eleven digits', '12345678901'],
      ['empty', ''],
      ['digits with a space', '2044 01001'],
      ['ten digits padded with whitespace', ' 2044001001 '],
      ['ten Arabic-Indic digits', '\u0662\u0660\u0664\u0664\u0660\u0660\u0661\u0660\u0660\u0661'],
    ])('refuses %s with BAD_USER_INPUT and does not echo the value', async (_label, vNumber) => {
      const response = await stack.query(PERSON, { role: 'return-officer', variables: { v: vNumber } });
      const error = onlyError(response, 'BAD_USER_INPUT');
      expect(response.body.data?.person ?? null).toBeNull();
      expect(error.message).toMatch(/10 digits/);
      expect(error.path).toEqual(['person']);
      if (vNumber.trim() !== '') expect(JSON.stringify(response.body)).not.toContain(vNumber.trim());
    });

    it('refuses a malformed V-number written into the query text too', async () => {
      const response = await stack.query(`{ person(vNumber: "20440010") { vNumber } }`, { role: 'return-officer' });
      const error = onlyError(response, 'BAD_USER_INPUT');
      expect(error.message).not.toContain('20440010');
    });
  });

  describe('departures arguments', () => {
    let from: Date;
    let to: Date;
    beforeAll(() => {
      from = stack.world.reference;
      to = new Date(from.getTime() + 14 * DAY);
    });
    const ask = (variables: Record<string, unknown>) => stack.query(DEPARTURES, { role: 'return-officer', variables });

    it.each([0, 101, -1])('refuses first: %p with BAD_USER_INPUT', async (first) => {
      const response = await ask({ from: from.toISOString(), to: to.toISOString(), first });
      const error = onlyError(response, 'BAD_USER_INPUT');
      expect(error.message).toMatch(/first/);
      expect(response.body.data?.departures ?? null).toBeNull();
    });

    it('accepts the bounds first: 1 and first: 100', async () => {
      for (const first of [1, 100]) {
        const response = await ask({ from: from.toISOString(), to: to.toISOString(), first });
        expect(response.body.errors).toBeUndefined();
        expect(response.body.data.departures.nodes.length).toBeLessThanOrEqual(first);
        expect(response.body.data.departures.nodes.length).toBeGreaterThan(0);
      }
    });

    it.each([
      ['not base64', '!!!'],
      ['base64 of text', Buffer.from('hello').toString('base64url')],
      ['base64 of a wrong shape', Buffer.from(JSON.stringify({ at: 1 })).toString('base64url')],
      ['base64 with an injected id', Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', "x'; DROP TABLE dtv.person; --"])).toString('base64url')],
      ['a V-number', DEMO_V_NUMBERS.consentGiven],
    ])('refuses a malformed after cursor (%s) with BAD_USER_INPUT', async (_label, after) => {
      const response = await ask({ from: from.toISOString(), to: to.toISOString(), first: 5, after });
      const error = onlyError(response, 'BAD_USER_INPUT');
      expect(error.message).toMatch(/after/);
      expect(error.message).not.toContain(after);
    });

    it('refuses a window whose end is not after its start', async () => {
      const before = onlyError(await ask({ from: to.toISOString(), to: from.toISOString(), first: 5 }), 'BAD_USER_INPUT');
      expect(before.message).toMatch(/to must be after from/);
      onlyError(await ask({ from: from.toISOString(), to: from.toISOString(), first: 5 }), 'BAD_USER_INPUT');
    });

    it('refuses a window longer than a year', async () => {
      onlyError(await ask({ from: from.toISOString(), to: new Date(from.getTime() + 400 * DAY).toISOString(), first: 5 }), 'BAD_USER_INPUT');
    });

    it.each(['tomorrow', '2031-05-06', '2031-05-06T08:15:00', '2031-13-45T08:15:00Z'])(
      'refuses the date-time %p (not ISO 8601 with a zone) with BAD_USER_INPUT, without echoing it',
      async (bad) => {
        const response = await ask({ from: bad, to: to.toISOString(), first: 5 });
        const error = onlyError(response, 'BAD_USER_INPUT');
        expect(error.message).toMatch(/DateTime/);
        expect(JSON.stringify(response.body)).not.toContain(bad);
        expect(response.body.data?.departures ?? null).toBeNull();
      },
    );
  });

  describe('recordRestraintDecision', () => {
    const analyst = { role: 'risk-analyst' } as const;
    let dvoCount: () => Promise<number>;
    // 2044001004: extra-secured, no restraints decided yet; 2044001001: has its own order.
    let order: { id: string; classification: { id: string; level: string } };
    let otherClassificationId: string;

    beforeAll(async () => {
      const dvo = stack.subgraphs.find((s) => s.name === 'dvo')!;
      dvoCount = async () => (await dvo.store.query<{ n: number }>('SELECT count(*)::int AS n FROM dvo.restraint_decision'))[0]!.n;

      const stale = await stack.query(ORDERS, { ...analyst, variables: { v: DEMO_V_NUMBERS.stale } });
      expect(stale.body.errors).toBeUndefined();
      const orders = stale.body.data.person.transportOrders;
      order = orders.find((o: any) => o.kind === 'TO_AIRPORT');
      expect(order.classification.level).toBe('EXTRA_SECURED');
      expect(orders.find((o: any) => o.kind === 'TO_AIRPORT').restraintDecisions).toEqual([]);

      const amir = await stack.query(ORDERS, { ...analyst, variables: { v: DEMO_V_NUMBERS.consentGiven } });
      otherClassificationId = amir.body.data.person.transportOrders.find((o: any) => o.kind === 'TO_AIRPORT').classification.id;
      expect(otherClassificationId).not.toBe(order.classification.id);
    });

    const valid = () => ({
      transportOrderId: order.id,
      classificationId: order.classification.id,
      means: ['HANDCUFFS'],
      justification: 'Individual assessment: escape attempt at an earlier transfer; handcuffs between vehicle and aircraft.',
    });

    it.each([
      ['a justification under 20 characters', { justification: 'Too risky.' }, /justification/],
      ['a justification of 19 characters padded to 30 with spaces', { justification: `     ${'x'.repeat(19)}      ` }, /justification/],
      ['an empty justification', { justification: '' }, /justification/],
      ['no means', { means: [] }, /means/],
      ['the same means twice', { means: ['HANDCUFFS', 'HANDCUFFS'] }, /means/],
      ['the classification of another transport order', { classificationId: 'OTHER' }, /classification/],
      ['an unknown classification', { classificationId: 'no-such-classification' }, /classification/],
      ['an unknown transport order', { transportOrderId: 'no-such-order' }, /transport order/],
    ] as Array<[string, Record<string, unknown>, RegExp]>)('refuses %s with BAD_USER_INPUT and stores nothing', async (_label, change, message) => {
      const input: Record<string, unknown> = { ...valid(), ...change };
      if (input.classificationId === 'OTHER') input.classificationId = otherClassificationId;
      const before = await dvoCount();
      const response = await stack.query(RECORD, { ...analyst, variables: { input } });
      const error = onlyError(response, 'BAD_USER_INPUT');
      expect(error.message).toMatch(message);
      if (typeof change.justification === 'string' && change.justification.trim()) {
        expect(error.message).not.toContain(change.justification.trim());
      }
      expect(response.body.data?.recordRestraintDecision ?? null).toBeNull();
      expect(await dvoCount()).toBe(before);
    });

    it('refuses the mutation for a transport officer of another organisation, and stores nothing', async () => {
      const before = await dvoCount();
      const response = await stack.query(RECORD, {
        role: 'transport-officer',
        tokenOptions: { organisation: 'dji' },
        variables: { input: valid() },
      });
      const error = onlyError(response, 'FORBIDDEN');
      expect(error.path).toEqual(['recordRestraintDecision']);
      expect(response.body.data?.recordRestraintDecision ?? null).toBeNull();
      expect(await dvoCount()).toBe(before);
    });

    it('stores a valid decision, readable back through the person query', async () => {
      const before = await dvoCount();
      const input = valid();
      const response = await stack.query(RECORD, { ...analyst, variables: { input } });
      expect(response.body.errors).toBeUndefined();
      const decision = response.body.data.recordRestraintDecision;
      expect(decision).toMatchObject({
        means: ['HANDCUFFS'],
        justification: input.justification,
        classification: { id: order.classification.id, level: 'EXTRA_SECURED' },
        provenance: { partner: 'DVO', recordedByRole: 'risk-analyst', stale: false },
      });
      expect(await dvoCount()).toBe(before + 1);

      const read = await stack.query(ORDERS, { ...analyst, variables: { v: DEMO_V_NUMBERS.stale } });
      expect(read.body.errors).toBeUndefined();
      const ride = read.body.data.person.transportOrders.find((o: any) => o.id === order.id);
      expect(ride.restraintDecisions).toHaveLength(1);
      expect(ride.restraintDecisions[0]).toMatchObject({
        id: decision.id,
        means: ['HANDCUFFS'],
        justification: input.justification,
        classification: { id: order.classification.id },
        provenance: { partner: 'DVO', recordedByRole: 'risk-analyst' },
      });
      const decidedAt = Date.parse(ride.restraintDecisions[0].decidedAt);
      expect(Math.abs(decidedAt - Date.now())).toBeLessThan(5 * 60_000);
    });
  });

  describe('requests that are not GraphQL', () => {
    let token: string;
    beforeAll(async () => {
      token = await stack.token({ role: 'return-officer' });
    });

    async function post(body: string, contentType: string | null) {
      const response = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...(contentType ? { 'content-type': contentType } : {}) },
        body,
      });
      const text = await response.text();
      let parsed: any;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, body: parsed, text };
    }

    it.each([
      ['malformed JSON', '{"query": "{ person(vNumber: \\"2044001001\\") { vNumber } }"', 'application/json'],
      ['truncated JSON', '{"query": ', 'application/json'],
      ['a JSON array (batching is off)', JSON.stringify([{ query: '{ __typename }' }]), 'application/json'],
      ['a JSON string', JSON.stringify('{ __typename }'), 'application/json'],
      ['plain text', '{ __typename }', 'text/plain'],
      ['form data', 'query=%7B__typename%7D', 'application/x-www-form-urlencoded'],
      ['no content type', JSON.stringify({ query: '{ __typename }' }), null],
      ['JSON without a query', JSON.stringify({ variables: {} }), 'application/json'],
      ['a query that is not a string', JSON.stringify({ query: 42 }), 'application/json'],
      ['a query that does not parse', JSON.stringify({ query: '{ person(vNumber: ' }), 'application/json'],
    ])('answers %s with a 4xx and an error code, never a 500', async (_label, body, contentType) => {
      const response = await post(body, contentType);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.body?.errors?.[0]?.extensions?.code).toEqual(expect.any(String));
      expect(response.text).not.toMatch(/stacktrace|\.ts:\d+|at \w+ \(/);
      // Nothing of the person leaks from a request that was refused.
      expect(response.text).not.toContain('Haddad');
    });
  });
});
