import type { Store } from '../../lib/db/store';
import { randomFor, type Random } from '../../lib/demo/random';
import { daysBefore, FEATURED_COUNT, type DemoPerson, type DemoWorld, type ObtainedBy } from '../../lib/demo/world';
import { insertRows } from '../../lib/subgraph/kit';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface Location {
  code: string;
  name: string;
  municipality: string;
}

/** Demo reception locations (opvanglocaties): existing COA sites, by their municipality. */
export const DEMO_LOCATIONS: readonly Location[] = [
  { code: 'TAP', name: 'AZC Ter Apel', municipality: 'Westerwolde' },
  { code: 'BDL', name: 'AZC Budel', municipality: 'Cranendonck' },
  { code: 'ZWL', name: 'AZC Zweeloo', municipality: 'Coevorden' },
  { code: 'VBL', name: 'Vrijheidsbeperkende locatie Ter Apel', municipality: 'Westerwolde' },
  { code: 'GLZ', name: 'AZC Gilze', municipality: 'Gilze en Rijen' },
  { code: 'AMW', name: 'AZC Amsterdam-Willinkplein', municipality: 'Amsterdam' },
  { code: 'MSK', name: 'AZC Musselkanaal', municipality: 'Stadskanaal' },
  { code: 'DHD', name: 'AZC Den Helder', municipality: 'Den Helder' },
  { code: 'DRA', name: 'AZC Drachten', municipality: 'Smallingerland' },
  { code: 'ASN', name: 'AZC Assen', municipality: 'Assen' },
  { code: 'DRO', name: 'AZC Dronten', municipality: 'Dronten' },
  { code: 'OVL', name: 'AZC Overloon', municipality: 'Land van Cuijk' },
  { code: 'ZST', name: 'AZC Zeist', municipality: 'Zeist' },
  { code: 'HRL', name: 'AZC Heerlen', municipality: 'Heerlen' },
  { code: 'EMN', name: 'AZC Emmen', municipality: 'Emmen' },
  { code: 'KTW', name: 'Gezinslocatie Katwijk', municipality: 'Katwijk' },
];

/** Where everyone is first received (aanmelding); then a regular AZC; VBL before departure. */
const INTAKE = 'TAP';
const DEPARTURE_LOCATION = 'VBL';
const REGULAR = DEMO_LOCATIONS.map((l) => l.code).filter((c) => c !== INTAKE && c !== DEPARTURE_LOCATION);

const NOTES_CALM = [
  'Complies with house rules; no incidents reported.',
  'Reports weekly as required; no missed appointments.',
  'Calm and cooperative during room inspection.',
  'Volunteers with cleaning of the common areas.',
  'Cooperative in conversations about the asylum procedure and departure.',
  'Attends Dutch language class regularly.',
];
const NOTES_CONCERN = [
  'Verbal altercation with a fellow resident over kitchen use; resolved after a talk with staff.',
  'Missed two reporting appointments this month; discussed with the resident.',
  'Absent from the location for three nights without notice; returned on own initiative.',
  'Refused transfer to another location at first; complied after explanation.',
  'Damaged furniture in own room; costs recovered, no further incidents.',
  'Threatened staff verbally during a dispute about the weekly allowance; incident report filed.',
  'Withdrawn lately; mentor conversation scheduled.',
];

/** One leg of a person's route through reception: location code and length in days. */
type Leg = [code: string, days: number];

interface Plan {
  /** Oldest first; the last leg is open (until null) for persons in reception. */
  route: Leg[];
  /** For persons who left reception: days between the end of the last stay and COA's confirmation. */
  endedDaysBeforeConfirmed?: number;
  /** Notes as days after the start of the first stay, with their text. */
  notes: Array<[dayOffset: number, note: string]>;
  height: [value: number, obtainedBy: ObtainedBy];
  weight: [value: number, obtainedBy: ObtainedBy] | null;
}

/**
 * Hand-made COA facts for the featured persons, matching their situation in world.ts:
 * 1001, 1002 and 1004 are detained and left reception; 1003 and 1005 are in reception.
 */
