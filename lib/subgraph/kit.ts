import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { readFileSync } from 'node:fs';
import { parse, type DocumentNode } from 'graphql';
import type { Partner } from './types';

/** Error codes this product returns; clients switch on `extensions.code`. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
} as const;

/** A client error with a code and a message safe to show; never carries stored values. */
export function badInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
}

const V_NUMBER = /^\d{10}$/;

/**
 * Throws BAD_USER_INPUT unless `value` is a V-number (exactly 10 digits). The message does
 * not echo the value: a mistyped V-number is still personal data.
 */
export function assertVNumber(value: unknown, argument = 'vNumber'): string {
  if (typeof value !== 'string' || !V_NUMBER.test(value)) {
    throw badInput(`${argument} must be a V-number of exactly 10 digits`, argument);
  }
  return value;
}

/** True when `value` is a V-number (10 digits). */
export function isVNumber(value: unknown): value is string {
  return typeof value === 'string' && V_NUMBER.test(value);
}

function toDate(value: unknown): Date {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (typeof value === 'string' && !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) {
    throw badInput('DateTime must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T08:00:00Z');
  }
  if (Number.isNaN(date.getTime())) throw badInput('DateTime must be a valid ISO 8601 date-time');
  return date;
}

/** ISO 8601 date-time with zone; serialised in UTC. Shared by every subgraph (`scalar DateTime`). */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO 8601 date-time with time zone, serialised in UTC.',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError('DateTime cannot represent an invalid date');
    return date.toISOString();
  },
  parseValue: toDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw badInput('DateTime must be a string');
    return toDate(ast.value);
  },
});

/** How a fact was obtained, where that varies. */
export type ObtainedBy = 'MEASURED' | 'ESTIMATED' | 'SELF_REPORTED';

/** The provenance columns every fact table carries. */
export interface ProvenanceColumns {
  recorded_by_role: string;
  recorded_at: Date;
  confirmed_at: Date;
  obtained_by?: ObtainedBy | null;
}

/** The `Provenance` object as the shared SDL type defines it. */
export interface Provenance {
  partner: Partner;
  recordedByRole: string;
  recordedAt: Date;
  confirmedAt: Date;
  obtainedBy: ObtainedBy | null;
  stale: boolean;
}

const DAY_MS = 24 * 3600_000;

/**
 * Builds a fact's provenance. `stale` is true when the fact was last recorded or confirmed
 * more than `windowDays` before the reference moment: the planned departure when there
 * is one (the inspectorate's "7 days before departure"), otherwise now.
 */
export function provenanceOf(
  partner: Partner,
  row: ProvenanceColumns,
  reference: { departureAt: Date | null | undefined; now: Date; windowDays: number },
): Provenance {
  const moment = reference.departureAt ?? reference.now;
  const confirmedAt = new Date(row.confirmed_at);
  return {
    partner,
    recordedByRole: row.recorded_by_role,
    recordedAt: new Date(row.recorded_at),
    confirmedAt,
    obtainedBy: row.obtained_by ?? null,
    stale: confirmedAt.getTime() < moment.getTime() - reference.windowDays * DAY_MS,
  };
}

/** Parses `plannedDepartureAt` as it arrives in an entity representation (ISO string or null). */
export function departureFrom(person: { plannedDepartureAt?: unknown }): Date | null {
  const value = person.plannedDepartureAt;
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(String(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

/** Reads and parses a subgraph's SDL file. */
export function loadTypeDefs(path: string): DocumentNode {
  return parse(readFileSync(path, 'utf8'));
}

/**
 * Groups rows by key in the order of `keys`, for DataLoader batch functions that load
 * a list per parent: one SQL statement for all parents, then an in-memory split.
 */
export function groupByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): R[][] {
  const groups = new Map<K, R[]>();
  for (const key of keys) groups.set(key, []);
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}

/** Picks one row per key in the order of `keys` (null where absent), for entity loaders. */
export function oneByKey<K, R>(keys: readonly K[], rows: readonly R[], keyOf: (row: R) => K): Array<R | null> {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/**
 * Inserts rows in batches of multi-row INSERT statements (demo seeding of 10,000 persons).
 * Columns are taken from `columns`; values are always parameters, never spliced.
 */
export async function insertRows(
  db: { query(text: string, params?: readonly unknown[]): Promise<unknown> },
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<void> {
  const perStatement = Math.max(1, Math.floor(30_000 / columns.length));
  for (let start = 0; start < rows.length; start += perStatement) {
    const batch = rows.slice(start, start + perStatement);
    const params: unknown[] = [];
    const tuples = batch.map((row) => {
      const placeholders = row.map((value) => {
        params.push(value);
        return `$${params.length}`;
      });
      return `(${placeholders.join(', ')})`;
    });
    await db.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}
