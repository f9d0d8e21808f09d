import type { Queryable, Store } from '../../lib/db/store';
import { randomFor, type Random } from '../../lib/demo/random';
import { daysBefore, type DemoPerson, type DemoWorld } from '../../lib/demo/world';
import { insertRows } from '../../lib/subgraph/kit';
import type { BehaviourCategory, BelongingsCategory, BelongingsChangeKind, BelongingsLocation } from './data';
import { LAST_MINUTE_WINDOW_MS } from './last-minute';
export { isEmpty } from './data';

/**
 * DJI demo data: a stay, behaviour observations and belongings with their change history
 * for every person of the world in DETENTION; nothing for persons in RECEPTION (DJI does
 * not hold them). Deterministic for a world: all detail comes from randomFor(vNumber, 'dji')
 * and from the world's reference moment, never from the clock.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const DETENTION_OFFICER = 'detention-officer';
const DEPOT_OFFICER = 'depot-officer';

type CentreCode = 'DCR' | 'DCZ' | 'JCS';
const CENTRES: readonly CentreCode[] = ['DCR', 'DCZ', 'JCS'];
const UNITS = ['Unit A1', 'Unit A2', 'Unit B1', 'Unit B2', 'Unit C1', 'Unit C2', 'Unit D1'];

interface ObservationPlan {
  at: Date;
  category: BehaviourCategory;
  description: string;
}

interface ChangePlan {
  at: Date;
  kind: BelongingsChangeKind;
  description: string;
}

interface ItemPlan {
  description: string;
  category: BelongingsCategory;
  quantity: number;
  location: BelongingsLocation;
  /** Oldest first; the first is the ADDED change. */
  changes: ChangePlan[];
}

/** One detained person's DJI facts before they become rows. */
interface StayPlan {
  centre: CentreCode;
  unit: string;
  admittedAt: Date;
  ready: boolean;
  note: string;
  observations: ObservationPlan[];
  items: ItemPlan[];
}

/** The moments a person's plan is built between. */
interface Frame {
  reference: Date;
  /** When DJI last recorded or confirmed this person's facts (factAgeDays.dji). */
  confirmedAt: Date;
  admittedAt: Date;
  /**
   * Latest moment for ordinary history (observations, belongings changes): an hour before
   * the confirmation and an hour before the last-minute window before the departure opens
   * (departure - 25 h), so that only the persons the world marks with
   * `lastMinuteBelongingsChange` show a last-minute change.
   */
  historyEnd: Date;
  /** When intake registration of belongings happened. */
  intakeAt: Date;
}

/**
 * When the demo places the last-minute belongings change of a person the world marks with
 * `lastMinuteBelongingsChange` (the world does so only for departures within 24 hours of
 * its reference): two hours before the reference. The change must lie in the past of the
 * reference (the demo never shows a change that has not happened yet) and within the
 * 24 hours before the departure (that is what makes it last-minute). Two hours before the
 * reference is in that window for departures up to 22 hours ahead, such as the featured
 * 2044001001 (reference + 8 h: the change is 10 hours before departure); for a departure
 * further ahead the change moves up to 5 minutes into the window, never past the reference.
 */
export function lastMinuteChangeAt(reference: Date, departureAt: Date): Date {
  const wanted = reference.getTime() - 2 * HOUR;
  const windowStart = departureAt.getTime() - LAST_MINUTE_WINDOW_MS + 5 * MINUTE;
  return new Date(Math.min(reference.getTime(), Math.max(wanted, windowStart)));
}

function minuteFloor(time: number): Date {
  return new Date(Math.floor(time / MINUTE) * MINUTE);
}

/** A moment uniformly in [from, to], on a whole minute. */
function between(rnd: Random, from: Date, to: Date): Date {
  const span = Math.max(0, to.getTime() - from.getTime());
  return minuteFloor(from.getTime() + rnd.next() * span);
}

