import type { Store } from '../../lib/db/store';
import { randomFor, type Random } from '../../lib/demo/random';
import { daysBefore, FEATURED_COUNT, type DemoPerson, type DemoWorld } from '../../lib/demo/world';
import { insertRows, type ObtainedBy } from '../../lib/subgraph/kit';
import type { FitToTravel } from './data';

/*
 * Demo data of the medical services. Who the medical service knows, and what it records:
 *
 * - Known: everyone in detention (medical intake at admission is mandatory), everyone with
 *   medical particulars, and everyone with a planned departure (pre-departure screening).
 *   A person in reception without particulars and without a departure (2044001005) is not
 *   known: every medical field, escort consent included, is null.
 * - Medical particulars: a dossier (conditions, medication, the doctor's fit-to-travel
 *   assessment, handovers) and a health notice translating it for non-care professionals.
 * - No particulars: no dossier. A health notice only when a departure is planned, saying
 *   "fit to travel: yes" without instructions (the outcome of the pre-departure screening);
 *   without a departure there is nothing to translate, so no notice.
 * - Escort consent as the world says; NOT_ASKED is stored as the absence of a record.
 *   The dossier is handed over to the MEDEX nurse only with consent.
 * - Every fact is confirmed at `factAgeDays.medical` before the reference moment, so a whole
 *   medical picture goes stale together (2044001004: 21 days). A health notice is valid for
 *   14 days after that confirmation.
 *
 * Conditions, medication and instructions are realistic but fictitious; no real patient.
 */

interface MedicationTemplate {
  name: string;
  dosage: string;
  schedule: string;
  /** Fixed times of day (HH:MM) it is taken; empty when only taken as needed. */
  times: string[];
}

interface ConditionTemplate {
  code: string;
  description: string;
  /** MEASURED when established by a measurement or test, SELF_REPORTED when only reported. */
  obtainedBy: ObtainedBy | null;
  fit: 'YES' | 'WITH_CONDITIONS';
  consideration: string;
  medication: MedicationTemplate[];
  /** Untimed practical instructions, in plain words; `{help}` is filled in per escort. */
  instructions: string[];
  /** How long ago the condition started, in years. */
  sinceYears: [number, number];
}

