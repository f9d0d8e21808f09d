import { closeEmbedded } from '../../lib/db/open';
import { DEMO_V_NUMBERS, type DemoPerson } from '../../lib/demo/world';
import { definition } from '../../subgraphs/coa';
import { bootSubgraph, type BootedSubgraph } from '../support/subgraph';

const DAY = 24 * 3600_000;

const PROVENANCE = 'provenance { partner recordedByRole recordedAt confirmedAt obtainedBy stale }';
const MEASUREMENT = `value unit obtainedBy ${PROVENANCE}`;
const PERSON = `
  vNumber
  reception {
    currentLocation { code name municipality }
    stays { id location { code name municipality } from until ${PROVENANCE} }
    behaviour { id notedAt note ${PROVENANCE} }
  }
  characteristics { height { ${MEASUREMENT} } weight { ${MEASUREMENT} } }
`;
const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { ${PERSON} } } }`;

interface Provenance {
  partner: string;
  recordedByRole: string;
  recordedAt: string;
  confirmedAt: string;
  obtainedBy: string | null;
  stale: boolean;
}
interface Location {
  code: string;
  name: string;
  municipality: string;
}
interface Measurement {
  value: number;
  unit: string;
  obtainedBy: string;
  provenance: Provenance;
}
interface PersonResult {
  vNumber: string;
  reception: null | {
    currentLocation: Location | null;
    stays: Array<{ id: string; location: Location; from: string; until: string | null; provenance: Provenance }>;
    behaviour: Array<{ id: string; notedAt: string; note: string; provenance: Provenance }> | null;
  };
  characteristics: null | { height: Measurement | null; weight: Measurement | null };
}

let booted: BootedSubgraph;

beforeAll(async () => {
  booted = await bootSubgraph(definition);
});

afterAll(async () => {
  await booted?.close();
  await closeEmbedded();
});

function personOf(vNumber: string): DemoPerson {
  const person = booted.world.persons.find((p) => p.vNumber === vNumber);
  if (!person) throw new Error(`no demo person ${vNumber}`);
  return person;
}

function representation(p: Pick<DemoPerson, 'vNumber' | 'departureAt'>) {
  return { __typename: 'Person', vNumber: p.vNumber, plannedDepartureAt: p.departureAt?.toISOString() ?? null };
}

async function entities(representations: object[], query = ENTITIES): Promise<PersonResult[]> {
  const result = await booted.run(query, { r: representations });
  expect(result.errors).toBeUndefined();
  return (result.data as { _entities: PersonResult[] })._entities;
}

async function featured(vNumber: string): Promise<PersonResult> {
  const [person] = await entities([representation(personOf(vNumber))]);
  return person!;
}

describe('coa subgraph: featured persons', () => {
  it('2044001001 left reception before detention: past stays only, measured height and weight', async () => {
    const person = await featured(DEMO_V_NUMBERS.consentGiven);
    expect(person.vNumber).toBe('2044001001');
    expect(person.reception?.currentLocation).toBeNull();
    const stays = person.reception!.stays;
    expect(stays.map((s) => s.location.name)).toEqual(['Vrijheidsbeperkende locatie Ter Apel', 'AZC Budel', 'AZC Ter Apel']);
    expect(stays.map((s) => s.location.municipality)).toEqual(['Westerwolde', 'Cranendonck', 'Westerwolde']);
    expect(stays.every((s) => s.until !== null)).toBe(true);
    // Most recent first, and each move ends one stay where the next begins.
    for (let i = 1; i < stays.length; i++) {
      expect(Date.parse(stays[i]!.from)).toBeLessThan(Date.parse(stays[i - 1]!.from));
      expect(stays[i]!.until).toBe(stays[i - 1]!.from);
    }
    expect(stays[2]!.provenance.recordedByRole).toBe('intake-officer');
    expect(stays[0]!.provenance).toMatchObject({ partner: 'COA', recordedByRole: 'reception-officer', obtainedBy: null });

    expect(person.characteristics).toEqual({
      height: expect.objectContaining({ value: 178.5, unit: 'cm', obtainedBy: 'MEASURED' }),
      weight: expect.objectContaining({ value: 82.4, unit: 'kg', obtainedBy: 'MEASURED' }),
    });
    expect(person.characteristics!.height!.provenance).toMatchObject({ partner: 'COA', recordedByRole: 'intake-officer', obtainedBy: 'MEASURED' });
    expect(person.characteristics!.weight!.provenance).toMatchObject({ partner: 'COA', recordedByRole: 'reception-officer', obtainedBy: 'MEASURED' });

    expect(person.reception!.behaviour!.map((n) => n.note)).toEqual([
      'Absent from the location for three nights without notice; returned on own initiative.',
      'Verbal altercation with a fellow resident over kitchen use; resolved after a talk with staff.',
    ]);
    const [latest, earlier] = person.reception!.behaviour!;
    expect(Date.parse(latest!.notedAt)).toBeGreaterThan(Date.parse(earlier!.notedAt));
    expect(latest!.provenance).toMatchObject({ partner: 'COA', recordedByRole: 'reception-officer' });
  });

  it('2044001002 has an estimated height and weight', async () => {
    const person = await featured(DEMO_V_NUMBERS.consentRefused);
    expect(person.characteristics!.height).toMatchObject({ value: 165, unit: 'cm', obtainedBy: 'ESTIMATED', provenance: { obtainedBy: 'ESTIMATED' } });
    expect(person.characteristics!.weight).toMatchObject({ value: 60, unit: 'kg', obtainedBy: 'ESTIMATED', provenance: { obtainedBy: 'ESTIMATED' } });
    expect(person.reception!.currentLocation).toBeNull();
    expect(person.reception!.stays.map((s) => s.location.code)).toEqual(['ZWL', 'TAP']);
  });

  it('2044001003 is in reception in Amsterdam with a self-reported height', async () => {
    const person = await featured(DEMO_V_NUMBERS.reception);
    expect(person.reception!.currentLocation).toEqual({ code: 'AMW', name: 'AZC Amsterdam-Willinkplein', municipality: 'Amsterdam' });
    const [current, ...past] = person.reception!.stays;
    expect(current).toMatchObject({ location: { code: 'AMW' }, until: null });
    expect(past.map((s) => s.location.name)).toEqual(['AZC Gilze', 'AZC Ter Apel']);
    expect(past.every((s) => s.until !== null)).toBe(true);
    expect(person.characteristics!.height).toMatchObject({ value: 181, obtainedBy: 'SELF_REPORTED', provenance: { obtainedBy: 'SELF_REPORTED' } });
    expect(person.characteristics!.weight).toMatchObject({ value: 74, obtainedBy: 'SELF_REPORTED' });
  });

  it('2044001005 is in reception at AZC Budel without behaviour notes', async () => {
    const person = await featured(DEMO_V_NUMBERS.noDeparture);
    expect(person.reception!.currentLocation).toEqual({ code: 'BDL', name: 'AZC Budel', municipality: 'Cranendonck' });
    expect(person.reception!.behaviour).toEqual([]);
    expect(person.characteristics!.height).toMatchObject({ value: 172, obtainedBy: 'MEASURED' });
  });

  it('every height follows the world, and provenance.obtainedBy matches the measurement', async () => {
    const people = await entities(booted.world.persons.map(representation));
    let withCharacteristics = 0;
    for (const [i, person] of people.entries()) {
      const world = booted.world.persons[i]!;
      expect(person.vNumber).toBe(world.vNumber);
      if (!person.characteristics) continue;
      withCharacteristics++;
      expect(person.characteristics.height!.obtainedBy).toBe(world.heightObtainedBy);
      for (const m of [person.characteristics.height, person.characteristics.weight]) {
        if (m) expect(m.provenance.obtainedBy).toBe(m.obtainedBy);
      }
    }
    expect(withCharacteristics).toBeGreaterThan(booted.world.persons.length / 2);
  });
});

describe('coa subgraph: staleness', () => {
  it("2044001004's COA facts were confirmed 45 days ago and are stale before its departure", async () => {
    const world = personOf(DEMO_V_NUMBERS.stale);
    const person = await featured(DEMO_V_NUMBERS.stale);
    const height = person.characteristics!.height!;
    const weight = person.characteristics!.weight!;
    expect(height).toMatchObject({ value: 170, obtainedBy: 'ESTIMATED' });
    expect(weight).toMatchObject({ value: 63, obtainedBy: 'SELF_REPORTED' });
    expect(height.provenance.stale).toBe(true);
    expect(weight.provenance.stale).toBe(true);
    expect(Date.parse(height.provenance.confirmedAt)).toBe(booted.world.reference.getTime() - 45 * DAY);
    expect(Date.parse(height.provenance.recordedAt)).toBeLessThan(Date.parse(height.provenance.confirmedAt));
    expect(world.departureAt).toBeDefined();
    expect(person.reception!.stays.every((s) => s.provenance.stale)).toBe(true);
    expect(person.reception!.currentLocation).toBeNull();
  });

  it('facts confirmed 3 days ago are fresh without a departure, and stale against one 30 days out', async () => {
    const p = personOf(DEMO_V_NUMBERS.noDeparture);
    expect(p.departureAt).toBeUndefined();
    const [fresh] = await entities([representation(p)]);
    expect(fresh!.characteristics!.height!.provenance.stale).toBe(false);
    expect(fresh!.characteristics!.weight!.provenance.stale).toBe(false);
    expect(fresh!.reception!.stays.every((s) => s.provenance.stale === false)).toBe(true);

    const departureAt = new Date(Date.now() + 30 * DAY);
    const [later] = await entities([representation({ vNumber: p.vNumber, departureAt })]);
    expect(later!.characteristics!.height!.provenance.stale).toBe(true);
  });
});

describe('coa subgraph: reception known or not', () => {
  it('persons in reception have a current location, detained persons do not, and a few were never received', async () => {
    const people = await entities(booted.world.persons.map(representation));
    const neverReceived: string[] = [];
    for (const [i, person] of people.entries()) {
      const world = booted.world.persons[i]!;
      if (world.situation === 'RECEPTION') {
        expect(person.reception?.currentLocation).toEqual(expect.objectContaining({ code: expect.stringMatching(/^[A-Z]{3}$/) }));
        expect(person.reception!.stays[0]!.until).toBeNull();
        expect(person.reception!.stays.filter((s) => s.until === null)).toHaveLength(1);
      } else if (person.reception === null) {
        neverReceived.push(world.vNumber);
        expect(person.characteristics).toBeNull();
      } else {
        expect(person.reception.currentLocation).toBeNull();
        expect(person.reception.stays.length).toBeGreaterThan(0);
        expect(person.reception.stays.every((s) => s.until !== null)).toBe(true);
      }
    }
    expect(neverReceived.length).toBeGreaterThan(0);
    expect(neverReceived.length).toBeLessThan(booted.world.persons.length / 4);
    expect(neverReceived.some((v) => Object.values(DEMO_V_NUMBERS).includes(v as never))).toBe(false);
  });

  it('answers null sections for a valid V-number COA does not know', async () => {
    const [person] = await entities([{ __typename: 'Person', vNumber: '2044999999', plannedDepartureAt: null }]);
    expect(person).toEqual({ vNumber: '2044999999', reception: null, characteristics: null });
  });
});

describe('coa subgraph: batching', () => {
  it('costs the same number of statements for 10 and for 50 persons', async () => {
    const reps = booted.world.persons.map(representation);
    const cost = async (count: number) => {
      const before = booted.store.stats.statements;
      const people = await entities(reps.slice(0, count));
      expect(people).toHaveLength(count);
      expect(people.filter((p) => p.reception !== null).length).toBeGreaterThan(count / 2);
      return booted.store.stats.statements - before;
    };
    const ten = await cost(10);
    const fifty = await cost(50);
    // stays (with locations joined), behaviour notes, measurements.
    expect(ten).toBe(3);
    expect(fifty).toBe(ten);
  });
});

describe('coa subgraph: bad input', () => {
  it.each(['12345', 'abcdefghij', '20440010011'])('refuses the V-number %p without echoing it', async (vNumber) => {
    const result = await booted.run(ENTITIES, { r: [{ __typename: 'Person', vNumber, plannedDepartureAt: null }] });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).not.toContain(vNumber);
  });

  it('refuses a representation whose planned departure is not a date-time', async () => {
    const result = await booted.run(ENTITIES, {
      r: [{ __typename: 'Person', vNumber: DEMO_V_NUMBERS.reception, plannedDepartureAt: 'next tuesday' }],
    });
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).not.toContain('next tuesday');
  });

  it('the database refuses data that breaks the domain rules', async () => {
    const now = new Date();
    const measurement = (vNumber: string, kind: string, value: number, unit: string) =>
      booted.store.query(
        `INSERT INTO coa.measurement (v_number, kind, value, unit, obtained_by, recorded_by_role, recorded_at, confirmed_at)
         VALUES ($1, $2, $3, $4, 'MEASURED', 'intake-officer', $5, $5)`,
        [vNumber, kind, value, unit, now],
      );
    await expect(measurement('20440X0001', 'HEIGHT', 170, 'cm')).rejects.toThrow();
    await expect(measurement('2044999998', 'HEIGHT', 170, 'kg')).rejects.toThrow();
    await expect(measurement('2044999998', 'WEIGHT', 900, 'kg')).rejects.toThrow();
    // A second open stay for someone already in reception.
    await expect(
      booted.store.query(
        `INSERT INTO coa.stay (id, v_number, location_code, started_at, recorded_by_role, recorded_at, confirmed_at)
         VALUES ('ST-TEST', $1, 'GLZ', $2, 'reception-officer', $2, $2)`,
        [DEMO_V_NUMBERS.reception, now],
      ),
    ).rejects.toThrow();
    const [{ count }] = await booted.store.query<{ count: number }>(
      "SELECT count(*)::int AS count FROM coa.measurement WHERE v_number IN ('20440X0001', '2044999998')",
    );
    expect(count).toBe(0);
  });
});
