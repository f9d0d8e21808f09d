import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * The embedded store (PGlite, one in-process PostgreSQL with a schema per subgraph) is what
 * `npm start` runs on a fresh machine. CI runs the suite against a PostgreSQL server
 * (TEST_DATABASE_URL), so this file forces the embedded path and runs one person query
 * across all five partners on it.
 */

jest.setTimeout(120_000);

const PARTNERS = ['dtv', 'dji', 'dvo', 'coa', 'medical'];

const PERSON = /* GraphQL */ `
  query($v: String!) {
    person(vNumber: $v) {
      name { given family }
      returnCase { status departure { escort { kind } } }
      detention { centre { code } }
      belongings { description }
      transportOrders { kind classification { level } }
      characteristics { height { value obtainedBy } }
      reception { stays { location { code } } }
      healthNotice { instructions { at } }
      escortConsent { status }
    }
  }
`;

describe('the embedded store, forced even when a PostgreSQL server is configured', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ forceEmbedded: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('runs every subgraph on the embedded store', () => {
    expect(stack.storeKind).toBe('embedded');
    expect(stack.subgraphs.map((s) => s.name)).toEqual(expect.arrayContaining(PARTNERS));
    for (const subgraph of stack.subgraphs) expect({ name: subgraph.name, kind: subgraph.store.kind }).toEqual({ name: subgraph.name, kind: 'embedded' });
    // Each partner subgraph migrated and seeded its own schema in the shared embedded
    // database; the access log (audit) has no demo data to seed.
    for (const subgraph of stack.subgraphs) {
      expect({ name: subgraph.name, seeded: subgraph.seeded }).toEqual({ name: subgraph.name, seeded: subgraph.name !== 'audit' });
    }
  });

  it('answers the person query for 2044001001 from all five partners', async () => {
    const before = Object.fromEntries(stack.subgraphs.map((s) => [s.name, s.store.stats.statements]));
    const { status, body } = await stack.query(PERSON, { role: 'escort-nurse', variables: { v: DEMO_V_NUMBERS.consentGiven } });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    const person = body.data.person;

    expect(person.name).toEqual({ given: 'Amir', family: 'Haddad' });
    expect(person.returnCase).toEqual({ status: 'DEPARTURE_PLANNED', departure: { escort: { kind: 'MEDEX' } } });
    expect(person.detention).toEqual({ centre: { code: 'DCR' } });
    expect(person.belongings.map((b: any) => b.description)).toContain('Winter coat');
    expect(person.transportOrders.map((o: any) => [o.kind, o.classification.level])).toEqual([
      ['TRANSFER', 'EXTRA_SECURED'],
      ['TO_AIRPORT', 'EXTRA_SECURED'],
    ]);
    expect(person.characteristics.height).toEqual({ value: 178.5, obtainedBy: 'MEASURED' });
    expect(person.reception.stays.map((s: any) => s.location.code)).toEqual(['VBL', 'BDL', 'TAP']);
    expect(person.healthNotice.instructions.map((i: any) => i.at)).toContain('12:00');
    expect(person.escortConsent).toEqual({ status: 'GIVEN' });

    for (const subgraph of stack.subgraphs.filter((s) => PARTNERS.includes(s.name))) {
      expect({ name: subgraph.name, touched: subgraph.store.stats.statements > before[subgraph.name]! }).toEqual({ name: subgraph.name, touched: true });
    }
  });
});
