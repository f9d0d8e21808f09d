import { Random, seedOf } from './random';

/**
 * The demo world: who the demo persons are and the facts that must agree across partners
 * (where the person stays, when they leave, whether a MEDEX escort goes along, whether
 * there are medical particulars and consent, how transport is classified).
 *
 * Each partner's `demo.ts` turns this backbone into its own rows and invents its own
 * detail from `randomFor(vNumber, partner)`, so partners stay independent yet consistent.
 * All persons, names and numbers are fictitious.
 */

export type Situation = 'DETENTION' | 'RECEPTION';
export type EscortKind = 'NONE' | 'ESCORT' | 'MEDEX';
export type TransportClass = 'STANDARD' | 'EXTRA_SECURED';
export type ObtainedBy = 'MEASURED' | 'ESTIMATED' | 'SELF_REPORTED';
/** Consent to share the medical dossier with the escort: given, refused, or never asked. */
export type EscortConsent = 'GIVEN' | 'REFUSED' | 'NOT_ASKED';

export interface DemoPerson {
  index: number;
  /** V-number (vreemdelingennummer): 10 digits. */
  vNumber: string;
  givenName: string;
  familyName: string;
  /** ISO 3166-1 alpha-3. */
  nationality: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
  situation: Situation;
  /** Planned departure (flight time); undefined when no departure is planned yet. */
  departureAt?: Date;
  escort: EscortKind;
  transportClass: TransportClass;
  /** Whether restraints were decided for the transport (only with EXTRA_SECURED). */
  restraints: boolean;
  /** Whether the planned pickup time was moved at least once. */
  pickupMoved: boolean;
  /** Whether belongings changed at the last minute: within the 24 hours before departure. */
  lastMinuteBelongingsChange: boolean;
  /** Whether the medical service holds a dossier with particulars for this person. */
  medicalParticulars: boolean;
  escortConsent: EscortConsent;
  heightObtainedBy: ObtainedBy;
  /**
   * Days before the reference moment at which the partners last recorded or confirmed
   * their facts; some are deliberately older than the 7-day window before departure.
   * Staleness is judged against the departure, so facts of a person leaving in 12 days
   * are all stale: they must be confirmed again in the last week before departure.
   */
  factAgeDays: { dtv: number; dji: number; dvo: number; coa: number; medical: number };
}

