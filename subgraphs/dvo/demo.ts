import { createHash } from 'node:crypto';
import type { Store } from '../../lib/db/store';
import { randomFor, type Random } from '../../lib/demo/random';
import { daysBefore, FEATURED_COUNT, type DemoPerson, type DemoWorld } from '../../lib/demo/world';
import { insertRows } from '../../lib/subgraph/kit';
import type { RestraintMeans, TransportClassLevel, TransportKind } from './data';

// DV&O demo data: rides derived from each person's backbone (situation, departure, transport
// class, restraints, moved pickup, fact age), with invented but realistic detail. All
// locations are institutions, never addresses of persons; all persons are fictitious.

const MINUTE = 60_000;
const QUARTER = 15 * MINUTE;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const PLANNER = 'transport-planner';
const OFFICER = 'transport-officer';
const ANALYST = 'risk-analyst';

const DETENTION_CENTRES = ['Detentiecentrum Rotterdam', 'Justitieel Complex Schiphol', 'Detentiecentrum Zeist'];
const RECEPTION_LOCATIONS = ['VBL Ter Apel', 'AZC Budel-Cranendonck', 'AZC Gilze en Rijen', 'AZC Zwolle', 'AZC Musselkanaal'];
/** Where people come from before their current stay (transfers). */
const EARLIER_LOCATIONS = ['Aanmeldcentrum Ter Apel', 'Politiebureau Amsterdam Nieuwe Meer', 'Politiebureau Eindhoven Mathildelaan'];
const AIRPORTS = [
  'Schiphol, Koninklijke Marechaussee vertrekcentrum',
  'Schiphol, Koninklijke Marechaussee vertrekcentrum',
  'Schiphol, Koninklijke Marechaussee vertrekcentrum',
  'Eindhoven Airport',
  'Rotterdam The Hague Airport',
];
/** Locations far from the airports: pickup is planned earlier. */
const FAR = new Set(['VBL Ter Apel', 'AZC Musselkanaal', 'AZC Zwolle', 'Aanmeldcentrum Ter Apel']);

const PICKUP_REASONS = [
  'Flight time changed by the carrier',
  'Vehicle with secured compartment only available later',
  'MEDEX escort team arrives later at the location',
  'Royal Netherlands Marechaussee moved the handover at the airport',
  'Roadworks on the A4: more travel time planned',
  'Departure interview at the location moved',
];

const STANDARD_JUSTIFICATIONS = [
  'No incidents recorded during the stay; cooperative during intake and earlier transfers.',
  'Calm and cooperative at the location; no indications of flight risk or violence in the reports.',
  'Earlier transfer went without incident and the person has said he or she will cooperate with the return.',
];
const EXTRA_SECURED_JUSTIFICATIONS = [
  'Two incidents of aggression towards staff in the past month and resistance during an earlier departure attempt.',
  'Escape attempt during an earlier transfer; detention reports indicate a continuing flight risk.',
  'Threatened self-harm when the departure was announced; risk of disruption during the transport.',
];
const RESTRAINT_OPTIONS: Array<{ means: RestraintMeans[]; justification: string }> = [
  {
    means: ['HANDCUFFS'],
    justification:
      'Individual assessment: resisted boarding at the previous attempt; handcuffs from vehicle to aircraft door are proportionate.',
  },
  {
    means: ['LEG_CUFFS'],
    justification:
      'Individual assessment: escape attempt during an earlier transfer; leg cuffs only while moving between vehicle and terminal.',
  },
  {
    means: ['HANDCUFFS', 'BODY_CUFF'],
    justification:
      'Individual assessment: repeated aggression towards escorts this month; body cuff with handcuffs during the ride, reviewed at the airport.',
  },
];

interface SeedChange {
  previous: Date;
  next: Date;
  changedAt: Date;
  reason: string;
  role: string;
}

interface SeedDecision {
  means: RestraintMeans[];
  justification: string;
  decidedAt: Date;
}

interface SeedOrder {
  kind: TransportKind;
  from: string;
  to: string;
  planned: Date;
  actual: Date | null;
  recordedAt: Date;
  confirmedAt: Date;
  changes: SeedChange[];
  classification: { level: TransportClassLevel; justification: string; assessedAt: Date };
  decisions: SeedDecision[];
}

