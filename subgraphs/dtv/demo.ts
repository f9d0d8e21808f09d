import type { Store } from '../../lib/db/store';
import { randomFor, type Random } from '../../lib/demo/random';
import { daysBefore, FEATURED_COUNT, type DemoPerson, type DemoWorld } from '../../lib/demo/world';
import { insertRows } from '../../lib/subgraph/kit';
import type { EscortKind, ReturnStatus } from './data';

export { isEmpty } from './data';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const ROLE = 'return-officer';

interface Route {
  carrier: string;
  /** IATA airline designator; flight numbers are this plus digits. */
  code: string;
  from: ReadonlyArray<'AMS' | 'EIN'>;
  to: string;
}

const KLM = 'KLM Royal Dutch Airlines';
const TURKISH = 'Turkish Airlines';

// Return routes by nationality. Where no direct service exists the flight is booked
// through to the destination on the carrier's own flight number (transfer not modelled).
const ROUTES: Record<string, readonly Route[]> = {
  MAR: [
    { carrier: 'Royal Air Maroc', code: 'AT', from: ['AMS'], to: 'CMN' },
    { carrier: 'Transavia', code: 'HV', from: ['AMS', 'EIN'], to: 'CMN' },
  ],
  DZA: [{ carrier: 'Air Algérie', code: 'AH', from: ['AMS'], to: 'ALG' }],
  NGA: [{ carrier: KLM, code: 'KL', from: ['AMS'], to: 'LOS' }],
  GHA: [{ carrier: KLM, code: 'KL', from: ['AMS'], to: 'ACC' }],
  ERI: [
    { carrier: TURKISH, code: 'TK', from: ['AMS'], to: 'ASM' },
    { carrier: 'EgyptAir', code: 'MS', from: ['AMS'], to: 'ASM' },
  ],
  ETH: [{ carrier: 'Ethiopian Airlines', code: 'ET', from: ['AMS'], to: 'ADD' }],
  AFG: [{ carrier: TURKISH, code: 'TK', from: ['AMS'], to: 'KBL' }],
  IRQ: [
    { carrier: 'Iraqi Airways', code: 'IA', from: ['AMS'], to: 'BGW' },
    { carrier: TURKISH, code: 'TK', from: ['AMS'], to: 'EBL' },
  ],
  TUR: [
    { carrier: TURKISH, code: 'TK', from: ['AMS'], to: 'IST' },
    { carrier: KLM, code: 'KL', from: ['AMS'], to: 'IST' },
  ],
  GEO: [{ carrier: 'Georgian Airways', code: 'A9', from: ['AMS'], to: 'TBS' }],
  ALB: [
    { carrier: 'Transavia', code: 'HV', from: ['AMS', 'EIN'], to: 'TIA' },
    { carrier: 'Wizz Air', code: 'W6', from: ['EIN'], to: 'TIA' },
  ],
  TUN: [
    { carrier: 'Tunisair', code: 'TU', from: ['AMS'], to: 'TUN' },
    { carrier: 'Transavia', code: 'HV', from: ['EIN'], to: 'TUN' },
  ],
  SRB: [{ carrier: 'Air Serbia', code: 'JU', from: ['AMS'], to: 'BEG' }],
  UKR: [{ carrier: 'Ukraine International Airlines', code: 'PS', from: ['AMS'], to: 'KBP' }],
  MNG: [{ carrier: 'MIAT Mongolian Airlines', code: 'OM', from: ['AMS'], to: 'ULN' }],
};
// A nationality the table does not know still gets a plausible booking via a hub.
const FALLBACK_ROUTE: Route = { carrier: TURKISH, code: 'TK', from: ['AMS'], to: 'IST' };

const PERSON_COLUMNS = ['v_number', 'given_name', 'family_name', 'nationality', 'date_of_birth', 'recorded_by_role', 'recorded_at', 'confirmed_at'];
const CASE_COLUMNS = ['case_number', 'v_number', 'status', 'status_changed_at', 'recorded_by_role', 'recorded_at', 'confirmed_at'];
const PLAN_COLUMNS = [
  'id', 'v_number', 'planned_at', 'superseded_at', 'flight_number', 'carrier', 'from_airport', 'to_airport', 'departs_at',
  'escort_kind', 'escort_count', 'recorded_by_role', 'recorded_at', 'confirmed_at',
];

interface Rows {
  persons: unknown[][];
  cases: unknown[][];
  plans: unknown[][];
}

function hoursBefore(moment: Date, hours: number): Date {
  return new Date(moment.getTime() - hours * HOUR);
}