const CATALOG: Record<string, ConditionTemplate> = {
  'E10.9': {
    code: 'E10.9',
    description: 'Type 1 diabetes mellitus without complications',
    obtainedBy: 'MEASURED',
    fit: 'WITH_CONDITIONS',
    consideration:
      'Insulin-dependent diabetes, well controlled. Fit to travel provided the insulin schedule is kept during the journey, including the 12:00 dose, and meals are available; insulin and glucose meter travel in a cool bag.',
    medication: [
      { name: 'insulin aspart', dosage: '6 units subcutaneously', schedule: 'daily 08:00, 12:00 and 18:00, with meals', times: ['08:00', '12:00', '18:00'] },
      { name: 'insulin glargine', dosage: '20 units subcutaneously', schedule: 'daily 22:00', times: ['22:00'] },
    ],
    instructions: [
      'Make sure a meal or snack is available straight after each medication time.',
      'If the person becomes drowsy, confused, pale or sweaty: give something sweet to drink and {help}.',
    ],
    sinceYears: [5, 20],
  },
  'E11.9': {
    code: 'E11.9',
    description: 'Type 2 diabetes mellitus without complications',
    obtainedBy: 'MEASURED',
    fit: 'YES',
    consideration: 'Type 2 diabetes, stable on oral medication; no restrictions for travel.',
    medication: [{ name: 'metformin', dosage: '500 mg tablet', schedule: 'daily 08:00 and 18:00, with food', times: ['08:00', '18:00'] }],
    instructions: ['Allow regular meals and drinks on a long transport.'],
    sinceYears: [1, 12],
  },
  I10: {
    code: 'I10',
    description: 'Essential (primary) hypertension',
    obtainedBy: 'MEASURED',
    fit: 'YES',
    consideration: 'Blood pressure controlled on medication; no restrictions for travel.',
    medication: [{ name: 'amlodipine', dosage: '5 mg tablet', schedule: 'daily 08:00', times: ['08:00'] }],
    instructions: [],
    sinceYears: [1, 15],
  },
  'J45.9': {
    code: 'J45.9',
    description: 'Asthma, unspecified',
    obtainedBy: 'MEASURED',
    fit: 'WITH_CONDITIONS',
    consideration:
      'Asthma, controlled with inhalers. Fit to travel if the reliever inhaler stays within reach; avoid smoke and heavy exertion.',
    medication: [
      { name: 'salbutamol inhaler', dosage: '100 micrograms, 2 puffs', schedule: 'as needed, up to 4 times a day', times: [] },
      { name: 'beclometasone inhaler', dosage: '100 micrograms, 2 puffs', schedule: 'daily 08:00 and 20:00', times: ['08:00', '20:00'] },
    ],
    instructions: [
      'Keep the blue inhaler within the person\'s reach at all times and allow its use whenever asked.',
      'No smoking in or near the vehicle; if breathing becomes difficult, {help}.',
    ],
    sinceYears: [3, 25],
  },
  'G40.9': {
    code: 'G40.9',
    description: 'Epilepsy, unspecified',
    obtainedBy: null,
    fit: 'WITH_CONDITIONS',
    consideration:
      'Epilepsy, seizure-free for over a year on medication. Fit to travel provided no dose is missed; lack of sleep raises the risk of a seizure.',
    medication: [{ name: 'levetiracetam', dosage: '500 mg tablet', schedule: 'daily 08:00 and 20:00', times: ['08:00', '20:00'] }],
    instructions: [
      'In case of a seizure: protect the head, do not hold the person down, put nothing in the mouth, note the time and {help}.',
      'Allow rest before the journey; avoid a night transport without sleep where possible.',
    ],
    sinceYears: [2, 20],
  },
  'F32.9': {
    code: 'F32.9',
    description: 'Depressive episode, unspecified',
    obtainedBy: null,
    fit: 'WITH_CONDITIONS',
    consideration: 'Depressive episode under treatment; fit to travel with extra attention to wellbeing around the departure.',
    medication: [{ name: 'sertraline', dosage: '50 mg tablet', schedule: 'daily 08:00', times: ['08:00'] }],
    instructions: [
      'Pay extra attention to how the person is doing and explain each step of the journey in advance.',
      'If the person speaks of harming themselves: do not leave them alone and {help}.',
    ],
    sinceYears: [0, 3],
  },
  'B18.1': {
    code: 'B18.1',
    description: 'Chronic viral hepatitis B without delta-agent',
    obtainedBy: 'MEASURED',
    fit: 'YES',
    consideration: 'Chronic hepatitis B, stable on antiviral treatment; a three-month supply goes along for continuity after arrival.',
    medication: [{ name: 'tenofovir disoproxil', dosage: '245 mg tablet', schedule: 'daily 08:00', times: ['08:00'] }],
    instructions: ['Standard hygiene applies: wear gloves when giving first aid.'],
    sinceYears: [1, 10],
  },
  'M54.5': {
    code: 'M54.5',
    description: 'Low back pain',
    obtainedBy: 'SELF_REPORTED',
    fit: 'YES',
    consideration: 'Low back pain without neurological signs; no restrictions for travel.',
    medication: [{ name: 'paracetamol', dosage: '1000 mg (2 tablets of 500 mg)', schedule: 'as needed, up to 3 times a day', times: [] }],
    instructions: ['Allow the person to stand up and stretch at stops on a long transport.'],
    sinceYears: [0, 5],
  },
  'K21.9': {
    code: 'K21.9',
    description: 'Gastro-oesophageal reflux disease without oesophagitis',
    obtainedBy: null,
    fit: 'YES',
    consideration: 'Reflux, controlled on medication; no restrictions for travel.',
    medication: [{ name: 'omeprazole', dosage: '20 mg capsule', schedule: 'daily 07:30, before breakfast', times: ['07:30'] }],
    instructions: [],
    sinceYears: [1, 8],
  },
  'F43.1': {
    code: 'F43.1',
    description: 'Post-traumatic stress disorder',
    obtainedBy: null,
    fit: 'WITH_CONDITIONS',
    consideration:
      'Post-traumatic stress disorder; fit to travel. Sudden physical contact and confined spaces may trigger panic; a calm, announced approach helps.',
    medication: [{ name: 'mirtazapine', dosage: '15 mg tablet', schedule: 'daily 22:00', times: ['22:00'] }],
    instructions: [
      'Explain beforehand what is going to happen and avoid sudden physical contact where possible.',
      'If the person panics: speak calmly, give space where safety allows, and {help}.',
    ],
    sinceYears: [1, 10],
  },
  'G43.9': {
    code: 'G43.9',
    description: 'Migraine, unspecified',
    obtainedBy: 'SELF_REPORTED',
    fit: 'YES',
    consideration: 'Migraine with occasional attacks; no restrictions for travel.',
    medication: [{ name: 'sumatriptan', dosage: '50 mg tablet', schedule: 'as needed at the start of an attack, at most 2 a day', times: [] }],
    instructions: ['If the person has a severe headache, allow rest with little light and noise where possible.'],
    sinceYears: [2, 15],
  },
};

