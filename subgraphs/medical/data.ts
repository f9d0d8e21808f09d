import DataLoader from 'dataloader';
import type { Store } from '../../lib/db/store';
import { groupByKey, oneByKey, type ProvenanceColumns } from '../../lib/subgraph/kit';

/** Fitness to travel as the SDL enum spells it. */
export type FitToTravel = 'YES' | 'NO' | 'WITH_CONDITIONS' | 'UNKNOWN';
/** Consent to share the dossier with the medical escort. */
export type ConsentStatus = 'GIVEN' | 'REFUSED' | 'NOT_ASKED';

export interface DossierRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  opened_at: Date;
}

export interface ConditionRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  code: string;
  description: string;
  since: Date | null;
}

export interface MedicationRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  name: string;
  dosage: string;
  schedule: string;
}

export interface AssessmentRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  decision: Exclude<FitToTravel, 'UNKNOWN'>;
  assessed_at: Date;
  considerations: string;
}

export interface HandoverRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  from_role: string;
  to_role: string;
  handed_over_at: Date;
  summary: string;
}

export interface HealthNoticeRow extends ProvenanceColumns {
  id: string;
  v_number: string;
  fit_to_travel: FitToTravel;
  escort_advice: string | null;
  valid_until: Date | null;
}

export interface InstructionRow {
  id: string;
  notice_id: string;
  v_number: string;
  at: string | null;
  instruction: string;
}

/**
 * Escort consent of a person the medical service knows. `status` is NOT_ASKED when no
 * consent was ever recorded; then `provenance` is null too. The authorization layer reads
 * `status` through `ctx.loaders.escortConsent` to decide the escort nurse's access.
 */
export interface EscortConsentRow {
  v_number: string;
  status: ConsentStatus;
  recorded_at: Date | null;
  provenance: ProvenanceColumns | null;
}

/**
 * This subgraph's per-request loaders. Each one sends one statement per batch of keys, so
 * the number of statements for a query does not grow with the number of persons.
 */
export interface Loaders {
  /** Dossier by V-number; null when the person has no medical particulars. */
  dossier: DataLoader<string, DossierRow | null>;
  /** Conditions by V-number, in the order the doctor listed them. */
  conditions: DataLoader<string, ConditionRow[]>;
  /** Medication by V-number, in prescription order. */
  medication: DataLoader<string, MedicationRow[]>;
  /** The most recent fit-to-travel assessment by V-number, or null. */
  fitToTravelAssessment: DataLoader<string, AssessmentRow | null>;
  /** Handovers by V-number, most recent first. */
  handovers: DataLoader<string, HandoverRow[]>;
  /** Health notice by V-number; null when none was issued. */
  healthNotice: DataLoader<string, HealthNoticeRow | null>;
  /** Care instructions by health notice id, timed ones first. */
  instructions: DataLoader<string, InstructionRow[]>;
  /** Escort consent by V-number; null for a person the medical service does not know. */
  escortConsent: DataLoader<string, EscortConsentRow | null>;
}

const PROVENANCE = 'recorded_by_role, recorded_at, confirmed_at';

/** Runs one statement (prepared as `name`) for all keys and picks one row per key. */
function one<R extends { v_number: string }>(store: Store, name: string, sql: string) {
  return async (keys: readonly string[]): Promise<Array<R | null>> =>
    oneByKey(keys, await store.query<R>(sql, [keys], name), (row) => row.v_number);
}

/** Runs one statement (prepared as `name`) for all keys and groups the rows per key, keeping the SQL order. */
function many<R>(store: Store, name: string, sql: string, keyOf: (row: R) => string) {
  return async (keys: readonly string[]): Promise<R[][]> => groupByKey(keys, await store.query<R>(sql, [keys], name), keyOf);
}

interface ConsentQueryRow {
  v_number: string;
  status: 'GIVEN' | 'REFUSED' | null;
  recorded_by_role: string | null;
  recorded_at: Date | null;
  confirmed_at: Date | null;
}