const FEATURED_PLANS: Record<string, Plan> = {
  '2044001001': {
    route: [['TAP', 9], ['BDL', 142], ['VBL', 61]],
    endedDaysBeforeConfirmed: 4,
    notes: [
      [60, 'Verbal altercation with a fellow resident over kitchen use; resolved after a talk with staff.'],
      [170, 'Absent from the location for three nights without notice; returned on own initiative.'],
    ],
    height: [178.5, 'MEASURED'],
    weight: [82.4, 'MEASURED'],
  },
  '2044001002': {
    route: [['TAP', 12], ['ZWL', 96]],
    endedDaysBeforeConfirmed: 17,
    notes: [[40, 'Calm and cooperative during room inspection.']],
    height: [165, 'ESTIMATED'],
    weight: [60, 'ESTIMATED'],
  },
  '2044001003': {
    route: [['TAP', 7], ['GLZ', 118], ['AMW', 64]],
    notes: [
      [30, 'Attends Dutch language class regularly.'],
      [150, 'Reports weekly as required; no missed appointments.'],
    ],
    height: [181, 'SELF_REPORTED'],
    weight: [74, 'SELF_REPORTED'],
  },
  '2044001004': {
    route: [['TAP', 14], ['ZWL', 203], ['VBL', 38]],
    endedDaysBeforeConfirmed: 6,
    notes: [[230, 'Refused transfer to another location at first; complied after explanation.']],
    height: [170, 'ESTIMATED'],
    weight: [63, 'SELF_REPORTED'],
  },
  '2044001005': {
    route: [['TAP', 10], ['BDL', 57]],
    notes: [],
    height: [172, 'MEASURED'],
    weight: [70.5, 'MEASURED'],
  },
};

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step;
}

/** A registered value looks like how it was obtained: measured to the decimal, estimated in fives. */
function registered(value: number, obtainedBy: ObtainedBy): number {
  if (obtainedBy === 'MEASURED') return Math.round(value * 10) / 10;
  if (obtainedBy === 'ESTIMATED') return roundTo(value, 5);
  return Math.round(value);
}

/**
 * The route for a generated person. Returns null for a detained person COA never received
 * (about one in eight: people apprehended without ever having applied for asylum).
 */
function generatedPlan(p: DemoPerson, rnd: Random): Plan | null {
  const neverReceived = rnd.chance(0.13);
  if (p.situation === 'DETENTION' && neverReceived) return null;

  const route: Leg[] = [[INTAKE, rnd.int(3, 21)]];
  const regularStays = rnd.int(1, 3);
  for (let i = 0; i < regularStays; i++) {
    let code = rnd.pick(REGULAR);
    if (code === route[route.length - 1]![0]) code = rnd.pick(REGULAR);
    route.push([code, rnd.int(20, 240)]);
  }
  // Rejected asylum seekers awaiting departure are often moved to the VBL.
  if ((p.departureAt !== undefined || p.situation === 'DETENTION') && rnd.chance(0.35)) {
    route.push([DEPARTURE_LOCATION, rnd.int(14, 90)]);
  }
  const totalDays = route.reduce((sum, [, days]) => sum + days, 0);

  const notes: Plan['notes'] = [];
  const count = rnd.pick([0, 1, 1, 2, 2, 3]);
  const concerns = p.situation === 'DETENTION' ? 0.5 : 0.25;
  for (let i = 0; i < count; i++) {
    const note = rnd.pick(rnd.chance(concerns) ? NOTES_CONCERN : NOTES_CALM);
    if (!notes.some(([, seen]) => seen === note)) notes.push([rnd.int(1, totalDays - 1), note]);
  }

  const heightBy = p.heightObtainedBy;
  const weightBy: ObtainedBy = rnd.pick(
    heightBy === 'MEASURED'
      ? (['MEASURED', 'MEASURED', 'MEASURED', 'ESTIMATED'] as const)
      : heightBy === 'ESTIMATED'
        ? (['ESTIMATED', 'ESTIMATED', 'SELF_REPORTED', 'MEASURED'] as const)
        : (['SELF_REPORTED', 'SELF_REPORTED', 'ESTIMATED', 'MEASURED'] as const),
  );
  const height = rnd.int(1520, 1960) / 10;
  const weight = rnd.int(480, 1150) / 10;
  const weightMissing = rnd.chance(0.05);
  return {
    route,
    endedDaysBeforeConfirmed: p.situation === 'DETENTION' ? rnd.int(1, 40) : undefined,
    notes,
    height: [registered(height, heightBy), heightBy],
    weight: weightMissing ? null : [registered(weight, weightBy), weightBy],
  };
}

type Row = unknown[];

interface Rows {
  stays: Row[];
  notes: Row[];
  measurements: Row[];
}

/**
 * Turns a plan into rows. COA confirmed all of a person's facts at `factAgeDays.coa`; the
 * route is laid out backwards from that moment so that every stay, note and measurement
 * was recorded before it was confirmed.
 */
