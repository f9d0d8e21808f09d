import type { ExecutionResult } from 'graphql';
import { closeEmbedded } from '../../lib/db/open';
import { DEMO_V_NUMBERS, type DemoPerson } from '../../lib/demo/world';
import { definition } from '../../subgraphs/dtv';
import { bootSubgraph, type BootedSubgraph } from '../support/subgraph';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const SIZE = 120;

let sg: BootedSubgraph;

beforeAll(async () => {
  sg = await bootSubgraph(definition, SIZE);
});

afterAll(async () => {
  await sg?.close();
  await closeEmbedded();
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function data(result: ExecutionResult): any {
  expect(result.errors).toBeUndefined();
  return result.data;
}

function errorCodes(result: ExecutionResult): unknown[] {
  return (result.errors ?? []).map((e) => e.extensions?.code);
}

function person(vNumber: string): DemoPerson {
  const found = sg.world.persons.find((p) => p.vNumber === vNumber);
  if (!found) throw new Error('test setup: no such demo person');
  return found;
}

const iso = (date: Date | undefined) => (date ? date.toISOString() : null);

const PERSON_FIELDS = `
  vNumber
  name { given family }
  nationality
  dateOfBirth
  plannedDepartureAt
  identityProvenance { partner recordedByRole recordedAt confirmedAt obtainedBy stale }
  returnCase {
    caseNumber status statusChangedAt
    provenance { partner recordedByRole confirmedAt stale }
    departure {
      id plannedAt
      flight { number carrier fromAirport toAirport departsAt }
      escort { kind escortCount medicalEscort provenance { partner stale } }
      person { vNumber plannedDepartureAt name { family } }
      provenance { partner recordedByRole confirmedAt stale }
    }
  }`;

const PERSON_QUERY = `query($v: String!) { person(vNumber: $v) { ${PERSON_FIELDS} } }`;
const ENTITIES_QUERY = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { ${PERSON_FIELDS} } } }`;

const DEPARTURES_QUERY = `
  query($from: DateTime!, $to: DateTime!, $first: Int, $after: String) {
    departures(from: $from, to: $to, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id plannedAt person { vNumber plannedDepartureAt } }
    }
  }`;

describe('dtv: persons', () => {
  it('serves the featured person 2044001001 with MEDEX escort and a flight to Casablanca today', async () => {
    const world = sg.world;
    const amir = person(DEMO_V_NUMBERS.consentGiven);
    const { person: p } = data(await sg.run(PERSON_QUERY, { v: DEMO_V_NUMBERS.consentGiven }));
    expect(p.vNumber).toBe('2044001001');
    expect(p.name).toEqual({ given: 'Amir', family: 'Haddad' });
    expect(p.nationality).toBe('MAR');
    expect(p.dateOfBirth).toBe('1991-03-14');
    expect(p.plannedDepartureAt).toBe(new Date(world.reference.getTime() + 8 * HOUR).toISOString());
    expect(p.identityProvenance).toMatchObject({
      partner: 'DTV',
      recordedByRole: 'return-officer',
      confirmedAt: new Date(world.reference.getTime() - amir.factAgeDays.dtv * DAY).toISOString(),
      obtainedBy: null,
      stale: false,
    });
    expect(new Date(p.identityProvenance.recordedAt).getTime()).toBeLessThan(new Date(p.identityProvenance.confirmedAt).getTime());

    const rc = p.returnCase;
    expect(rc.status).toBe('DEPARTURE_PLANNED');
    expect(rc.caseNumber).toMatch(/^DTV-\d{4}-00001$/);
    expect(rc.provenance).toMatchObject({ partner: 'DTV', recordedByRole: 'return-officer', stale: false });

    const plan = rc.departure;
    expect(plan.id).toMatch(/^VP-\d{6}$/);
    expect(plan.plannedAt).toBe(p.plannedDepartureAt);
    expect(plan.flight.toAirport).toBe('CMN');
    expect(['AMS', 'EIN']).toContain(plan.flight.fromAirport);
    expect(['Royal Air Maroc', 'Transavia']).toContain(plan.flight.carrier);
    expect(plan.flight.number).toMatch(/^(AT|HV)\d{3,4}$/);
    expect(plan.flight.departsAt).toBe(plan.plannedAt);
    expect(plan.escort.kind).toBe('MEDEX');
    expect(plan.escort.medicalEscort).toBe(true);
    expect([1, 2]).toContain(plan.escort.escortCount);
    expect(plan.escort.provenance).toEqual({ partner: 'DTV', stale: false });
    expect(plan.person).toEqual({ vNumber: '2044001001', plannedDepartureAt: plan.plannedAt, name: { family: 'Haddad' } });
  });

  it('shows the other featured situations: MEDEX in five days, ESCORT, no escort, no departure', async () => {
    const ref = sg.world.reference.getTime();
    const nadia = data(await sg.run(PERSON_QUERY, { v: DEMO_V_NUMBERS.consentRefused })).person;
    expect(nadia.name).toEqual({ given: 'Nadia', family: 'Rahimi' });
    expect(nadia.plannedDepartureAt).toBe(new Date(ref + 5 * DAY).toISOString());
    expect(nadia.returnCase.departure.escort).toMatchObject({ kind: 'MEDEX', medicalEscort: true });
    expect(nadia.returnCase.departure.flight.toAirport).toBe('KBL');

    const kofi = data(await sg.run(PERSON_QUERY, { v: DEMO_V_NUMBERS.reception })).person;
    expect(kofi.plannedDepartureAt).toBe(new Date(ref + 12 * DAY).toISOString());
    expect(kofi.returnCase.departure.escort).toMatchObject({ kind: 'NONE', escortCount: 0, medicalEscort: false });
    expect(kofi.returnCase.departure.flight).toMatchObject({ carrier: 'KLM Royal Dutch Airlines', fromAirport: 'AMS', toAirport: 'ACC' });

    const selam = data(await sg.run(PERSON_QUERY, { v: DEMO_V_NUMBERS.stale })).person;
    expect(selam.plannedDepartureAt).toBe(new Date(ref + 3 * DAY).toISOString());
    expect(selam.returnCase.departure.escort.kind).toBe('ESCORT');
    expect(selam.returnCase.departure.escort.medicalEscort).toBe(false);
    expect([2, 3]).toContain(selam.returnCase.departure.escort.escortCount);
    expect(selam.returnCase.departure.flight.toAirport).toBe('ASM');

    const yusuf = data(await sg.run(PERSON_QUERY, { v: DEMO_V_NUMBERS.noDeparture })).person;
    expect(yusuf).toMatchObject({ nationality: 'DZA', dateOfBirth: '1983-05-09', plannedDepartureAt: null });
    expect(yusuf.returnCase.status).toBe('PREPARATION');
    expect(yusuf.returnCase.departure).toBeNull();
    expect(yusuf.identityProvenance.stale).toBe(false);
  });

  it('returns null for a V-number the chain does not know', async () => {
    expect(data(await sg.run(PERSON_QUERY, { v: '2099999999' }))).toEqual({ person: null });
  });

  it.each(['12345', '20440010011', 'abcdefghij', ' 2044001001', '2044-01001', ''])(
    'refuses the malformed V-number %p without echoing it',
    async (bad) => {
      const result = await sg.run(PERSON_QUERY, { v: bad });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
      expect(result.data?.person).toBeNull();
      if (bad.trim()) expect(result.errors![0]!.message).not.toContain(bad.trim());
    },
  );

  it('every DT&V field agrees with the demo world, derived status and escort rules included', async () => {
    const persons = sg.world.persons;
    const reps = persons.map((p) => ({ __typename: 'Person', vNumber: p.vNumber, plannedDepartureAt: iso(p.departureAt) }));
    const { _entities } = data(await sg.run(ENTITIES_QUERY, { r: reps }));
    expect(_entities).toHaveLength(persons.length);
    persons.forEach((p, i) => {
      const e = _entities[i];
      expect(e.vNumber).toBe(p.vNumber);
      expect(e.name).toEqual({ given: p.givenName, family: p.familyName });
      expect(e.nationality).toBe(p.nationality);
      expect(e.dateOfBirth).toBe(p.dateOfBirth);
      expect(e.plannedDepartureAt).toBe(iso(p.departureAt));
      if (p.departureAt) {
        expect(e.returnCase.status).toBe('DEPARTURE_PLANNED');
        const escort = e.returnCase.departure.escort;
        expect(escort.kind).toBe(p.escort);
        expect(escort.medicalEscort).toBe(p.escort === 'MEDEX');
        const range = { MEDEX: [1, 2], ESCORT: [2, 3], NONE: [0] }[p.escort];
        expect(range).toContain(escort.escortCount);
      } else {
        expect(['PREPARATION', 'SUSPENDED']).toContain(e.returnCase.status);
        expect(e.returnCase.departure).toBeNull();
      }
    });
  });
});

describe('dtv: entities', () => {
  it('resolves references by V-number, null for unknown ones, from DT&V data rather than the representation', async () => {
    const kofi = person(DEMO_V_NUMBERS.reception);
    const reps = [
      { __typename: 'Person', vNumber: DEMO_V_NUMBERS.reception, plannedDepartureAt: '2000-01-01T00:00:00.000Z' },
      { __typename: 'Person', vNumber: '2099999999', plannedDepartureAt: null },
      { __typename: 'Person', vNumber: DEMO_V_NUMBERS.noDeparture, plannedDepartureAt: null },
    ];
    const { _entities } = data(
      await sg.run(`query($r:[_Any!]!){ _entities(representations:$r){ ... on Person { vNumber name { given family } plannedDepartureAt returnCase { status } } } }`, { r: reps }),
    );
    expect(_entities).toEqual([
      { vNumber: '2044001003', name: { given: 'Kofi', family: 'Mensah' }, plannedDepartureAt: iso(kofi.departureAt), returnCase: { status: 'DEPARTURE_PLANNED' } },
      null,
      { vNumber: '2044001005', name: { given: 'Yusuf', family: 'Benali' }, plannedDepartureAt: null, returnCase: { status: 'PREPARATION' } },
    ]);
  });

  it('costs the same number of statements for 10 and for 50 persons', async () => {
    const reps = (n: number) =>
      sg.world.persons.slice(0, n).map((p) => ({ __typename: 'Person', vNumber: p.vNumber, plannedDepartureAt: iso(p.departureAt) }));
    const cost = async (n: number) => {
      const before = sg.store.stats.statements;
      const { _entities } = data(await sg.run(ENTITIES_QUERY, { r: reps(n) }));
      expect(_entities.filter((e: unknown) => e !== null)).toHaveLength(n);
      return sg.store.stats.statements - before;
    };
    const ten = await cost(10);
    const fifty = await cost(50);
    expect(fifty).toBe(ten);
    // person (with current plan time), return case, current plan: one statement each.
    expect(ten).toBe(3);
  });
});

describe('dtv: staleness', () => {
  it('marks DT&V facts stale when confirmed more than 7 days before the planned departure', async () => {
    const ref = sg.world.reference.getTime();
    const old = sg.world.persons.find((p) => p.index >= 5 && p.departureAt && p.factAgeDays.dtv >= 8);
    const fresh = sg.world.persons.find((p) => p.index >= 5 && p.departureAt && p.departureAt.getTime() - ref < 2 * DAY && p.factAgeDays.dtv <= 3);
    expect(old).toBeDefined();
    expect(fresh).toBeDefined();

    const stale = data(await sg.run(PERSON_QUERY, { v: old!.vNumber })).person;
    expect(stale.identityProvenance.confirmedAt).toBe(new Date(ref - old!.factAgeDays.dtv * DAY).toISOString());
    expect(stale.identityProvenance.stale).toBe(true);
    expect(stale.returnCase.provenance.stale).toBe(true);
    expect(stale.returnCase.departure.provenance.stale).toBe(true);
    expect(stale.returnCase.departure.escort.provenance.stale).toBe(true);

    const current = data(await sg.run(PERSON_QUERY, { v: fresh!.vNumber })).person;
    expect(current.identityProvenance.stale).toBe(false);
    expect(current.returnCase.departure.provenance.stale).toBe(false);
  });

  it('judges every planned person against their own departure', async () => {
    const planned = sg.world.persons.filter((p) => p.departureAt);
    const reps = planned.map((p) => ({ __typename: 'Person', vNumber: p.vNumber }));
    const { _entities } = data(
      await sg.run(`query($r:[_Any!]!){ _entities(representations:$r){ ... on Person { identityProvenance { stale } } } }`, { r: reps }),
    );
    const expected = planned.map((p) => p.departureAt!.getTime() - 7 * DAY > sg.world.reference.getTime() - p.factAgeDays.dtv * DAY);
    expect(_entities.map((e: { identityProvenance: { stale: boolean } }) => e.identityProvenance.stale)).toEqual(expected);
    expect(expected).toContain(true);
    expect(expected).toContain(false);
  });
});

describe('dtv: departures', () => {
  const window = () => ({
    from: sg.world.reference.toISOString(),
    to: new Date(sg.world.reference.getTime() + 46 * DAY).toISOString(),
  });

  it('walks the whole window in three pages without overlap, ordered by (plannedAt, id)', async () => {
    const expected = sg.world.persons.filter((p) => p.departureAt).map((p) => p.vNumber).sort();
    const first = Math.ceil(expected.length / 3);
    const seen: Array<{ id: string; plannedAt: string; person: { vNumber: string; plannedDepartureAt: string } }> = [];
    let after: string | null = null;
    const hasNext: boolean[] = [];
    for (let page = 0; page < 3; page++) {
      const { departures } = data(await sg.run(DEPARTURES_QUERY, { ...window(), first, after }));
      expect(departures.totalCount).toBe(expected.length);
      expect(departures.nodes.length).toBeGreaterThan(0);
      expect(departures.nodes.length).toBeLessThanOrEqual(first);
      seen.push(...departures.nodes);
      hasNext.push(departures.pageInfo.hasNextPage);
      expect(departures.pageInfo.endCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      after = departures.pageInfo.endCursor;
    }
    expect(hasNext).toEqual([true, true, false]);
    expect(new Set(seen.map((n) => n.id)).size).toBe(seen.length);
    expect(seen.map((n) => n.person.vNumber).sort()).toEqual(expected);
    for (const node of seen) expect(node.person.plannedDepartureAt).toBe(node.plannedAt);
    const keys = seen.map((n) => [n.plannedAt, n.id] as const);
    const sorted = [...keys].sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
    expect(keys).toEqual(sorted);

    // Past the last page: nothing left, and no cursor.
    const { departures: end } = data(await sg.run(DEPARTURES_QUERY, { ...window(), first, after }));
    expect(end).toMatchObject({ nodes: [], pageInfo: { hasNextPage: false, endCursor: null }, totalCount: expected.length });
  });

  it('leaves out rebooked (superseded) plans', async () => {
    const [row] = await sg.store.query<{ superseded: number }>('SELECT count(*)::integer AS superseded FROM dtv.departure_plan WHERE superseded_at IS NOT NULL');
    expect(row!.superseded).toBeGreaterThan(0);
    const { departures } = data(await sg.run(DEPARTURES_QUERY, { from: '2000-01-01T00:00:00Z', to: '2000-12-31T00:00:00Z' }));
    expect(departures.totalCount).toBe(0);
    const all = data(await sg.run(DEPARTURES_QUERY, { ...window(), first: 100 })).departures;
    const vNumbers = all.nodes.map((n: { person: { vNumber: string } }) => n.person.vNumber);
    expect(new Set(vNumbers).size).toBe(vNumbers.length);
  });

  it('treats the window as half-open [from, to)', async () => {
    const at = new Date(sg.world.reference.getTime() + 8 * HOUR);
    const q = async (from: Date, to: Date) =>
      data(await sg.run(DEPARTURES_QUERY, { from: from.toISOString(), to: to.toISOString(), first: 100 })).departures;
    const upTo = await q(sg.world.reference, at);
    expect(upTo.nodes.map((n: { person: { vNumber: string } }) => n.person.vNumber)).not.toContain('2044001001');
    const from = await q(at, new Date(at.getTime() + HOUR));
    expect(from.nodes.map((n: { person: { vNumber: string } }) => n.person.vNumber)).toContain('2044001001');
    for (const node of from.nodes) {
      expect(new Date(node.plannedAt).getTime()).toBeGreaterThanOrEqual(at.getTime());
      expect(new Date(node.plannedAt).getTime()).toBeLessThan(at.getTime() + HOUR);
    }
    expect(from.totalCount).toBe(from.nodes.length);
  });

  it('defaults to 20 per page', async () => {
    const { departures } = data(await sg.run(`query($from: DateTime!, $to: DateTime!) { departures(from: $from, to: $to) { nodes { id } pageInfo { hasNextPage } totalCount } }`, window()));
    expect(departures.totalCount).toBeGreaterThan(20);
    expect(departures.nodes).toHaveLength(20);
    expect(departures.pageInfo.hasNextPage).toBe(true);
  });

  it.each([0, -1, 101, 1000])('refuses first = %p', async (first) => {
    const result = await sg.run(DEPARTURES_QUERY, { ...window(), first });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    expect(result.errors![0]!.message).toBe('first must be between 1 and 100');
  });

  it('refuses a window that is empty, reversed or longer than 366 days', async () => {
    const ref = sg.world.reference.getTime();
    const at = (ms: number) => new Date(ref + ms).toISOString();
    for (const [from, to] of [
      [at(0), at(0)],
      [at(DAY), at(0)],
      [at(0), at(367 * DAY)],
    ]) {
      const result = await sg.run(DEPARTURES_QUERY, { from, to });
      expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    }
    // Exactly 366 days is allowed.
    expect(data(await sg.run(DEPARTURES_QUERY, { from: at(0), to: at(366 * DAY), first: 1 })).departures.nodes).toHaveLength(1);
  });

  it.each([
    ['not base64url', 'not a cursor!'],
    ['empty', ''],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['wrong shape', Buffer.from(JSON.stringify({ at: '2026-01-01T00:00:00Z', id: 'VP-000001' })).toString('base64url')],
    ['bad moment', Buffer.from(JSON.stringify(['yesterday', 'VP-000001'])).toString('base64url')],
    ['impossible date', Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000000Z', 'VP-000001'])).toString('base64url')],
    ['bad id', Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000000Z', "x'; DROP TABLE"])).toString('base64url')],
  ])('refuses a malformed cursor (%s) without echoing it', async (_label, after) => {
    const result = await sg.run(DEPARTURES_QUERY, { ...window(), after });
    expect(errorCodes(result)).toEqual(['BAD_USER_INPUT']);
    if (after) expect(result.errors![0]!.message).not.toContain(after);
  });
});

describe('dtv: database rules', () => {
  it('refuses rows that break domain rules', async () => {
    const now = new Date();
    await expect(
      sg.store.query(
        `INSERT INTO dtv.person (v_number, given_name, family_name, recorded_by_role, recorded_at, confirmed_at) VALUES ($1, 'A', 'B', 'return-officer', $2, $2)`,
        ['12345', now],
      ),
    ).rejects.toThrow();
    await expect(
      sg.store.query(`UPDATE dtv.departure_plan SET escort_kind = 'BOGUS' WHERE v_number = $1`, [DEMO_V_NUMBERS.consentGiven]),
    ).rejects.toThrow();
    await expect(
      sg.store.query(`UPDATE dtv.departure_plan SET escort_count = 0 WHERE v_number = $1 AND superseded_at IS NULL`, [DEMO_V_NUMBERS.consentGiven]),
    ).rejects.toThrow();
    await expect(
      sg.store.query(`UPDATE dtv.departure_plan SET carrier = NULL WHERE v_number = $1`, [DEMO_V_NUMBERS.consentGiven]),
    ).rejects.toThrow();
    await expect(
      sg.store.query(`UPDATE dtv.return_case SET status = 'GONE' WHERE v_number = $1`, [DEMO_V_NUMBERS.consentGiven]),
    ).rejects.toThrow();
    // A second current plan for the same person.
    await expect(
      sg.store.query(
        `INSERT INTO dtv.departure_plan (id, v_number, planned_at, escort_kind, escort_count, recorded_by_role, recorded_at, confirmed_at)
         VALUES ('VP-999999', $1, $2, 'NONE', 0, 'return-officer', $2, $2)`,
        [DEMO_V_NUMBERS.consentGiven, now],
      ),
    ).rejects.toThrow();
  });
});
