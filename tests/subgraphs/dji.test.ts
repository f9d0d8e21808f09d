import type { ExecutionResult } from 'graphql';
import { closeEmbedded } from '../../lib/db/open';
import { daysBefore, DEMO_V_NUMBERS, type DemoPerson } from '../../lib/demo/world';
import { definition } from '../../subgraphs/dji';
import { lastMinuteChangeAt } from '../../subgraphs/dji/demo';
import { isLastMinuteChange, LAST_MINUTE_WINDOW_MS } from '../../subgraphs/dji/last-minute';
import { bootSubgraph, type BootedSubgraph } from '../support/subgraph';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
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

function person(vNumber: string): DemoPerson {
  const found = sg.world.persons.find((p) => p.vNumber === vNumber);
  if (!found) throw new Error('test setup: no such demo person');
  return found;
}

const iso = (date: Date | undefined) => (date ? date.toISOString() : null);

function representation(p: DemoPerson, plannedDepartureAt: string | null = iso(p.departureAt)) {
  return { __typename: 'Person', vNumber: p.vNumber, plannedDepartureAt };
}

const PROVENANCE = 'provenance { partner recordedByRole recordedAt confirmedAt obtainedBy stale }';

const PERSON_FIELDS = `
  vNumber
  detention {
    centre { code name }
    unit admittedAt readyForTransport readinessNote
    observations { id observedAt category description ${PROVENANCE} }
    ${PROVENANCE}
  }
  belongings {
    id description category quantity location changedLastMinute
    changes { id changedAt kind description lastMinute ${PROVENANCE} }
    ${PROVENANCE}
  }`;