function addRows(rows: Rows, p: DemoPerson, plan: Plan, reference: Date, rnd: Random): void {
  const confirmed = daysBefore(reference, p.factAgeDays.coa);
  const inReception = p.situation === 'RECEPTION';
  // Moves and notes happen during office hours (07:00-15:00 UTC) on the day they fall on;
  // only the confirmation keeps the world's exact moment, which all partners share.
  const onDay = (ms: number) => Math.floor(ms / DAY) * DAY + rnd.int(7, 15) * HOUR;
  const confirmedDay = Math.floor(confirmed.getTime() / DAY) * DAY;
  const lastEnd = inReception ? null : onDay(confirmedDay - (plan.endedDaysBeforeConfirmed ?? 1) * DAY);

  // Walk the route backwards: the last leg ends at lastEnd (or is open and started its
  // length in days before the confirmation), each earlier leg ends where the next begins.
  // Every leg lasts at least a day, so every moment lies before the confirmation.
  const legs: Array<{ code: string; from: number; until: number | null }> = [];
  let until: number | null = lastEnd;
  for (let i = plan.route.length - 1; i >= 0; i--) {
    const [code, days] = plan.route[i]!;
    const from = onDay((until ?? confirmedDay) - Math.max(1, days) * DAY);
    legs.unshift({ code, from, until });
    until = from;
  }
  const intakeAt = legs[0]!.from;

  legs.forEach((leg, i) => {
    rows.stays.push([
      `ST${String(rows.stays.length + 1).padStart(6, '0')}`,
      p.vNumber,
      leg.code,
      new Date(leg.from),
      leg.until === null ? null : new Date(leg.until),
      i === 0 ? 'intake-officer' : 'reception-officer',
      new Date(leg.from),
      confirmed,
    ]);
  });

  const latest = lastEnd ?? confirmed.getTime();
  plan.notes.forEach(([dayOffset, note]) => {
    const notedAt = new Date(Math.min(onDay(intakeAt + dayOffset * DAY), latest));
    rows.notes.push([`BN${String(rows.notes.length + 1).padStart(6, '0')}`, p.vNumber, notedAt, note, 'reception-officer', notedAt, confirmed]);
  });

  // Height is taken at intake; weight is registered again on arrival at the last location.
  const heightAt = new Date(Math.min(intakeAt + DAY, latest));
  rows.measurements.push([p.vNumber, 'HEIGHT', plan.height[0], 'cm', plan.height[1], 'intake-officer', heightAt, confirmed]);
  if (plan.weight) {
    const lastFrom = legs[legs.length - 1]!.from;
    const weightAt = new Date(Math.min(lastFrom + 2 * DAY, latest));
    rows.measurements.push([p.vNumber, 'WEIGHT', plan.weight[0], 'kg', plan.weight[1], 'reception-officer', weightAt, confirmed]);
  }
}

/**
 * Writes COA's demo rows for `world` in one transaction with multi-row inserts.
 * Deterministic: each person's detail comes from `randomFor(vNumber, 'coa')`, and featured
 * persons get the hand-made plans above. Heights follow the world's `heightObtainedBy`.
 */
export async function seedDemo(store: Store, world: DemoWorld): Promise<void> {
  const rows: Rows = { stays: [], notes: [], measurements: [] };
  for (const p of world.persons) {
    const rnd = randomFor(p.vNumber, 'coa');
    const plan = p.index < FEATURED_COUNT ? FEATURED_PLANS[p.vNumber] : generatedPlan(p, rnd);
    if (!plan) continue;
    addRows(rows, p, plan, world.reference, rnd);
  }
  await store.transaction(async (tx) => {
    // Locations are reference data another seed may already have written; keep those.
    await tx.query(
      `INSERT INTO coa.location (code, name, municipality)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
       ON CONFLICT (code) DO NOTHING`,
      [DEMO_LOCATIONS.map((l) => l.code), DEMO_LOCATIONS.map((l) => l.name), DEMO_LOCATIONS.map((l) => l.municipality)],
    );
    const provenance = ['recorded_by_role', 'recorded_at', 'confirmed_at'];
    await insertRows(tx, 'coa.stay', ['id', 'v_number', 'location_code', 'started_at', 'ended_at', ...provenance], rows.stays);
    await insertRows(tx, 'coa.behaviour_note', ['id', 'v_number', 'noted_at', 'note', ...provenance], rows.notes);
    await insertRows(tx, 'coa.measurement', ['v_number', 'kind', 'value', 'unit', 'obtained_by', ...provenance], rows.measurements);
  });
}

/** True when COA holds no person data yet; locations alone do not count as seeded. */
export async function isEmpty(store: Store): Promise<boolean> {
  const [row] = await store.query<{ empty: boolean }>(
    'SELECT NOT EXISTS (SELECT 1 FROM coa.stay) AND NOT EXISTS (SELECT 1 FROM coa.measurement) AS empty',
  );
  return row?.empty ?? true;
}
