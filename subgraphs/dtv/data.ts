import DataLoader from 'dataloader';
import type { Store } from '../../lib/db/store';
import { oneByKey, type ProvenanceColumns } from '../../lib/subgraph/kit';

export type ReturnStatus = 'PREPARATION' | 'DEPARTURE_PLANNED' | 'DEPARTED' | 'SUSPENDED';
export type EscortKind = 'NONE' | 'ESCORT' | 'MEDEX';

/** The person as DT&V knows them, with the planned time of their current departure plan. */
export interface PersonRecord {
  vNumber: string;
  givenName: string;
  familyName: string;
  nationality: string | null;
  /** YYYY-MM-DD, formatted by the database so no time zone can shift the day. */
  dateOfBirth: string | null;
  plannedDepartureAt: Date | null;
  recorded: ProvenanceColumns;
}

export interface ReturnCaseRecord {
  vNumber: string;
  caseNumber: string;
  status: ReturnStatus;
  statusChangedAt: Date;
  /** Planned time of the current plan: the staleness reference for the case's provenance. */
  plannedDepartureAt: Date | null;
  recorded: ProvenanceColumns;
}

export interface FlightRecord {
  number: string;
  carrier: string;
  fromAirport: string;
  toAirport: string;
  departsAt: Date;
}

export interface DeparturePlanRecord {
  id: string;
  vNumber: string;
  plannedAt: Date;
  /** planned_at in UTC with microseconds, so a cursor resumes exactly after this row. */
  cursorAt: string;
  flight: FlightRecord | null;
  escortKind: EscortKind;
  escortCount: number;
  recorded: ProvenanceColumns;
}

/** The per-request DataLoaders of the dtv subgraph, all keyed by V-number. */
export interface Loaders {
  /** Person with the planned time of the current plan (one statement per batch); null when unknown. */
  person: DataLoader<string, PersonRecord | null>;
  /** The person's return case (one statement per batch); null when there is none. */
  returnCase: DataLoader<string, ReturnCaseRecord | null>;
  /** The person's current departure plan (one statement per batch); null when none is planned. */
  currentDeparture: DataLoader<string, DeparturePlanRecord | null>;
}

interface PersonRow {
  v_number: string;
  given_name: string;
  family_name: string;
  nationality: string | null;
  date_of_birth: string | null;
  planned_at: Date | null;
  recorded_by_role: string;
  recorded_at: Date;
  confirmed_at: Date;
}

interface ReturnCaseRow {
  v_number: string;
  case_number: string;
  status: ReturnStatus;
  status_changed_at: Date;
  planned_at: Date | null;
  recorded_by_role: string;
  recorded_at: Date;
  confirmed_at: Date;
}

interface DeparturePlanRow {
  id: string;
  v_number: string;
  planned_at: Date;
  cursor_at: string;
  flight_number: string | null;
  carrier: string | null;
  from_airport: string | null;
  to_airport: string | null;
  departs_at: Date | null;
  escort_kind: EscortKind;
  escort_count: number;
  recorded_by_role: string;
  recorded_at: Date;
  confirmed_at: Date;
}

function provenanceColumns(row: { recorded_by_role: string; recorded_at: Date; confirmed_at: Date }): ProvenanceColumns {
  return { recorded_by_role: row.recorded_by_role, recorded_at: row.recorded_at, confirmed_at: row.confirmed_at, obtained_by: null };
}

// The current plan is joined in so that Person.plannedDepartureAt and the staleness
// reference of identity facts cost no extra statement.
const PERSON_SQL = `
  SELECT p.v_number, p.given_name, p.family_name, p.nationality,
         to_char(p.date_of_birth, 'YYYY-MM-DD') AS date_of_birth,
         d.planned_at, p.recorded_by_role, p.recorded_at, p.confirmed_at
    FROM dtv.person p
    LEFT JOIN dtv.departure_plan d ON d.v_number = p.v_number AND d.superseded_at IS NULL
   WHERE p.v_number = ANY($1::text[])`;

const RETURN_CASE_SQL = `
  SELECT c.v_number, c.case_number, c.status, c.status_changed_at, d.planned_at,
         c.recorded_by_role, c.recorded_at, c.confirmed_at
    FROM dtv.return_case c
    LEFT JOIN dtv.departure_plan d ON d.v_number = c.v_number AND d.superseded_at IS NULL
   WHERE c.v_number = ANY($1::text[])`;

const PLAN_COLUMNS = `
  id, v_number, planned_at,
  to_char(planned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at,
  flight_number, carrier, from_airport, to_airport, departs_at, escort_kind, escort_count,
  recorded_by_role, recorded_at, confirmed_at`;