/** Loads escort consent for known persons: the latest record, or NOT_ASKED without one. */
async function loadConsent(store: Store, keys: readonly string[]): Promise<Array<EscortConsentRow | null>> {
  const rows = await store.query<ConsentQueryRow>(
    `SELECT p.v_number, c.status, c.recorded_by_role, c.recorded_at, c.confirmed_at
       FROM medical.patient p
       LEFT JOIN LATERAL (
         SELECT status, recorded_by_role, recorded_at, confirmed_at
           FROM medical.escort_consent e
          WHERE e.v_number = p.v_number
          ORDER BY e.recorded_at DESC, e.id DESC
          LIMIT 1
       ) c ON true
      WHERE p.v_number = ANY($1::text[])`,
    [keys],
    'medical_escort_consent_by_v_numbers',
  );
  const mapped = rows.map(
    (row): EscortConsentRow =>
      row.status === null || row.recorded_by_role === null || row.recorded_at === null || row.confirmed_at === null
        ? { v_number: row.v_number, status: 'NOT_ASKED', recorded_at: null, provenance: null }
        : {
            v_number: row.v_number,
            status: row.status,
            recorded_at: row.recorded_at,
            provenance: { recorded_by_role: row.recorded_by_role, recorded_at: row.recorded_at, confirmed_at: row.confirmed_at },
          },
  );
  return oneByKey(keys, mapped, (row) => row.v_number);
}

/** Creates fresh loaders for one request (the cache lives as long as the request). */
export function createLoaders(store: Store): Loaders {
  return {
    dossier: new DataLoader(
      one<DossierRow>(store, 'medical_dossier_by_v_numbers', `SELECT id, v_number, opened_at, ${PROVENANCE} FROM medical.dossier WHERE v_number = ANY($1::text[])`),
    ),
    conditions: new DataLoader(
      many<ConditionRow>(
        store,
        'medical_conditions_by_v_numbers',
        `SELECT id, v_number, code, description, since, ${PROVENANCE}, obtained_by
           FROM medical.condition WHERE v_number = ANY($1::text[]) ORDER BY v_number, position`,
        (row) => row.v_number,
      ),
    ),
    medication: new DataLoader(
      many<MedicationRow>(
        store,
        'medical_medication_by_v_numbers',
        `SELECT id, v_number, name, dosage, schedule, ${PROVENANCE}
           FROM medical.medication WHERE v_number = ANY($1::text[]) ORDER BY v_number, position`,
        (row) => row.v_number,
      ),
    ),
    fitToTravelAssessment: new DataLoader(
      one<AssessmentRow>(
        store,
        'medical_assessment_by_v_numbers',
        `SELECT DISTINCT ON (v_number) id, v_number, decision, assessed_at, considerations, ${PROVENANCE}
           FROM medical.fit_to_travel_assessment WHERE v_number = ANY($1::text[])
          ORDER BY v_number, assessed_at DESC, id DESC`,
      ),
    ),
    handovers: new DataLoader(
      many<HandoverRow>(
        store,
        'medical_handovers_by_v_numbers',
        `SELECT id, v_number, from_role, to_role, handed_over_at, summary, ${PROVENANCE}
           FROM medical.care_handover WHERE v_number = ANY($1::text[])
          ORDER BY v_number, handed_over_at DESC, id`,
        (row) => row.v_number,
      ),
    ),
    healthNotice: new DataLoader(
      one<HealthNoticeRow>(
        store,
        'medical_health_notice_by_v_numbers',
        `SELECT id, v_number, fit_to_travel, escort_advice, valid_until, ${PROVENANCE}
           FROM medical.health_notice WHERE v_number = ANY($1::text[])`,
      ),
    ),
    instructions: new DataLoader(
      many<InstructionRow>(
        store,
        'medical_instructions_by_notice_ids',
        `SELECT id, notice_id, v_number, at, instruction
           FROM medical.care_instruction WHERE notice_id = ANY($1::text[]) ORDER BY notice_id, position`,
        (row) => row.notice_id,
      ),
    ),
    escortConsent: new DataLoader((keys: readonly string[]) => loadConsent(store, keys)),
  };
}