/** Escort officers per kind: MEDEX sends one or two care providers, Marechaussee escorts go two or three. */
function escortCount(kind: EscortKind, rnd: Random): number {
  if (kind === 'MEDEX') return rnd.int(1, 2);
  if (kind === 'ESCORT') return rnd.int(2, 3);
  return 0;
}

function flightFor(p: DemoPerson, departsAt: Date, rnd: Random): unknown[] {
  const route = rnd.pick(ROUTES[p.nationality] ?? [FALLBACK_ROUTE]);
  return [`${route.code}${rnd.int(100, 1999)}`, route.carrier, rnd.pick(route.from), route.to, departsAt];
}

function addPerson(rows: Rows, p: DemoPerson, world: DemoWorld, nextPlanId: () => string): void {
  const rnd = randomFor(p.vNumber, 'dtv');
  const featured = p.index < FEATURED_COUNT;
  // Every DT&V fact was last confirmed at the person's DT&V fact age; what came before is
  // spread backwards from there: registration, then the case, then the plan.
  const confirmedAt = daysBefore(world.reference, p.factAgeDays.dtv);
  const planRecordedAt = hoursBefore(confirmedAt, rnd.int(0, 14) * 24 + rnd.int(0, 8));
  const caseRecordedAt = hoursBefore(planRecordedAt, rnd.int(7, 120) * 24 + rnd.int(0, 8));
  const personRecordedAt = hoursBefore(caseRecordedAt, rnd.int(0, 30) * 24 + rnd.int(1, 8));

  rows.persons.push([p.vNumber, p.givenName, p.familyName, p.nationality, p.dateOfBirth, ROLE, personRecordedAt, confirmedAt]);

  let status: ReturnStatus;
  let statusChangedAt: Date;
  if (p.departureAt) {
    status = 'DEPARTURE_PLANNED';
    statusChangedAt = planRecordedAt;
  } else if (!featured && rnd.chance(0.15)) {
    // Suspended, e.g. while a new asylum application or a court case runs.
    status = 'SUSPENDED';
    statusChangedAt = planRecordedAt;
  } else {
    status = 'PREPARATION';
    statusChangedAt = caseRecordedAt;
  }
  const caseNumber = `DTV-${caseRecordedAt.getUTCFullYear()}-${String(p.index + 1).padStart(5, '0')}`;
  rows.cases.push([caseNumber, p.vNumber, status, statusChangedAt, ROLE, caseRecordedAt, confirmedAt]);

  if (!p.departureAt) return;
  const plannedAt = p.departureAt;
  const count = escortCount(p.escort, rnd);

  // Some generated persons were rebooked: the earlier plan stays, superseded by the current one.
  if (!featured && rnd.chance(0.1)) {
    const earlierAt = new Date(plannedAt.getTime() - rnd.int(1, 10) * DAY - rnd.int(0, 12) * HOUR);
    const earlierRecordedAt = new Date(caseRecordedAt.getTime() + Math.floor((planRecordedAt.getTime() - caseRecordedAt.getTime()) / 2));
    rows.plans.push([
      nextPlanId(), p.vNumber, earlierAt, planRecordedAt, ...flightFor(p, earlierAt, rnd),
      p.escort, count, ROLE, earlierRecordedAt, earlierRecordedAt,
    ]);
  }

  // Featured persons always have a seat; a far-away departure may still wait for one.
  const booked = featured || plannedAt.getTime() - world.reference.getTime() < 21 * DAY || rnd.chance(0.6);
  const flight = booked ? flightFor(p, plannedAt, rnd) : [null, null, null, null, null];
  rows.plans.push([nextPlanId(), p.vNumber, plannedAt, null, ...flight, p.escort, count, ROLE, planRecordedAt, confirmedAt]);
}

/**
 * Writes DT&V's persons, return cases and departure plans for `world` in one transaction,
 * with multi-row inserts only. Deterministic for a world: every invented detail comes from
 * `randomFor(vNumber, 'dtv')` and plan ids are numbered in world order.
 */
export async function seedDemo(store: Store, world: DemoWorld): Promise<void> {
  const rows: Rows = { persons: [], cases: [], plans: [] };
  let planSeq = 0;
  const nextPlanId = () => `VP-${String(++planSeq).padStart(6, '0')}`;
  for (const p of world.persons) addPerson(rows, p, world, nextPlanId);
  await store.transaction(async (tx) => {
    await insertRows(tx, 'dtv.person', PERSON_COLUMNS, rows.persons);
    await insertRows(tx, 'dtv.return_case', CASE_COLUMNS, rows.cases);
    await insertRows(tx, 'dtv.departure_plan', PLAN_COLUMNS, rows.plans);
  });
}