function frameFor(person: DemoPerson, reference: Date, admittedDaysBeforeConfirmation: number, rnd: Random): Frame {
  const confirmedAt = daysBefore(reference, person.factAgeDays.dji);
  const admittedAt = minuteFloor(confirmedAt.getTime() - admittedDaysBeforeConfirmation * DAY - rnd.int(1, 10) * HOUR);
  let historyEnd = confirmedAt.getTime() - HOUR;
  if (person.departureAt) historyEnd = Math.min(historyEnd, person.departureAt.getTime() - LAST_MINUTE_WINDOW_MS - HOUR);
  return {
    reference,
    confirmedAt,
    admittedAt,
    historyEnd: new Date(historyEnd),
    intakeAt: new Date(admittedAt.getTime() + rnd.int(30, 120) * MINUTE),
  };
}

const OBSERVATION_TEXT: Record<BehaviourCategory, readonly string[]> = {
  COOPERATIVE: [
    'Followed the unit routine and took part in the daily activities.',
    'Cooperative during the room inspection; no remarks.',
    'Asked for a talk with the case manager about the departure; the talk went well.',
    'Helped staff by translating for a new arrival on the unit.',
  ],
  CALM: [
    'Calm during the evening count; spends most of the day reading.',
    'Quiet on the unit; regular contact with fellow detainees.',
    'Calm after a phone call with family.',
    'No particulars during the night shift.',
  ],
  AGITATED: [
    'Restless and raised voice after a visit was cancelled; calmed down after a talk with the mentor.',
    'Agitated about the departure date; refused the evening meal and accepted it later.',
    'Irritated during the room search; did follow the instructions of staff.',
  ],
  AGGRESSIVE: [
    'Threatened an officer verbally after hearing the departure date; four hours in the isolation cell, calm afterwards.',
    'Pushed a fellow detainee during yard time; separated by staff, no injuries.',
    'Kicked the cell door repeatedly and shouted threats at staff.',
  ],
  ESCAPE_RISK: [
    'Asked repeatedly about the route to the airport and the times of the gate shifts; reported to the security coordinator.',
    'Found with a hand-drawn map of the courtyard; map confiscated and reported to the security coordinator.',
    'Told fellow detainees to run at the airport rather than board; reported to the security coordinator.',
  ],
  SELF_HARM_RISK: [
    'Told the mentor to see no way out; placed under extra supervision and the medical service was informed.',
  ],
};

const ORDINARY_CATEGORIES: readonly BehaviourCategory[] = ['COOPERATIVE', 'COOPERATIVE', 'CALM', 'CALM', 'AGITATED'];

function generatedObservations(person: DemoPerson, frame: Frame, rnd: Random): ObservationPlan[] {
  const count = rnd.int(2, 5);
  const categories: BehaviourCategory[] = [];
  for (let i = 0; i < count; i++) categories.push(rnd.pick(ORDINARY_CATEGORIES));
  // Extra-secured transport is classified on behaviour: such a person shows a risk on record.
  if (person.transportClass === 'EXTRA_SECURED') {
    categories[rnd.int(1, count - 1)] = rnd.pick(['AGGRESSIVE', 'ESCAPE_RISK'] as const);
  } else if (rnd.chance(0.03)) {
    categories[rnd.int(1, count - 1)] = 'SELF_HARM_RISK';
  }
  const firstDay = new Date(frame.admittedAt.getTime() + DAY);
  const times = categories
    .slice(1)
    .map(() => between(rnd, firstDay, frame.historyEnd))
    .sort((a, b) => a.getTime() - b.getTime());
  times.unshift(new Date(frame.admittedAt.getTime() + rnd.int(2, 20) * HOUR));
  return categories.map((category, i) => ({ at: times[i]!, category, description: rnd.pick(OBSERVATION_TEXT[category]) }));
}

interface CatalogueEntry {
  description: string;
  category: BelongingsCategory;
  quantity: [number, number];
  location: BelongingsLocation;
}