/** Weighted pick list for generated persons: common conditions appear more often. */
const GENERATED_CODES = ['I10', 'I10', 'I10', 'E11.9', 'E11.9', 'J45.9', 'J45.9', 'M54.5', 'M54.5', 'F32.9', 'F32.9', 'G40.9', 'B18.1', 'K21.9', 'F43.1', 'F43.1', 'G43.9', 'E10.9'];

/** The featured persons' conditions, as their comments in world.ts describe them. */
const FEATURED_CONDITIONS: Record<string, string[]> = {
  '2044001001': ['E10.9'],
  '2044001002': ['J45.9'],
  '2044001004': ['I10', 'M54.5'],
};

const DAY = 24 * 3600_000;
const HOUR = 3600_000;
const NOTICE_VALID_DAYS = 14;

const PATIENT_COLUMNS = ['v_number', 'registered_at', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const DOSSIER_COLUMNS = ['id', 'v_number', 'opened_at', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const CONDITION_COLUMNS = ['id', 'v_number', 'position', 'code', 'description', 'since', 'recorded_by_role', 'recorded_at', 'confirmed_at', 'obtained_by'] as const;
const MEDICATION_COLUMNS = ['id', 'v_number', 'position', 'name', 'dosage', 'schedule', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const ASSESSMENT_COLUMNS = ['id', 'v_number', 'decision', 'assessed_at', 'considerations', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const HANDOVER_COLUMNS = ['id', 'v_number', 'from_role', 'to_role', 'handed_over_at', 'summary', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const NOTICE_COLUMNS = ['id', 'v_number', 'fit_to_travel', 'escort_advice', 'valid_until', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const INSTRUCTION_COLUMNS = ['id', 'notice_id', 'v_number', 'position', 'at', 'instruction', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;
const CONSENT_COLUMNS = ['id', 'v_number', 'status', 'recorded_by_role', 'recorded_at', 'confirmed_at'] as const;

type Row = unknown[];

interface Tables {
  patient: Row[];
  dossier: Row[];
  condition: Row[];
  medication: Row[];
  assessment: Row[];
  handover: Row[];
  notice: Row[];
  instruction: Row[];
  consent: Row[];
}

/** Opaque, deterministic ids: a per-table counter in seeding order, so ids do not reveal V-numbers. */
class Ids {
  private readonly counters = new Map<string, number>();
  next(prefix: string): string {
    const n = (this.counters.get(prefix) ?? 0) + 1;
    this.counters.set(prefix, n);
    return `${prefix}-${String(n).padStart(6, '0')}`;
  }
}

const later = (date: Date, hours: number) => new Date(date.getTime() + hours * HOUR);

function pickConditions(rnd: Random): ConditionTemplate[] {
  const roll = rnd.next();
  const count = roll < 0.55 ? 1 : roll < 0.9 ? 2 : 3;
  const codes: string[] = [];
  for (let attempt = 0; codes.length < count && attempt < 20; attempt++) {
    const code = rnd.pick(GENERATED_CODES);
    if (!codes.includes(code)) codes.push(code);
  }
  return codes.map((code) => CATALOG[code]!);
}

/** When a condition began: within its template's range, never before the person's second year. */
function sinceFor(p: DemoPerson, template: ConditionTemplate, reference: Date, rnd: Random): Date | null {
  if (template.obtainedBy === 'SELF_REPORTED' && rnd.chance(0.5)) return null;
  const born = new Date(`${p.dateOfBirth}T00:00:00Z`);
  const maxDays = Math.max(30, Math.floor((reference.getTime() - born.getTime()) / DAY) - 730);
  const days = Math.min(maxDays, rnd.int(template.sinceYears[0] * 365 + 30, template.sinceYears[1] * 365 + 300));
  return daysBefore(reference, days);
}

/** The notice's plain-language instructions: timed doses first, then practical advice. */
function instructionsFor(templates: ConditionTemplate[], fit: FitToTravel, medex: boolean): Array<{ at: string | null; text: string }> {
  const help = medex ? 'alert the MEDEX nurse at once' : 'call 112 and inform the medical service';
  const out: Array<{ at: string | null; text: string }> = [];
  if (fit === 'NO') {
    out.push({ at: null, text: 'Not fit to travel at the moment: do not start the transport and contact the medical service for a new assessment.' });
  } else if (fit === 'UNKNOWN') {
    out.push({ at: null, text: 'Fitness to travel has not been assessed yet: ask the medical service before planning a transport.' });
  }
  const times = [...new Set(templates.flatMap((t) => t.medication.flatMap((m) => m.times)))].sort();
  for (const at of times) {
    out.push({
      at,
      text: medex
        ? `Needs medication at ${at} during transport; the MEDEX nurse gives it.`
        : `Needs medication at ${at} during transport; hand over the medication from the sealed medication bag.`,
    });
  }
  const advice = new Set(templates.flatMap((t) => t.instructions.map((text) => text.replace('{help}', help))));
  for (const text of advice) out.push({ at: null, text });
  return out;
}

function considerationsFor(templates: ConditionTemplate[], decision: 'YES' | 'NO' | 'WITH_CONDITIONS', medex: boolean): string {
  if (decision === 'NO') {
    return 'Not fit to travel at present: symptoms worsened recently and need observation; re-assess within a week.';
  }
  const parts = templates.map((t) => t.consideration);
  if (medex) parts.push('A MEDEX nurse escort is advised for the journey.');
  return parts.join(' ');
}

function addPerson(p: DemoPerson, world: DemoWorld, ids: Ids, tables: Tables): void {
  const known = p.situation === 'DETENTION' || p.medicalParticulars || p.departureAt !== undefined || p.escortConsent !== 'NOT_ASKED';
  if (!known) return;
  const rnd = randomFor(p.vNumber, 'medical');
  const featured = p.index < FEATURED_COUNT;
  const reference = world.reference;
  const age = p.factAgeDays.medical;
  const review = daysBefore(reference, age);
  const intake = daysBefore(reference, age + rnd.int(6, 120), rnd.int(1, 9));
  const medex = p.escort === 'MEDEX';
  const screening = p.situation === 'DETENTION' ? 'Intake screening at admission' : 'Pre-departure medical screening';

  tables.patient.push([p.vNumber, intake, 'medical-nurse', intake, review]);

  const noticeRole = (assessed: boolean) => (assessed ? 'medical-doctor' : 'medical-nurse');
  const noticeRecordedAt = daysBefore(reference, age, 1);
  const validUntil = new Date(review.getTime() + NOTICE_VALID_DAYS * DAY);

  if (p.medicalParticulars) {
    const templates = featured && FEATURED_CONDITIONS[p.vNumber] ? FEATURED_CONDITIONS[p.vNumber]!.map((c) => CATALOG[c]!) : pickConditions(rnd);
    const dossierRecordedAt = later(intake, 3);
    tables.dossier.push([ids.next('dos'), p.vNumber, intake, 'medical-doctor', dossierRecordedAt, review]);

    templates.forEach((t, position) => {
      tables.condition.push([
        ids.next('cnd'), p.vNumber, position, t.code, t.description, sinceFor(p, t, reference, rnd),
        'medical-doctor', dossierRecordedAt, review, t.obtainedBy,
      ]);
    });
    const medication = templates.flatMap((t) => t.medication);
    medication.forEach((m, position) => {
      tables.medication.push([ids.next('med'), p.vNumber, position, m.name, m.dosage, m.schedule, 'medical-doctor', later(intake, 4), review]);
    });

    // Without a departure, half of the doctors have not assessed fitness to travel yet.
    const assessed = featured || p.departureAt !== undefined || rnd.chance(0.5);
    const decision: 'YES' | 'NO' | 'WITH_CONDITIONS' =
      !featured && rnd.chance(0.04) ? 'NO' : medex || templates.some((t) => t.fit === 'WITH_CONDITIONS') ? 'WITH_CONDITIONS' : 'YES';
    const assessedAt = daysBefore(reference, age, 2);
    if (assessed) {
      tables.assessment.push([ids.next('ftt'), p.vNumber, decision, assessedAt, considerationsFor(templates, decision, medex), 'medical-doctor', assessedAt, review]);
    }

    const codes = templates.map((t) => t.code).join(', ');
    const names = medication.map((m) => m.name).join(', ');
    const handovers: Array<[string, string, Date, string]> = [
      ['medical-nurse', 'medical-doctor', later(intake, 2), `${screening}: known with ${codes}; medication brought along checked; referred to the doctor.`],
      ['medical-doctor', 'medical-nurse', later(intake, 26), `Treatment plan: continue ${names}; the nursing team hands out the medication and reports missed doses.`],
    ];
    if (p.escortConsent === 'GIVEN' && p.departureAt !== undefined) {
      handovers.push([
        'medical-nurse', 'medex-nurse', daysBefore(reference, age, 1),
        'Handover for the return journey, shared with the person\'s consent: conditions, medication schedule, fit-to-travel assessment and medication for the journey.',
      ]);
    } else if (p.escortConsent === 'REFUSED') {
      handovers.push([
        'medical-doctor', 'medical-nurse', daysBefore(reference, age, 2),
        'The person refused to share the dossier with the MEDEX escort; only the health notice goes with the transport. Consent may be asked again.',
      ]);
    }
    for (const [from, to, at, summary] of handovers) {
      tables.handover.push([ids.next('hnd'), p.vNumber, from, to, at, summary, from, at, review]);
    }

    const fit: FitToTravel = assessed ? decision : 'UNKNOWN';
    const noticeId = ids.next('hn');
    const escortAdvice = medex ? (fit === 'NO' ? 'MEDEX escort required once fit to travel' : 'MEDEX escort required') : 'No medical escort required';
    tables.notice.push([noticeId, p.vNumber, fit, escortAdvice, validUntil, noticeRole(assessed), noticeRecordedAt, review]);
    instructionsFor(templates, fit, medex).forEach((instruction, position) => {
      tables.instruction.push([ids.next('ci'), noticeId, p.vNumber, position, instruction.at, instruction.text, noticeRole(assessed), noticeRecordedAt, review]);
    });
  } else if (p.departureAt !== undefined) {
    tables.notice.push([ids.next('hn'), p.vNumber, 'YES', null, validUntil, 'medical-doctor', noticeRecordedAt, review]);
  }

  if (p.escortConsent !== 'NOT_ASKED') {
    const recordedAt = daysBefore(reference, age, 3);
    const role = featured ? 'medical-nurse' : rnd.pick(['medical-nurse', 'medical-nurse', 'medex-nurse']);
    tables.consent.push([ids.next('ec'), p.vNumber, p.escortConsent, role, recordedAt, review]);
  }
}

/**
 * Writes the medical demo rows for `world` into an empty store, in one transaction with
 * multi-row inserts. Deterministic for a given world.
 */
export async function seedDemo(store: Store, world: DemoWorld): Promise<void> {
  const tables: Tables = { patient: [], dossier: [], condition: [], medication: [], assessment: [], handover: [], notice: [], instruction: [], consent: [] };
  const ids = new Ids();
  for (const person of world.persons) addPerson(person, world, ids, tables);
  await store.transaction(async (tx) => {
    // Parents before children: the foreign keys check every row.
    await insertRows(tx, 'medical.patient', PATIENT_COLUMNS, tables.patient);
    await insertRows(tx, 'medical.dossier', DOSSIER_COLUMNS, tables.dossier);
    await insertRows(tx, 'medical.condition', CONDITION_COLUMNS, tables.condition);
    await insertRows(tx, 'medical.medication', MEDICATION_COLUMNS, tables.medication);
    await insertRows(tx, 'medical.fit_to_travel_assessment', ASSESSMENT_COLUMNS, tables.assessment);
    await insertRows(tx, 'medical.care_handover', HANDOVER_COLUMNS, tables.handover);
    await insertRows(tx, 'medical.health_notice', NOTICE_COLUMNS, tables.notice);
    await insertRows(tx, 'medical.care_instruction', INSTRUCTION_COLUMNS, tables.instruction);
    await insertRows(tx, 'medical.escort_consent', CONSENT_COLUMNS, tables.consent);
  });
}

/** True when no person is registered with the medical service yet (demo seeding runs only then). */
export async function isEmpty(store: Store): Promise<boolean> {
  const rows = await store.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM medical.patient) AS present');
  return rows[0]?.present !== true;
}