/** A stable UUID-shaped id: seeding the same world twice gives the same ids. */
function seedId(...parts: Array<string | number>): string {
  const hex = createHash('sha256').update(['dvo', ...parts].join(':')).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const at = (base: Date, ms: number) => new Date(base.getTime() + ms);
const toQuarter = (date: Date) => new Date(Math.round(date.getTime() / QUARTER) * QUARTER);

/** The hand-made persons, exactly as their comments in world.ts describe them. */
function featuredOrders(p: DemoPerson, reference: Date): SeedOrder[] {
  const confirmedAt = daysBefore(reference, p.factAgeDays.dvo);
  switch (p.index) {
    case 0: {
      // Leaves today, extra-secured with handcuffs; the pickup was moved twice. Came from Zeist.
      const departure = p.departureAt!;
      const transferAt = at(reference, -12 * DAY - 15 * HOUR);
      const classification = {
        level: 'EXTRA_SECURED' as const,
        justification:
          'Resisted boarding during an earlier departure attempt and assaulted an escort officer; detention reports show repeated aggression towards staff.',
        assessedAt: at(reference, -6 * DAY + 2 * HOUR),
      };
      return [
        {
          kind: 'TRANSFER',
          from: 'Detentiecentrum Zeist',
          to: 'Detentiecentrum Rotterdam',
          planned: transferAt,
          actual: at(transferAt, 10 * MINUTE),
          recordedAt: at(transferAt, -2 * DAY),
          confirmedAt,
          changes: [],
          classification: { ...classification, assessedAt: at(transferAt, -DAY) },
          decisions: [
            { means: ['HANDCUFFS'], justification: RESTRAINT_OPTIONS[0]!.justification, decidedAt: at(transferAt, -20 * HOUR) },
          ],
        },
        {
          kind: 'TO_AIRPORT',
          from: 'Detentiecentrum Rotterdam',
          to: 'Schiphol, Koninklijke Marechaussee vertrekcentrum',
          planned: at(departure, -4 * HOUR),
          actual: null,
          recordedAt: at(reference, -6 * DAY),
          confirmedAt,
          changes: [
            {
              previous: at(departure, -5.5 * HOUR),
              next: at(departure, -4.75 * HOUR),
              changedAt: at(reference, -3 * DAY),
              reason: 'Flight time changed by the carrier',
              role: PLANNER,
            },
            {
              previous: at(departure, -4.75 * HOUR),
              next: at(departure, -4 * HOUR),
              changedAt: at(reference, -5 * HOUR),
              reason: 'Vehicle with secured compartment only available later',
              role: OFFICER,
            },
          ],
          classification,
          decisions: [
            { means: ['HANDCUFFS'], justification: RESTRAINT_OPTIONS[0]!.justification, decidedAt: at(reference, -5 * DAY) },
          ],
        },
      ];
    }
    case 1:
      // MEDEX escort, standard transport from Schiphol's own detention centre, no changes.
      return [
        {
          kind: 'TO_AIRPORT',
          from: 'Justitieel Complex Schiphol',
          to: 'Schiphol, Koninklijke Marechaussee vertrekcentrum',
          planned: at(p.departureAt!, -3 * HOUR),
          actual: null,
          recordedAt: at(reference, -4 * DAY),
          confirmedAt,
          changes: [],
          classification: {
            level: 'STANDARD',
            justification: STANDARD_JUSTIFICATIONS[0]!,
            assessedAt: at(reference, -4 * DAY + 3 * HOUR),
          },
          decisions: [],
        },
      ];
    case 2:
      // In reception at the departure location in Ter Apel: a long ride, standard transport.
      return [
        {
          kind: 'TO_AIRPORT',
          from: 'VBL Ter Apel',
          to: 'Schiphol, Koninklijke Marechaussee vertrekcentrum',
          planned: at(p.departureAt!, -6 * HOUR),
          actual: null,
          recordedAt: at(reference, -3 * DAY),
          confirmedAt,
          changes: [],
          classification: {
            level: 'STANDARD',
            justification: STANDARD_JUSTIFICATIONS[1]!,
            assessedAt: at(reference, -3 * DAY + 4 * HOUR),
          },
          decisions: [],
        },
      ];
    case 3:
      // Extra-secured without restraints; the pickup was moved once.
      return [
        {
          kind: 'TO_AIRPORT',
          from: 'Detentiecentrum Rotterdam',
          to: 'Schiphol, Koninklijke Marechaussee vertrekcentrum',
          planned: at(p.departureAt!, -4 * HOUR),
          actual: null,
          recordedAt: at(reference, -5 * DAY),
          confirmedAt,
          changes: [
            {
              previous: at(p.departureAt!, -6 * HOUR),
              next: at(p.departureAt!, -4 * HOUR),
              changedAt: at(reference, -2 * DAY),
              reason: 'Royal Netherlands Marechaussee moved the handover at the airport',
              role: PLANNER,
            },
          ],
          classification: {
            level: 'EXTRA_SECURED',
            justification: EXTRA_SECURED_JUSTIFICATIONS[1]!,
            assessedAt: at(reference, -5 * DAY + 2 * HOUR),
          },
          decisions: [],
        },
      ];
    default:
      // No departure planned and no ride: DV&O does not know this person.
      return [];
  }
}

function classificationFor(p: DemoPerson, rnd: Random, assessedAt: Date): SeedOrder['classification'] {
  const texts = p.transportClass === 'EXTRA_SECURED' ? EXTRA_SECURED_JUSTIFICATIONS : STANDARD_JUSTIFICATIONS;
  return { level: p.transportClass, justification: rnd.pick(texts), assessedAt };
}

/** A generated person's rides: to the airport when a departure is planned, sometimes a transfer before. */
function generatedOrders(p: DemoPerson, reference: Date): SeedOrder[] {
  const rnd = randomFor(p.vNumber, 'dvo');
  const confirmedAt = daysBefore(reference, p.factAgeDays.dvo);
  const home = p.situation === 'DETENTION' ? rnd.pick(DETENTION_CENTRES) : rnd.pick(RECEPTION_LOCATIONS);
  const orders: SeedOrder[] = [];

  // An earlier transfer to the current location, already carried out.
  if (rnd.chance(p.departureAt ? 0.3 : 0.35)) {
    const pool = p.situation === 'DETENTION' ? [...EARLIER_LOCATIONS, ...DETENTION_CENTRES] : RECEPTION_LOCATIONS;
    const from = rnd.pick(pool.filter((place) => place !== home));
    const planned = toQuarter(at(confirmedAt, -rnd.int(1, 20) * DAY - rnd.int(0, 8) * HOUR));
    const recordedAt = at(planned, -rnd.int(1, 4) * DAY);
    orders.push({
      kind: 'TRANSFER',
      from,
      to: home,
      planned,
      actual: at(planned, rnd.int(-5, 30) * MINUTE),
      recordedAt,
      confirmedAt,
      changes: [],
      classification: classificationFor(p, rnd, at(recordedAt, rnd.int(1, 6) * HOUR)),
      decisions:
        p.restraints && rnd.chance(0.5)
          ? [{ ...rnd.pick(RESTRAINT_OPTIONS), decidedAt: at(recordedAt, rnd.int(7, 20) * HOUR) }]
          : [],
    });
  }

  if (p.departureAt) {
    const leadQuarters = FAR.has(home) ? rnd.int(20, 24) : rnd.int(12, 18);
    const planned = at(p.departureAt, -leadQuarters * QUARTER);
    const recordedAt = at(confirmedAt, -rnd.int(1, 10) * DAY - rnd.int(0, 8) * HOUR);
    const changes: SeedChange[] = [];
    if (p.pickupMoved) {
      // Walk back from the current plan: each change moved the pickup by a few quarters.
      const count = rnd.int(1, 3);
      const times = [planned];
      for (let i = 0; i < count; i++) {
        const shift = rnd.int(1, 8) * QUARTER * (rnd.chance(0.5) ? 1 : -1);
        times.unshift(at(times[0]!, shift));
      }
      const span = confirmedAt.getTime() - recordedAt.getTime();
      for (let i = 0; i < count; i++) {
        const changedAt = new Date(Math.floor((recordedAt.getTime() + (span * (i + 1)) / (count + 1)) / MINUTE) * MINUTE);
        const sameDay = p.departureAt.getTime() - changedAt.getTime() < DAY;
        changes.push({
          previous: times[i]!,
          next: times[i + 1]!,
          changedAt,
          reason: rnd.pick(PICKUP_REASONS),
          role: sameDay ? OFFICER : PLANNER,
        });
      }
    }
    const assessedAt = at(recordedAt, rnd.int(1, 6) * HOUR);
    orders.push({
      kind: 'TO_AIRPORT',
      from: home,
      to: rnd.pick(AIRPORTS),
      planned,
      // A ride whose pickup lies before the last confirmation has been carried out.
      actual: planned.getTime() + 30 * MINUTE < confirmedAt.getTime() ? at(planned, rnd.int(-5, 20) * MINUTE) : null,
      recordedAt,
      confirmedAt,
      changes,
      classification: classificationFor(p, rnd, assessedAt),
      decisions: p.restraints ? [{ ...rnd.pick(RESTRAINT_OPTIONS), decidedAt: at(assessedAt, rnd.int(1, 12) * HOUR) }] : [],
    });
  }
  return orders;
}

/** The later of two moments: a fact cannot be confirmed before it was recorded. */
const latest = (a: Date, b: Date) => (a.getTime() >= b.getTime() ? a : b);

/**
 * Seeds DV&O's rows for `world` into an empty store, in one transaction with multi-row
 * inserts. Deterministic: the same world gives the same rows and ids.
 */
export async function seedDemo(store: Store, world: DemoWorld): Promise<void> {
  const orders: unknown[][] = [];
  const changes: unknown[][] = [];
  const classifications: unknown[][] = [];
  const decisions: unknown[][] = [];

  for (const p of world.persons) {
    const seeded = p.index < FEATURED_COUNT ? featuredOrders(p, world.reference) : generatedOrders(p, world.reference);
    seeded.forEach((order, n) => {
      const orderId = seedId('order', p.vNumber, n);
      const confirmedAt = latest(order.confirmedAt, order.recordedAt);
      orders.push([
        orderId, p.vNumber, order.kind, order.from, order.to, order.planned, order.actual,
        PLANNER, order.recordedAt, confirmedAt,
      ]);
      order.changes.forEach((change, c) => {
        changes.push([
          seedId('change', p.vNumber, n, c), orderId, p.vNumber, change.previous, change.next, change.changedAt,
          change.reason, change.role, change.changedAt, latest(confirmedAt, change.changedAt),
        ]);
      });
      const classificationId = seedId('classification', p.vNumber, n);
      const { level, justification, assessedAt } = order.classification;
      classifications.push([
        classificationId, orderId, p.vNumber, level, justification, assessedAt,
        ANALYST, assessedAt, latest(confirmedAt, assessedAt),
      ]);
      order.decisions.forEach((decision, d) => {
        decisions.push([
          seedId('decision', p.vNumber, n, d), orderId, classificationId, p.vNumber, decision.means,
          decision.justification, decision.decidedAt, ANALYST, decision.decidedAt, latest(confirmedAt, decision.decidedAt),
        ]);
      });
    });
  }

  await store.transaction(async (tx) => {
    await insertRows(tx, 'dvo.transport_order', [
      'id', 'v_number', 'kind', 'from_location', 'to_location', 'planned_pickup_at', 'actual_pickup_at',
      'recorded_by_role', 'recorded_at', 'confirmed_at',
    ], orders);
    await insertRows(tx, 'dvo.pickup_change', [
      'id', 'transport_order_id', 'v_number', 'previous_pickup_at', 'new_pickup_at', 'changed_at', 'reason',
      'recorded_by_role', 'recorded_at', 'confirmed_at',
    ], changes);
    await insertRows(tx, 'dvo.transport_classification', [
      'id', 'transport_order_id', 'v_number', 'level', 'justification', 'assessed_at',
      'recorded_by_role', 'recorded_at', 'confirmed_at',
    ], classifications);
    await insertRows(tx, 'dvo.restraint_decision', [
      'id', 'transport_order_id', 'classification_id', 'v_number', 'means', 'justification', 'decided_at',
      'recorded_by_role', 'recorded_at', 'confirmed_at',
    ], decisions);
  });
}

/** True when DV&O holds no transport order yet (demo seeding runs only then). */
export async function isEmpty(store: Store): Promise<boolean> {
  const rows = await store.query<{ empty: boolean }>('SELECT NOT EXISTS (SELECT 1 FROM dvo.transport_order) AS empty');
  return rows[0]?.empty ?? true;
}