const CATALOGUE: readonly CatalogueEntry[] = [
  { description: 'Passport', category: 'DOCUMENTS', quantity: [1, 1], location: 'STORED' },
  { description: 'National identity card', category: 'DOCUMENTS', quantity: [1, 1], location: 'STORED' },
  { description: 'Envelope with personal papers', category: 'DOCUMENTS', quantity: [1, 1], location: 'STORED' },
  { description: 'Sports bag with clothing', category: 'CLOTHING', quantity: [1, 1], location: 'STORED' },
  { description: 'T-shirts', category: 'CLOTHING', quantity: [2, 6], location: 'WITH_PERSON' },
  { description: 'Winter coat', category: 'CLOTHING', quantity: [1, 1], location: 'STORED' },
  { description: 'Pair of shoes', category: 'CLOTHING', quantity: [1, 2], location: 'STORED' },
  { description: 'Mobile phone with charger', category: 'ELECTRONICS', quantity: [1, 1], location: 'STORED' },
  { description: 'Earphones', category: 'ELECTRONICS', quantity: [1, 1], location: 'WITH_PERSON' },
  { description: 'Cash (EUR)', category: 'MONEY', quantity: [1, 1], location: 'STORED' },
  { description: 'Wristwatch', category: 'OTHER', quantity: [1, 1], location: 'STORED' },
  { description: 'Wedding ring', category: 'OTHER', quantity: [1, 1], location: 'STORED' },
  { description: 'Prayer beads', category: 'OTHER', quantity: [1, 1], location: 'WITH_PERSON' },
  { description: 'Photographs', category: 'OTHER', quantity: [3, 12], location: 'WITH_PERSON' },
  { description: 'Reading glasses', category: 'OTHER', quantity: [1, 1], location: 'WITH_PERSON' },
];

function euros(cents: number): string {
  return `EUR ${(cents / 100).toFixed(2)}`;
}

function intakeText(location: BelongingsLocation): string {
  return location === 'WITH_PERSON'
    ? 'Registered at intake; the person keeps it on the unit.'
    : 'Registered at intake and stored in the depot.';
}

function generatedItem(entry: CatalogueEntry, frame: Frame, rnd: Random): ItemPlan {
  let quantity = rnd.int(entry.quantity[0], entry.quantity[1]);
  let location = entry.location;
  let description = entry.description;
  const changes: ChangePlan[] = [];
  // Most belongings arrive with the person; some are brought in later by a visitor.
  const broughtLater = entry.category !== 'DOCUMENTS' && rnd.chance(0.15);
  const addedAt = broughtLater ? between(rnd, new Date(frame.intakeAt.getTime() + DAY), frame.historyEnd) : frame.intakeAt;
  let cents = rnd.int(5, 180) * 100 + rnd.int(0, 3) * 25;
  changes.push({
    at: addedAt,
    kind: 'ADDED',
    description:
      entry.category === 'MONEY'
        ? `Registered: ${euros(cents)}, stored in the depot safe.`
        : broughtLater
          ? location === 'WITH_PERSON'
            ? 'Brought in by a visitor, checked and handed to the person on the unit.'
            : 'Brought in by a visitor, checked and stored in the depot.'
          : intakeText(location),
  });
  if (rnd.chance(0.35) && frame.historyEnd.getTime() > addedAt.getTime() + HOUR) {
    const at = between(rnd, new Date(addedAt.getTime() + HOUR), frame.historyEnd);
    if (entry.category === 'MONEY') {
      const spent = Math.min(cents - 100, rnd.int(2, 30) * 100);
      cents -= Math.max(0, spent);
      changes.push({ at, kind: 'MODIFIED', description: `Canteen purchases deducted; balance now ${euros(cents)}.` });
    } else if (quantity >= 2 && rnd.chance(0.5)) {
      const before = quantity;
      quantity = rnd.int(1, quantity - 1);
      changes.push({ at, kind: 'REMOVED', description: `Handed to a visitor with the person's signed consent; quantity from ${before} to ${quantity}.` });
    } else if (location === 'STORED' && entry.category !== 'DOCUMENTS' && entry.category !== 'ELECTRONICS') {
      location = 'WITH_PERSON';
      changes.push({ at, kind: 'MODIFIED', description: 'Issued from the depot to the person on the unit.' });
    } else if (entry.quantity[1] > 1) {
      const before = quantity;
      quantity += 1;
      changes.push({ at, kind: 'MODIFIED', description: `Recounted during the monthly depot check; quantity from ${before} to ${quantity}.` });
    } else {
      changes.push({ at, kind: 'MODIFIED', description: 'Checked during the monthly depot check; bag resealed, contents unchanged.' });
    }
  }
  if (entry.category === 'MONEY') description = `Cash, ${euros(cents)}`;
  return { description, category: entry.category, quantity, location, changes };
}

