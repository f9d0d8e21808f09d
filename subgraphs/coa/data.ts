import DataLoader from 'dataloader';
import type { Queryable, Store } from '../../lib/db/store';
import { groupByKey, type ObtainedBy } from '../../lib/subgraph/kit';

/** The provenance columns as they come back from the database. */
interface ProvenanceRow {
  recorded_by_role: string;
  recorded_at: Date;
  confirmed_at: Date;
}

/** One stay with its location joined in, so a person's stays cost a single statement. */
export interface StayRow extends ProvenanceRow {
  id: string;
  v_number: string;
  location_code: string;
  location_name: string;
  location_municipality: string;
  started_at: Date;
  ended_at: Date | null;
}

export interface BehaviourNoteRow extends ProvenanceRow {
  id: string;
  v_number: string;
  noted_at: Date;
  note: string;
}

export type MeasurementKind = 'HEIGHT' | 'WEIGHT';

export interface MeasurementRow extends ProvenanceRow {
  v_number: string;
  kind: MeasurementKind;
  value: number;
  unit: string;
  obtained_by: ObtainedBy;
}

/** Per-request loaders, all keyed by V-number; each resolves to [] for unknown persons. */
export interface Loaders {
  /** Stays, most recent first. */
  stays: DataLoader<string, StayRow[]>;
  /** Behaviour notes, most recent first. */
  behaviour: DataLoader<string, BehaviourNoteRow[]>;
  /** Height and weight rows (at most one of each kind). */
  measurements: DataLoader<string, MeasurementRow[]>;
}

/**
 * Stays of many persons in one statement. Ordered most recent first so the in-memory split
 * keeps that order per person, which is what `Reception.stays` promises.
 */
export function staysOf(db: Queryable, vNumbers: readonly string[]): Promise<StayRow[]> {
  return db.query<StayRow>(
    `SELECT s.id, s.v_number, s.location_code, l.name AS location_name, l.municipality AS location_municipality,
            s.started_at, s.ended_at, s.recorded_by_role, s.recorded_at, s.confirmed_at
       FROM coa.stay s
       JOIN coa.location l ON l.code = s.location_code
      WHERE s.v_number = ANY($1::text[])
      ORDER BY s.v_number, s.started_at DESC, s.id`,
    [vNumbers],
    'coa_stays_by_v_numbers',
  );
}

/** Behaviour notes of many persons in one statement, most recent first. */
export function behaviourNotesOf(db: Queryable, vNumbers: readonly string[]): Promise<BehaviourNoteRow[]> {
  return db.query<BehaviourNoteRow>(
    `SELECT id, v_number, noted_at, note, recorded_by_role, recorded_at, confirmed_at
       FROM coa.behaviour_note
      WHERE v_number = ANY($1::text[])
      ORDER BY v_number, noted_at DESC, id`,
    [vNumbers],
    'coa_behaviour_by_v_numbers',
  );
}

/** Height and weight of many persons in one statement. */
export async function measurementsOf(db: Queryable, vNumbers: readonly string[]): Promise<MeasurementRow[]> {
  const rows = await db.query<MeasurementRow>(
    `SELECT v_number, kind, value, unit, obtained_by, recorded_by_role, recorded_at, confirmed_at
       FROM coa.measurement
      WHERE v_number = ANY($1::text[])`,
    [vNumbers],
    'coa_measurements_by_v_numbers',
  );
  // double precision arrives as a number from pg and PGlite alike; coerce anyway so a
  // driver setting can never turn a height into a string on the wire.
  return rows.map((row) => ({ ...row, value: Number(row.value) }));
}

/**
 * Fresh loaders for one request. Every loader answers N persons with one statement, so a
 * list of 10 or 100 persons costs the same number of statements.
 */
export function createLoaders(store: Store): Loaders {
  const byVNumber = <R extends { v_number: string }>(fetch: (db: Queryable, keys: readonly string[]) => Promise<R[]>) =>
    new DataLoader<string, R[]>(async (keys) => groupByKey(keys, await fetch(store, keys), (row) => row.v_number));
  return {
    stays: byVNumber(staysOf),
    behaviour: byVNumber(behaviourNotesOf),
    measurements: byVNumber(measurementsOf),
  };
}