function toPerson(row: PersonRow): PersonRecord {
  return {
    vNumber: row.v_number,
    givenName: row.given_name,
    familyName: row.family_name,
    nationality: row.nationality,
    dateOfBirth: row.date_of_birth,
    plannedDepartureAt: row.planned_at,
    recorded: provenanceColumns(row),
  };
}

function toReturnCase(row: ReturnCaseRow): ReturnCaseRecord {
  return {
    vNumber: row.v_number,
    caseNumber: row.case_number,
    status: row.status,
    statusChangedAt: row.status_changed_at,
    plannedDepartureAt: row.planned_at,
    recorded: provenanceColumns(row),
  };
}

function toPlan(row: DeparturePlanRow): DeparturePlanRecord {
  const flight =
    row.flight_number !== null && row.carrier !== null && row.from_airport !== null && row.to_airport !== null && row.departs_at !== null
      ? { number: row.flight_number, carrier: row.carrier, fromAirport: row.from_airport, toAirport: row.to_airport, departsAt: row.departs_at }
      : null;
  return {
    id: row.id,
    vNumber: row.v_number,
    plannedAt: row.planned_at,
    cursorAt: row.cursor_at,
    flight,
    escortKind: row.escort_kind,
    escortCount: row.escort_count,
    recorded: provenanceColumns(row),
  };
}

/** Creates this request's loaders; each batch of V-numbers costs exactly one statement. */
export function createLoaders(store: Store): Loaders {
  return {
    person: new DataLoader(async (keys: readonly string[]) => {
      const rows = await store.query<PersonRow>(PERSON_SQL, [keys], 'dtv_person_by_v_numbers');
      return oneByKey(keys, rows.map(toPerson), (r) => r.vNumber);
    }),
    returnCase: new DataLoader(async (keys: readonly string[]) => {
      const rows = await store.query<ReturnCaseRow>(RETURN_CASE_SQL, [keys], 'dtv_return_case_by_v_numbers');
      return oneByKey(keys, rows.map(toReturnCase), (r) => r.vNumber);
    }),
    currentDeparture: new DataLoader(async (keys: readonly string[]) => {
      const rows = await store.query<DeparturePlanRow>(
        `SELECT ${PLAN_COLUMNS} FROM dtv.departure_plan WHERE superseded_at IS NULL AND v_number = ANY($1::text[])`,
        [keys],
        'dtv_current_plan_by_v_numbers',
      );
      return oneByKey(keys, rows.map(toPlan), (r) => r.vNumber);
    }),
  };
}

/** A position in the (planned_at, id) order of current plans. */
export interface DepartureCursor {
  /** planned_at in UTC with up to microsecond precision. */
  plannedAt: string;
  id: string;
}

/**
 * Current departure plans with planned_at in [from, to), after `after` in (planned_at, id)
 * order, at most `limit` rows: one statement.
 */
export async function departuresPage(
  store: Store,
  window: { from: Date; to: Date },
  after: DepartureCursor | null,
  limit: number,
): Promise<DeparturePlanRecord[]> {
  const rows = after
    ? await store.query<DeparturePlanRow>(
        `SELECT ${PLAN_COLUMNS} FROM dtv.departure_plan
          WHERE superseded_at IS NULL AND planned_at >= $1 AND planned_at < $2
            AND (planned_at, id) > ($3::timestamptz, $4::text)
          ORDER BY planned_at, id LIMIT $5`,
        [window.from, window.to, after.plannedAt, after.id, limit],
        'dtv_departures_page_after',
      )
    : await store.query<DeparturePlanRow>(
        `SELECT ${PLAN_COLUMNS} FROM dtv.departure_plan
          WHERE superseded_at IS NULL AND planned_at >= $1 AND planned_at < $2
          ORDER BY planned_at, id LIMIT $3`,
        [window.from, window.to, limit],
        'dtv_departures_page',
      );
  return rows.map(toPlan);
}

/** Number of current departure plans with planned_at in [from, to): one statement. */
export async function countDepartures(store: Store, window: { from: Date; to: Date }): Promise<number> {
  const rows = await store.query<{ total: number }>(
    `SELECT count(*)::integer AS total FROM dtv.departure_plan
      WHERE superseded_at IS NULL AND planned_at >= $1 AND planned_at < $2`,
    [window.from, window.to],
    'dtv_departures_count',
  );
  return rows[0]?.total ?? 0;
}

/** True when no person has been stored yet (demo seeding runs only then). */
export async function isEmpty(store: Store): Promise<boolean> {
  const rows = await store.query<{ present: boolean }>('SELECT EXISTS (SELECT 1 FROM dtv.person) AS present');
  return rows[0]?.present !== true;
}