function generatedItems(person: DemoPerson, frame: Frame, rnd: Random): ItemPlan[] {
  const pool = [...CATALOGUE];
  const count = rnd.int(2, 6);
  const items: ItemPlan[] = [];
  for (let i = 0; i < count; i++) {
    const [entry] = pool.splice(rnd.int(0, pool.length - 1), 1);
    items.push(generatedItem(entry!, frame, rnd));
  }
  if (person.lastMinuteBelongingsChange && person.departureAt) {
    const item = rnd.pick(items);
    const at = lastMinuteChangeAt(frame.reference, person.departureAt);
    if (item.category === 'DOCUMENTS') {
      item.location = 'HANDED_OVER';
      item.changes.push({ at, kind: 'HANDED_OVER', description: 'Handed over to the DT&V return officer for the departure.' });
    } else {
      item.changes.push({ at, kind: 'MODIFIED', description: 'Repacked for the departure at the request of the person; contents checked and sealed.' });
    }
  }
  return items;
}

function readiness(person: DemoPerson, reference: Date, rnd: Random): { ready: boolean; note: string } {
  if (!person.departureAt) return { ready: false, note: 'No departure planned; not scheduled for transport.' };
  if (person.departureAt.getTime() - reference.getTime() > 7 * DAY) {
    return { ready: false, note: 'Departure is more than a week away; readiness is checked in the final week.' };
  }
  if (rnd.chance(0.85)) {
    return {
      ready: true,
      note:
        person.transportClass === 'EXTRA_SECURED'
          ? 'Ready for transport. Extra-secured: handover in the secured sally port with two officers.'
          : 'Ready for transport. Belongings packed and checked against the depot list.',
    };
  }
  return {
    ready: false,
    note: rnd.pick([
      'Not yet ready: belongings still to be checked and packed by the depot.',
      'Not yet ready: the person has not yet been told the departure time by the unit.',
      'Not yet ready: a move to the departure unit is planned first.',
    ]),
  };
}

function generatedPlan(person: DemoPerson, reference: Date): { plan: StayPlan; frame: Frame } {
  const rnd = randomFor(person.vNumber, 'dji');
  const frame = frameFor(person, reference, rnd.int(5, 90), rnd);
  const { ready, note } = readiness(person, reference, rnd);
  return {
    frame,
    plan: {
      centre: rnd.pick(CENTRES),
      unit: rnd.pick(UNITS),
      admittedAt: frame.admittedAt,
      ready,
      note,
      observations: generatedObservations(person, frame, rnd),
      items: generatedItems(person, frame, rnd),
    },
  };
}

/**
 * The featured persons in detention, by hand, to show exactly what their comment in
 * world.ts describes. Persons in reception (2044001003, 2044001005) have no DJI facts.
 */