const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { ${PERSON_FIELDS} } } }`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function entities(representations: unknown[]): Promise<any[]> {
  return data(await sg.run(ENTITIES, { r: representations }))._entities;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function entity(p: DemoPerson, plannedDepartureAt?: string | null): Promise<any> {
  const [found] = await entities([representation(p, plannedDepartureAt === undefined ? iso(p.departureAt) : plannedDepartureAt)]);
  return found;
}

describe('dji: the last-minute rule', () => {
  const departure = new Date('2026-06-15T06:00:00Z');
  const before = (ms: number) => new Date(departure.getTime() - ms);

  it('is a window of exactly 24 hours', () => {
    expect(LAST_MINUTE_WINDOW_MS).toBe(24 * HOUR);
  });

  it('counts a change within the 24 hours before the departure, both ends included', () => {
    expect(isLastMinuteChange(before(24 * HOUR), departure)).toBe(true);
    expect(isLastMinuteChange(before(24 * HOUR + MINUTE), departure)).toBe(false);
    expect(isLastMinuteChange(before(10 * HOUR), departure)).toBe(true);
    expect(isLastMinuteChange(departure, departure)).toBe(true);
  });

  it('does not count a change after the departure, or any change when no departure is planned', () => {
    expect(isLastMinuteChange(new Date(departure.getTime() + MINUTE), departure)).toBe(false);
    expect(isLastMinuteChange(before(HOUR), null)).toBe(false);
  });

  it('does not depend on the time of day or on clock changes', () => {
    // 29 March and 25 October 2026 are the Amsterdam clock-change days: still 24 elapsed hours.
    for (const day of ['2026-03-29', '2026-10-25', '2026-06-15', '2026-01-10']) {
      for (let h = 0; h < 24; h++) {
        const at = new Date(Date.parse(`${day}T00:00:00Z`) + h * HOUR);
        expect(isLastMinuteChange(new Date(at.getTime() - 24 * HOUR), at)).toBe(true);
        expect(isLastMinuteChange(new Date(at.getTime() - 24 * HOUR - MINUTE), at)).toBe(false);
      }
    }
  });

  it('places the demo change in the past of the reference and within the window, for every departure the world flags', () => {
    const reference = new Date('2026-06-15T21:00:00Z');
    // The world flags departures from one hour up to (not including) 24 hours ahead, at quarter hours.
    for (let quarter = 4; quarter < 96; quarter++) {
      const departureAt = new Date(reference.getTime() + quarter * 15 * MINUTE);
      const changeAt = lastMinuteChangeAt(reference, departureAt);
      expect(changeAt.getTime()).toBeLessThanOrEqual(reference.getTime());
      expect(changeAt.getTime()).toBeGreaterThanOrEqual(reference.getTime() - 2 * HOUR);
      expect(isLastMinuteChange(changeAt, departureAt)).toBe(true);
    }
    // Two hours before the reference whenever that is inside the window, as for 2044001001.
    expect(lastMinuteChangeAt(reference, new Date(reference.getTime() + 8 * HOUR)).toISOString()).toBe('2026-06-15T19:00:00.000Z');
  });
});

describe('dji: featured persons', () => {
  it('shows the last-minute belongings changes of 2044001001, two hours before the reference', async () => {
    const amir = person(DEMO_V_NUMBERS.consentGiven);
    const reference = sg.world.reference;
    const departure = new Date(reference.getTime() + 8 * HOUR);
    expect(amir.departureAt?.toISOString()).toBe(departure.toISOString());

    const p = await entity(amir);
    expect(p.vNumber).toBe('2044001001');
    expect(p.detention.centre).toEqual({ code: 'DCR', name: 'Detentiecentrum Rotterdam' });
    expect(p.detention.unit).toBe('Unit B2');
    expect(p.detention.readyForTransport).toBe(true);
    expect(p.detention.readinessNote).toBe('Ready for transport. Belongings changed at the last minute: recount with the escort at the handover.');
    expect(p.detention.provenance).toMatchObject({ partner: 'DJI', recordedByRole: 'detention-officer', confirmedAt: reference.toISOString(), stale: false, obtainedBy: null });

    const items = p.belongings;
    expect(items.map((i: { description: string }) => i.description)).toEqual([
      'Passport', 'Mobile phone with charger', 'Sports bag with clothing', 'Cash, EUR 65.00', 'Winter coat',
    ]);
    for (const item of items) {
      expect(item.provenance).toMatchObject({ partner: 'DJI', recordedByRole: 'depot-officer' });
      const times = item.changes.map((c: { changedAt: string }) => Date.parse(c.changedAt));
      expect(times).toEqual([...times].sort((a, b) => a - b));
    }

    // Exactly the flagged items, and exactly their changes two hours before the reference
    // (ten hours before the departure), are last-minute, at any hour of the day.
    const changeAt = new Date(reference.getTime() - 2 * HOUR).toISOString();
    const flagged = items.filter((i: { changedLastMinute: boolean }) => i.changedLastMinute);
    expect(flagged.map((i: { description: string }) => i.description)).toEqual(['Cash, EUR 65.00', 'Winter coat']);
    const changes = items.flatMap((i: { changes: unknown[] }) => i.changes);
    const lastMinute = changes.filter((c: { lastMinute: boolean }) => c.lastMinute);
    expect(lastMinute).toHaveLength(2);
    for (const change of lastMinute) {
      expect(change.changedAt).toBe(changeAt);
      expect(change.provenance.recordedByRole).toBe('depot-officer');
    }
    const cash = items.find((i: { category: string }) => i.category === 'MONEY');
    expect(cash.changes.map((c: { kind: string }) => c.kind)).toEqual(['ADDED', 'MODIFIED']);
    expect(cash.changes.map((c: { lastMinute: boolean }) => c.lastMinute)).toEqual([false, true]);
    expect(cash.changes[1].description).toMatch(/EUR 25\.00.*balance now EUR 65\.00/);
    const coat = items.find((i: { description: string }) => i.description === 'Winter coat');
    expect(coat.changes).toHaveLength(1);
    expect(coat.changes[0]).toMatchObject({ kind: 'ADDED', lastMinute: true });
    // Items untouched since intake weeks ago are no last-minute changes.
    const passport = items.find((i: { description: string }) => i.description === 'Passport');
    expect(passport.changedLastMinute).toBe(false);
    expect(passport.changes[0].lastMinute).toBe(false);
  });

  it('judges "last-minute" against the departure it is given, so a moved departure clears the flag', async () => {
    const amir = person(DEMO_V_NUMBERS.consentGiven);
    const changeAt = sg.world.reference.getTime() - 2 * HOUR;
    // Moved to 30 hours after the change: outside the 24-hour window.
    const p = await entity(amir, new Date(changeAt + 30 * HOUR).toISOString());
    expect(p.belongings).toHaveLength(5);
    expect(p.belongings.every((i: { changedLastMinute: boolean }) => !i.changedLastMinute)).toBe(true);
    // Exactly 24 hours after the change still counts; a minute later does not.
    const atBoundary = await entity(amir, new Date(changeAt + 24 * HOUR).toISOString());
    expect(atBoundary.belongings.filter((i: { changedLastMinute: boolean }) => i.changedLastMinute)).toHaveLength(2);
    const pastBoundary = await entity(amir, new Date(changeAt + 24 * HOUR + MINUTE).toISOString());
    expect(pastBoundary.belongings.some((i: { changedLastMinute: boolean }) => i.changedLastMinute)).toBe(false);
    // Without a planned departure nothing is last-minute.
    const none = await entity(amir, null);
    expect(none.belongings.flatMap((i: { changes: Array<{ lastMinute: boolean }> }) => i.changes).some((c: { lastMinute: boolean }) => c.lastMinute)).toBe(false);
  });

  it('records aggression and an escape risk for the extra-secured 2044001001', async () => {
    const p = await entity(person(DEMO_V_NUMBERS.consentGiven));
    const categories = p.detention.observations.map((o: { category: string }) => o.category);
    expect(categories).toEqual(['CALM', 'AGGRESSIVE', 'ESCAPE_RISK', 'COOPERATIVE']);
    for (const o of p.detention.observations) {
      expect(o.description.length).toBeGreaterThan(20);
      expect(o.provenance).toMatchObject({ partner: 'DJI', recordedByRole: 'detention-officer' });
      expect(Date.parse(o.observedAt)).toBeLessThanOrEqual(sg.world.reference.getTime());
    }
  });

  it('holds 2044001002 in Zeist and 2044001004 at Schiphol, both ready and not stale', async () => {
    const [nadia, selam] = await entities([representation(person(DEMO_V_NUMBERS.consentRefused)), representation(person(DEMO_V_NUMBERS.stale))]);
    expect(nadia.detention.centre.name).toBe('Detentiecentrum Zeist');
    expect(nadia.detention.readyForTransport).toBe(true);
    expect(nadia.detention.provenance.stale).toBe(false);
    expect(nadia.belongings.some((i: { changedLastMinute: boolean }) => i.changedLastMinute)).toBe(false);
    expect(selam.detention.centre).toEqual({ code: 'JCS', name: 'Justitieel Complex Schiphol' });
    expect(selam.detention.observations.map((o: { category: string }) => o.category)).toContain('ESCAPE_RISK');
    expect(selam.detention.provenance.stale).toBe(false);
    expect(selam.detention.provenance.confirmedAt).toBe(daysBefore(sg.world.reference, 2).toISOString());
  });

  it('has no detention and no belongings for 2044001003 in reception', async () => {
    const p = await entity(person(DEMO_V_NUMBERS.reception));
    expect(p).toEqual({ vNumber: '2044001003', detention: null, belongings: null });
    const unknown = await entity({ ...person(DEMO_V_NUMBERS.reception), vNumber: '2044999999' }, null);
    expect(unknown).toEqual({ vNumber: '2044999999', detention: null, belongings: null });
  });
});

describe('dji: the whole world', () => {
  it('holds exactly the persons in DETENTION, with belongings lists for them', async () => {
    const rows = await entities(sg.world.persons.map((p) => representation(p)));
    rows.forEach((row, i) => {
      const p = sg.world.persons[i]!;
      expect(row.vNumber).toBe(p.vNumber);
      if (p.situation === 'DETENTION') {
        expect(row.detention).not.toBeNull();
        expect(Array.isArray(row.belongings)).toBe(true);
        expect(Date.parse(row.detention.admittedAt)).toBeLessThan(sg.world.reference.getTime());
      } else {
        expect(row.detention).toBeNull();
        expect(row.belongings).toBeNull();
      }
    });
  });

  it('records AGGRESSIVE or ESCAPE_RISK for every extra-secured person, and a last-minute change exactly when the world says so', async () => {
    const detained = sg.world.persons.filter((p) => p.situation === 'DETENTION');
    const rows = await entities(detained.map((p) => representation(p)));
    let extraSecured = 0;
    let flagged = 0;
    rows.forEach((row, i) => {
      const p = detained[i]!;
      const categories: string[] = row.detention.observations.map((o: { category: string }) => o.category);
      if (p.transportClass === 'EXTRA_SECURED') {
        extraSecured++;
        expect(categories.some((c) => c === 'AGGRESSIVE' || c === 'ESCAPE_RISK')).toBe(true);
      } else {
        expect(categories).not.toContain('AGGRESSIVE');
        expect(categories).not.toContain('ESCAPE_RISK');
      }
      const lastMinuteChange = row.belongings.some((item: { changedLastMinute: boolean }) => item.changedLastMinute);
      expect(lastMinuteChange).toBe(p.lastMinuteBelongingsChange);
      if (p.lastMinuteBelongingsChange) flagged++;
      if (!p.departureAt) {
        expect(row.detention.readyForTransport).toBe(false);
        expect(row.detention.readinessNote).toMatch(/No departure planned/);
      }
    });
    expect(extraSecured).toBeGreaterThan(3);
    expect(flagged).toBeGreaterThanOrEqual(1);
    // Most persons leaving within a week are ready.
    const soon = rows.filter((_, i) => detained[i]!.departureAt && detained[i]!.departureAt!.getTime() - sg.world.reference.getTime() <= 7 * DAY);
    const ready = soon.filter((row) => row.detention.readyForTransport);
    expect(soon.length).toBeGreaterThanOrEqual(3);
    expect(ready.length / soon.length).toBeGreaterThan(0.5);
  });
});

describe('dji: staleness', () => {
  it('marks a stay confirmed more than 7 days before the departure as stale', async () => {
    const reference = sg.world.reference;
    const stalePerson = sg.world.persons.find(
      (p) => p.situation === 'DETENTION' && p.departureAt && daysBefore(reference, p.factAgeDays.dji).getTime() < p.departureAt.getTime() - 8 * DAY,
    );
    if (!stalePerson) throw new Error('test setup: the world has no person with stale DJI facts');
    const p = await entity(stalePerson);
    expect(p.detention.provenance.confirmedAt).toBe(daysBefore(reference, stalePerson.factAgeDays.dji).toISOString());
    expect(p.detention.provenance.stale).toBe(true);
    // The same stay, judged against a departure tomorrow, is current when confirmed within the window.
    if (stalePerson.factAgeDays.dji <= 5) {
      const tomorrow = await entity(stalePerson, new Date(reference.getTime() + DAY).toISOString());
      expect(tomorrow.detention.provenance.stale).toBe(false);
    }
  });

  it('judges staleness against now when no departure is given', async () => {
    const old = sg.world.persons.find((p) => p.situation === 'DETENTION' && p.factAgeDays.dji >= 8);
    if (!old) throw new Error('test setup: the world has no person with DJI facts older than 8 days');
    expect((await entity(old, null)).detention.provenance.stale).toBe(true);
    expect((await entity(person(DEMO_V_NUMBERS.consentGiven), null)).detention.provenance.stale).toBe(false);
  });
});

describe('dji: batching', () => {
  it('costs the same number of statements for 10 and for 50 persons', async () => {
    const reps = sg.world.persons.map((p) => representation(p));
    const before10 = sg.store.stats.statements;
    const ten = await entities(reps.slice(0, 10));
    const cost10 = sg.store.stats.statements - before10;
    const before50 = sg.store.stats.statements;
    const fifty = await entities(reps.slice(0, 50));
    const cost50 = sg.store.stats.statements - before50;
    expect(ten).toHaveLength(10);
    expect(fifty).toHaveLength(50);
    expect(fifty.filter((p) => p.belongings && p.belongings.length > 0).length).toBeGreaterThan(10);
    // Stay, observations, items, changes: one statement each.
    expect(cost10).toBe(4);
    expect(cost50).toBe(cost10);
  });
});

describe('dji: bad input', () => {
  it('refuses a representation whose V-number is not 10 digits, without echoing it', async () => {
    const result = await sg.run(ENTITIES, { r: [{ __typename: 'Person', vNumber: '20440x1001', plannedDepartureAt: null }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors)).not.toContain('20440x1001');
  });

  it('refuses a planned departure that is not a date-time, without echoing it', async () => {
    const result = await sg.run(ENTITIES, { r: [{ __typename: 'Person', vNumber: '2044001001', plannedDepartureAt: 'next-tuesday' }] });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(result.errors)).not.toContain('next-tuesday');
  });

  it('lets the database refuse facts that break the domain rules', async () => {
    const now = new Date();
    const observation = (category: string, vNumber = '2044001001') =>
      sg.store.query(
        `INSERT INTO dji.behaviour_observation (id, v_number, observed_at, category, description, recorded_by_role, recorded_at, confirmed_at)
         VALUES ($1, $2, $3, $4, 'x', 'detention-officer', $3, $3)`,
        [`TEST-${category}-${vNumber}`, vNumber, now, category],
      );
    await expect(observation('RUDE')).rejects.toThrow(/check constraint/);
    await expect(observation('CALM', '12345')).rejects.toThrow(/check constraint/);
    // A change must belong to the same person as its item.
    await expect(
      sg.store.query(
        `INSERT INTO dji.belongings_change (id, item_id, v_number, changed_at, kind, description, recorded_by_role, recorded_at, confirmed_at)
         SELECT 'TEST-CHANGE', id, '2044001002', $1::timestamptz, 'MODIFIED', 'x', 'depot-officer', $1::timestamptz, $1::timestamptz
           FROM dji.belongings_item WHERE v_number = '2044001001' LIMIT 1`,
        [now],
      ),
    ).rejects.toThrow(/foreign key/);
    const count = await sg.store.query<{ n: number }>(`SELECT count(*)::int AS n FROM dji.behaviour_observation WHERE id LIKE 'TEST-%'`);
    expect(count[0]!.n).toBe(0);
  });
});