export interface DemoWorld {
  /** The moment the demo is generated against: departures and ages are relative to it. */
  reference: Date;
  persons: DemoPerson[];
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;

const GIVEN = ['Amir', 'Yusuf', 'Nadia', 'Samuel', 'Fatima', 'Kofi', 'Leyla', 'Dawit', 'Mariam', 'Omar', 'Aisha', 'Tariq', 'Selam', 'Bilal', 'Hana', 'Ibrahim', 'Zainab', 'Mehmet', 'Grace', 'Arman'];
const FAMILY = ['Haddad', 'Okafor', 'Rahimi', 'Tesfaye', 'Benali', 'Mensah', 'Karimi', 'Yilmaz', 'Abebe', 'Nasser', 'Diallo', 'Hosseini', 'Mahmoud', 'Kaya', 'Osei', 'Sahin', 'Bekele', 'Farah', 'Aziz', 'Touré'];
const NATIONALITIES = ['MAR', 'DZA', 'NGA', 'GHA', 'ERI', 'ETH', 'AFG', 'IRQ', 'TUR', 'GEO', 'ALB', 'TUN', 'SRB', 'UKR', 'MNG'];

/** Hand-made persons with fixed facts; README examples and tests refer to them by V-number. */
const FEATURED: Array<Omit<DemoPerson, 'index' | 'departureAt'> & { departureInHours?: number }> = [
  {
    // In detention, leaves in 8 hours: MEDEX escort, diabetes, consent given, extra-secured,
    // belongings changed two hours ago (at the last minute), pickup moved.
    vNumber: '2044001001', givenName: 'Amir', familyName: 'Haddad', nationality: 'MAR', dateOfBirth: '1991-03-14',
    situation: 'DETENTION', departureInHours: 8, escort: 'MEDEX', transportClass: 'EXTRA_SECURED', restraints: true,
    pickupMoved: true, lastMinuteBelongingsChange: true, medicalParticulars: true, escortConsent: 'GIVEN',
    heightObtainedBy: 'MEASURED', factAgeDays: { dtv: 1, dji: 0, dvo: 0, coa: 30, medical: 2 },
  },
  {
    // In detention, leaves in five days with a MEDEX escort, but refused to share the dossier.
    vNumber: '2044001002', givenName: 'Nadia', familyName: 'Rahimi', nationality: 'AFG', dateOfBirth: '1987-11-02',
    situation: 'DETENTION', departureInHours: 5 * 24, escort: 'MEDEX', transportClass: 'STANDARD', restraints: false,
    pickupMoved: false, lastMinuteBelongingsChange: false, medicalParticulars: true, escortConsent: 'REFUSED',
    heightObtainedBy: 'ESTIMATED', factAgeDays: { dtv: 1, dji: 1, dvo: 1, coa: 1, medical: 1 },
  },
  {
    // In reception, no medical particulars, departure in twelve days, self-reported height.
    vNumber: '2044001003', givenName: 'Kofi', familyName: 'Mensah', nationality: 'GHA', dateOfBirth: '1999-07-21',
    situation: 'RECEPTION', departureInHours: 12 * 24, escort: 'NONE', transportClass: 'STANDARD', restraints: false,
    pickupMoved: false, lastMinuteBelongingsChange: false, medicalParticulars: false, escortConsent: 'NOT_ASKED',
    heightObtainedBy: 'SELF_REPORTED', factAgeDays: { dtv: 1, dji: 1, dvo: 1, coa: 2, medical: 1 },
  },
  {
    // In detention, leaves in three days; the medical picture and COA facts are out of date.
    vNumber: '2044001004', givenName: 'Selam', familyName: 'Tesfaye', nationality: 'ERI', dateOfBirth: '1995-01-30',
    situation: 'DETENTION', departureInHours: 3 * 24, escort: 'ESCORT', transportClass: 'EXTRA_SECURED', restraints: false,
    pickupMoved: true, lastMinuteBelongingsChange: false, medicalParticulars: true, escortConsent: 'NOT_ASKED',
    heightObtainedBy: 'ESTIMATED', factAgeDays: { dtv: 1, dji: 2, dvo: 1, coa: 45, medical: 21 },
  },
  {
    // In reception, no departure planned yet.
    vNumber: '2044001005', givenName: 'Yusuf', familyName: 'Benali', nationality: 'DZA', dateOfBirth: '1983-05-09',
    situation: 'RECEPTION', escort: 'NONE', transportClass: 'STANDARD', restraints: false,
    pickupMoved: false, lastMinuteBelongingsChange: false, medicalParticulars: false, escortConsent: 'NOT_ASKED',
    heightObtainedBy: 'MEASURED', factAgeDays: { dtv: 3, dji: 3, dvo: 3, coa: 3, medical: 3 },
  },
];

/** Number of hand-made persons at the start of every world. */
export const FEATURED_COUNT = FEATURED.length;

/** The V-numbers of the hand-made persons, by role in the demo. */
export const DEMO_V_NUMBERS = {
  /** MEDEX escort, consent given, extra-secured, leaves in 8 hours with last-minute changes. */
  consentGiven: '2044001001',
  /** MEDEX escort, consent refused. */
  consentRefused: '2044001002',
  /** In reception, no medical particulars. */
  reception: '2044001003',
  /** Stale COA and medical facts before a departure in three days. */
  stale: '2044001004',
  /** No departure planned. */
  noDeparture: '2044001005',
} as const;

/** Default number of demo persons when none is given. */
export const DEFAULT_DEMO_SIZE = 60;

/** The reference moment for a demo generated now: the current hour, so restarts agree within the hour. */
export function defaultReference(now: Date = new Date()): Date {
  return new Date(Math.floor(now.getTime() / HOUR) * HOUR);
}

/**
 * Generates `size` persons (at least the featured ones) against `reference`.
 * Deterministic: the same size and reference give the same world.
 */
export function generateWorld(size: number = DEFAULT_DEMO_SIZE, reference: Date = defaultReference()): DemoWorld {
  if (!Number.isInteger(size) || size < 1) throw new Error(`demo size must be a positive integer, got ${size}`);
  const persons: DemoPerson[] = [];
  for (let index = 0; index < size; index++) {
    persons.push(index < FEATURED.length ? featured(index, reference) : generated(index, reference));
  }
  return { reference, persons };
}

function featured(index: number, reference: Date): DemoPerson {
  const { departureInHours, ...rest } = FEATURED[index]!;
  return {
    ...rest,
    index,
    departureAt: departureInHours === undefined ? undefined : new Date(reference.getTime() + departureInHours * HOUR),
  };
}

function generated(index: number, reference: Date): DemoPerson {
  const rnd = new Random(seedOf(`world:${index}`));
  const vNumber = String(2044000000 + 10_000 + index).padStart(10, '0');
  const situation: Situation = rnd.chance(0.6) ? 'DETENTION' : 'RECEPTION';
  // Four in five have a departure, spread over the next 45 days at whole quarter hours.
  const departureAt = rnd.chance(0.8)
    ? new Date(reference.getTime() + rnd.int(4, 45 * 24 * 4) * 15 * 60_000)
    : undefined;
  const medicalParticulars = rnd.chance(0.45);
  const escort: EscortKind = medicalParticulars && rnd.chance(0.5) ? 'MEDEX' : rnd.chance(0.4) ? 'ESCORT' : 'NONE';
  const escortConsent: EscortConsent = escort === 'MEDEX' ? (rnd.chance(0.6) ? 'GIVEN' : 'REFUSED') : 'NOT_ASKED';
  const transportClass: TransportClass = situation === 'DETENTION' && rnd.chance(0.35) ? 'EXTRA_SECURED' : 'STANDARD';
  const birthYear = rnd.int(1965, 2006);
  const departsToday = departureAt !== undefined && departureAt.getTime() - reference.getTime() < DAY;
  const age = () => (rnd.chance(0.2) ? rnd.int(8, 60) : rnd.int(0, 6));
  return {
    index,
    vNumber,
    givenName: rnd.pick(GIVEN),
    familyName: rnd.pick(FAMILY),
    nationality: rnd.pick(NATIONALITIES),
    dateOfBirth: `${birthYear}-${String(rnd.int(1, 12)).padStart(2, '0')}-${String(rnd.int(1, 28)).padStart(2, '0')}`,
    situation,
    departureAt,
    escort,
    transportClass,
    restraints: transportClass === 'EXTRA_SECURED' && rnd.chance(0.5),
    pickupMoved: departureAt !== undefined && rnd.chance(0.25),
    lastMinuteBelongingsChange: departsToday && situation === 'DETENTION' && rnd.chance(0.5),
    medicalParticulars,
    escortConsent,
    heightObtainedBy: rnd.pick(['MEASURED', 'MEASURED', 'ESTIMATED', 'SELF_REPORTED'] as const),
    factAgeDays: { dtv: age(), dji: age(), dvo: age(), coa: age(), medical: age() },
  };
}

/** `reference` minus whole days: when a partner last recorded or confirmed a fact. */
export function daysBefore(reference: Date, days: number, hours = 0): Date {
  return new Date(reference.getTime() - days * DAY - hours * HOUR);
}