function featuredPlan(person: DemoPerson, reference: Date): { plan: StayPlan; frame: Frame } | undefined {
  const rnd = randomFor(person.vNumber, 'dji');
  const at = (days: number, hours = 0) => daysBefore(reference, days, hours);
  switch (person.vNumber) {
    case '2044001001': {
      // Leaves in 8 hours, extra-secured: aggression and an escape risk on record, and
      // belongings changed at the last minute, 10 hours before the departure (a family visit
      // brought a coat and money).
      const frame = frameFor(person, reference, 41, rnd);
      const lastMinute = lastMinuteChangeAt(reference, person.departureAt!);
      return {
        frame,
        plan: {
          centre: 'DCR',
          unit: 'Unit B2',
          admittedAt: frame.admittedAt,
          ready: true,
          note: 'Ready for transport. Belongings changed at the last minute: recount with the escort at the handover.',
          observations: [
            { at: new Date(frame.admittedAt.getTime() + 4 * HOUR), category: 'CALM', description: 'Calm at intake; the house rules were explained with a telephone interpreter.' },
            { at: at(12, 5), category: 'AGGRESSIVE', description: OBSERVATION_TEXT.AGGRESSIVE[0]! },
            { at: at(3, 6), category: 'ESCAPE_RISK', description: OBSERVATION_TEXT.ESCAPE_RISK[0]! },
            { at: new Date(reference.getTime() - 3 * HOUR), category: 'COOPERATIVE', description: 'Cooperative during the departure preparations; packed the belongings together with the depot officer.' },
          ],
          items: [
            { description: 'Passport', category: 'DOCUMENTS', quantity: 1, location: 'STORED', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') }] },
            { description: 'Mobile phone with charger', category: 'ELECTRONICS', quantity: 1, location: 'STORED', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') }] },
            {
              description: 'Sports bag with clothing', category: 'CLOTHING', quantity: 1, location: 'STORED',
              changes: [
                { at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') },
                { at: at(20, 4), kind: 'MODIFIED', description: 'Two shirts and a pair of trousers added from a family visit; contents list updated.' },
              ],
            },
            {
              description: 'Cash, EUR 65.00', category: 'MONEY', quantity: 1, location: 'STORED',
              changes: [
                { at: frame.intakeAt, kind: 'ADDED', description: 'Registered: EUR 40.00, stored in the depot safe.' },
                { at: lastMinute, kind: 'MODIFIED', description: 'EUR 25.00 brought in by family during a last visit before the departure; balance now EUR 65.00.' },
              ],
            },
            {
              description: 'Winter coat', category: 'CLOTHING', quantity: 1, location: 'STORED',
              changes: [{ at: lastMinute, kind: 'ADDED', description: 'Brought in by family during a last visit before the departure; checked and packed with the luggage.' }],
            },
          ],
        },
      };
    }
    case '2044001002': {
      // Leaves in five days, standard transport, a calm and cooperative stay.
      const frame = frameFor(person, reference, 23, rnd);
      return {
        frame,
        plan: {
          centre: 'DCZ',
          unit: 'Unit D1',
          admittedAt: frame.admittedAt,
          ready: true,
          note: 'Ready for transport. The escort collects the person at the unit.',
          observations: [
            { at: new Date(frame.admittedAt.getTime() + 3 * HOUR), category: 'COOPERATIVE', description: 'Cooperative at intake; asked for information about visiting hours.' },
            { at: at(9, 2), category: 'CALM', description: OBSERVATION_TEXT.CALM[2]! },
            { at: at(2, 4), category: 'CALM', description: OBSERVATION_TEXT.CALM[0]! },
          ],
          items: [
            { description: 'National identity card', category: 'DOCUMENTS', quantity: 1, location: 'STORED', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') }] },
            { description: 'Suitcase with clothing', category: 'CLOTHING', quantity: 1, location: 'STORED', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') }] },
            { description: 'Reading glasses', category: 'OTHER', quantity: 1, location: 'WITH_PERSON', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('WITH_PERSON') }] },
            {
              description: 'Photographs', category: 'OTHER', quantity: 6, location: 'WITH_PERSON',
              changes: [
                { at: frame.intakeAt, kind: 'ADDED', description: intakeText('WITH_PERSON') },
                { at: at(6, 3), kind: 'MODIFIED', description: 'Recounted during the monthly depot check; quantity from 5 to 6.' },
              ],
            },
          ],
        },
      };
    }
    case '2044001004': {
      // Leaves in three days, extra-secured with an escort: an escape risk on record.
      const frame = frameFor(person, reference, 16, rnd);
      return {
        frame,
        plan: {
          centre: 'JCS',
          unit: 'Unit C1',
          admittedAt: frame.admittedAt,
          ready: true,
          note: 'Ready for transport. Extra-secured: handover in the secured sally port with two officers.',
          observations: [
            { at: new Date(frame.admittedAt.getTime() + 5 * HOUR), category: 'AGITATED', description: OBSERVATION_TEXT.AGITATED[1]! },
            { at: at(8, 7), category: 'ESCAPE_RISK', description: OBSERVATION_TEXT.ESCAPE_RISK[1]! },
            { at: at(3, 1), category: 'CALM', description: OBSERVATION_TEXT.CALM[3]! },
          ],
          items: [
            { description: 'Envelope with personal papers', category: 'DOCUMENTS', quantity: 1, location: 'STORED', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') }] },
            { description: 'Sports bag with clothing', category: 'CLOTHING', quantity: 1, location: 'STORED', changes: [{ at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') }] },
            {
              description: 'Wristwatch', category: 'OTHER', quantity: 1, location: 'WITH_PERSON',
              changes: [
                { at: frame.intakeAt, kind: 'ADDED', description: intakeText('STORED') },
                { at: at(10, 2), kind: 'MODIFIED', description: 'Issued from the depot to the person on the unit.' },
              ],
            },
          ],
        },
      };
    }
    default:
      return undefined;
  }
}

const DETENTION_COLUMNS = ['id', 'v_number', 'centre_code', 'unit', 'admitted_at', 'ready_for_transport', 'readiness_note', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const OBSERVATION_COLUMNS = ['id', 'v_number', 'observed_at', 'category', 'description', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const ITEM_COLUMNS = ['id', 'v_number', 'description', 'category', 'quantity', 'location', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const CHANGE_COLUMNS = ['id', 'item_id', 'v_number', 'changed_at', 'kind', 'description', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;

interface Rows {
  detention: unknown[][];
  observation: unknown[][];
  item: unknown[][];
  change: unknown[][];
}

/** A recording lags the event by a few minutes, but never past the world's reference. */
function recordedAfter(event: Date, reference: Date, rnd: Random): Date {
  const lag = rnd.int(3, 40) * MINUTE;
  return new Date(Math.min(event.getTime() + lag, Math.max(event.getTime(), reference.getTime())));
}

function addRows(rows: Rows, person: DemoPerson, plan: StayPlan, frame: Frame): void {
  const rnd = randomFor(person.vNumber, 'dji:provenance');
  const key = String(person.index).padStart(6, '0');
  const stayRecordedAt = recordedAfter(plan.admittedAt, frame.reference, rnd);
  rows.detention.push([
    `DJI-D-${key}`, person.vNumber, plan.centre, plan.unit, plan.admittedAt, plan.ready, plan.note,
    DETENTION_OFFICER, stayRecordedAt, frame.confirmedAt,
  ]);
  plan.observations.forEach((obs, i) => {
    const recordedAt = recordedAfter(obs.at, frame.reference, rnd);
    rows.observation.push([
      `DJI-O-${key}-${i + 1}`, person.vNumber, obs.at, obs.category, obs.description, DETENTION_OFFICER, recordedAt, recordedAt,
    ]);
  });
  plan.items.forEach((item, i) => {
    const itemId = `DJI-B-${key}-${i + 1}`;
    const changes = [...item.changes].sort((a, b) => a.at.getTime() - b.at.getTime());
    const recorded = changes.map((change) => recordedAfter(change.at, frame.reference, rnd));
    const lastRecorded = recorded[recorded.length - 1]!;
    // The item is confirmed at DJI's last confirmation, or later when it changed since.
    const confirmedAt = new Date(Math.max(frame.confirmedAt.getTime(), lastRecorded.getTime()));
    rows.item.push([itemId, person.vNumber, item.description, item.category, item.quantity, item.location, DEPOT_OFFICER, recorded[0]!, confirmedAt]);
    changes.forEach((change, j) => {
      rows.change.push([
        `DJI-BC-${key}-${i + 1}-${j + 1}`, itemId, person.vNumber, change.at, change.kind, change.description,
        DEPOT_OFFICER, recorded[j]!, recorded[j]!,
      ]);
    });
  });
}

async function insertAll(tx: Queryable, rows: Rows): Promise<void> {
  await insertRows(tx, 'dji.detention', DETENTION_COLUMNS, rows.detention);
  await insertRows(tx, 'dji.behaviour_observation', OBSERVATION_COLUMNS, rows.observation);
  await insertRows(tx, 'dji.belongings_item', ITEM_COLUMNS, rows.item);
  await insertRows(tx, 'dji.belongings_change', CHANGE_COLUMNS, rows.change);
}

/**
 * Writes DJI's demo rows for `world` into an empty store, in one transaction with
 * multi-row inserts (a few statements per table, also for 10,000 persons).
 */
export async function seedDemo(store: Store, world: DemoWorld): Promise<void> {
  const rows: Rows = { detention: [], observation: [], item: [], change: [] };
  for (const person of world.persons) {
    if (person.situation !== 'DETENTION') continue;
    const { plan, frame } = featuredPlan(person, world.reference) ?? generatedPlan(person, world.reference);
    addRows(rows, person, plan, frame);
  }
  await store.transaction((tx) => insertAll(tx, rows));
}
