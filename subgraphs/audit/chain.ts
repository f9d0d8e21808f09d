import { createHash } from 'node:crypto';
import type { Queryable, Store } from '../../lib/db/store';
import type { AccessRecordBatch, FieldDenial } from '../../lib/access-log/wire';
import { encryptSubject, subjectHash, type AccessLogKeys } from './crypto';

/** prev_hash of the first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** One access record as stored, in the column order of audit.access_record. */
export interface StoredRecord {
  id: number;
  trace_id: string;
  recorded_at: Date;
  actor_subject: string;
  actor_organisation: string;
  actor_roles: string[];
  audience: string | null;
  purpose: string | null;
  processing_activity: string | null;
  data_subject_hash: string | null;
  data_subject_enc: string | null;
  fields_allowed: string[];
  fields_denied: FieldDenial[];
  policy_hash: string;
  prev_hash: string;
  hash: string;
}

/**
 * Columns selected whenever records are read. `id` stays bigint (pg returns it as a string,
 * PGlite as a number; recordFromRow makes it a number) so that ORDER BY id sorts numerically.
 */
export const RECORD_COLUMNS =
  'id, trace_id, recorded_at, actor_subject, actor_organisation, actor_roles, audience, purpose, processing_activity, data_subject_hash, data_subject_enc, fields_allowed, fields_denied, policy_hash, prev_hash, hash';

/** Normalises a row as the drivers return it (int8 as string or number, jsonb as text or value). */
export function recordFromRow(row: Record<string, unknown>): StoredRecord {
  const denied = typeof row.fields_denied === 'string' ? JSON.parse(row.fields_denied) : row.fields_denied;
  return {
    ...(row as unknown as StoredRecord),
    id: Number(row.id),
    recorded_at: row.recorded_at instanceof Date ? row.recorded_at : new Date(String(row.recorded_at)),
    fields_denied: denied as FieldDenial[],
  };
}

/** JSON with object keys sorted at every level: one text for one value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * A record's hash: sha256 over prev_hash followed by the canonical JSON of every other
 * column (the timestamp in ISO 8601 with milliseconds, as it was written).
 */
export function recordHash(record: Omit<StoredRecord, 'hash'>): string {
  const { prev_hash, ...columns } = record;
  const content = canonicalJson({
    ...columns,
    recorded_at: record.recorded_at.toISOString(),
    fields_denied: record.fields_denied.map((d) => ({ field: d.field, rule: d.rule })),
  });
  return createHash('sha256').update(prev_hash).update(content).digest('hex');
}

const APPEND_LOCK = 'audit.access_record:append';
const COLUMN_COUNT = 16;
const MAX_ROWS_PER_INSERT = Math.floor(65_535 / COLUMN_COUNT);

/**
 * Appends the records of one batch to the chain in one transaction and resolves only
 * after COMMIT. Appends serialise on a transaction-scoped advisory lock, so the chain has
 * one order across every instance of the service; ids continue the chain without gaps.
 * V-numbers are stored only as HMAC and ciphertext. Returns the ids written.
 */
export async function appendBatch(store: Store, keys: AccessLogKeys, batch: AccessRecordBatch, now = new Date()): Promise<number[]> {
  return (await appendBatches(store, keys, [batch], now))[0]!;
}

/**
 * Appends several batches (of concurrent requests) in ONE transaction, one after the
 * other in the chain, and resolves only after its COMMIT: the group commit of
 * subgraphs/audit/group-commit.ts. Returns the ids written per batch.
 */
export async function appendBatches(store: Store, keys: AccessLogKeys, batches: readonly AccessRecordBatch[], now = new Date()): Promise<number[][]> {
  return store.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [APPEND_LOCK], 'audit_append_lock');
    // ORDER BY the column, not the text alias `id` (which would put '9' after '10').
    const [last] = await tx.query<{ id: string | number; hash: string }>(
      'SELECT id::text AS id, hash FROM audit.access_record ORDER BY access_record.id DESC LIMIT 1',
      [],
      'audit_append_last',
    );
    let id = last ? Number(last.id) : 0;
    let prev = last?.hash ?? GENESIS_HASH;
    const rows: StoredRecord[] = [];
    const ids = batches.map((batch) =>
      batch.records.map((access) => {
        id += 1;
        const record: Omit<StoredRecord, 'hash'> = {
          id,
          trace_id: batch.traceId,
          recorded_at: now,
          actor_subject: batch.actor.subject,
          actor_organisation: batch.actor.organisation,
          actor_roles: batch.actor.roles,
          audience: batch.actor.audience,
          purpose: batch.actor.purpose,
          processing_activity: batch.processingActivity,
          data_subject_hash: access.vNumber ? subjectHash(keys, access.vNumber) : null,
          data_subject_enc: access.vNumber ? encryptSubject(keys, access.vNumber) : null,
          fields_allowed: access.fieldsAllowed,
          fields_denied: access.fieldsDenied.map((d) => ({ field: d.field, rule: d.rule })),
          policy_hash: batch.policyHash,
          prev_hash: prev,
        };
        const hash = recordHash(record);
        prev = hash;
        rows.push({ ...record, hash });
        return id;
      }),
    );
    // One multi-row INSERT holds at most MAX_ROWS_PER_INSERT rows (PostgreSQL's 65535 parameters).
    for (let start = 0; start < rows.length; start += MAX_ROWS_PER_INSERT) await insertRecords(tx, rows.slice(start, start + MAX_ROWS_PER_INSERT));
    return ids;
  });
}

async function insertRecords(tx: Queryable, rows: StoredRecord[]): Promise<void> {
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const values = [
      row.id,
      row.trace_id,
      row.recorded_at,
      row.actor_subject,
      row.actor_organisation,
      row.actor_roles,
      row.audience,
      row.purpose,
      row.processing_activity,
      row.data_subject_hash,
      row.data_subject_enc,
      row.fields_allowed,
      JSON.stringify(row.fields_denied),
      row.policy_hash,
      row.prev_hash,
      row.hash,
    ];
    const base = params.length;
    params.push(...values);
    const placeholders = values.map((_, i) => `$${base + i + 1}${i === 0 ? '::bigint' : i === 5 || i === 11 ? '::text[]' : i === 12 ? '::jsonb' : ''}`);
    return `(${placeholders.join(', ')})`;
  });
  if (params.length !== rows.length * COLUMN_COUNT) throw new Error('access record column count mismatch');
  await tx.query(
    `INSERT INTO audit.access_record (id, trace_id, recorded_at, actor_subject, actor_organisation, actor_roles, audience, purpose,
       processing_activity, data_subject_hash, data_subject_enc, fields_allowed, fields_denied, policy_hash, prev_hash, hash)
     VALUES ${tuples.join(', ')}`,
    params,
  );
}

/** The outcome of walking the chain. */
export type ChainVerdict =
  | { intact: true; count: number }
  | { intact: false; count: number; brokenAt: number; reason: string };

/**
 * Walks the whole chain in id order, in pages, and checks that ids run 1, 2, 3, ... (a
 * gap is a deleted record), that every prev_hash is the previous record's hash, and that
 * every hash matches the record's contents (an altered record). Stops at the first break.
 * Deleting the newest records leaves an intact shorter chain: compare the count with one
 * noted earlier (or published) to catch that.
 */
export async function verifyChain(store: Queryable, pageSize = 1000): Promise<ChainVerdict> {
  let expectedId = 1;
  let prev = GENESIS_HASH;
  let count = 0;
  for (;;) {
    const rows = await store.query<Record<string, unknown>>(
      `SELECT ${RECORD_COLUMNS} FROM audit.access_record WHERE id >= $1 ORDER BY access_record.id LIMIT $2`,
      [expectedId, pageSize],
    );
    for (const row of rows) {
      const record = recordFromRow(row);
      if (record.id !== expectedId) {
        const missing = record.id - expectedId === 1 ? `record ${expectedId} is missing` : `records ${expectedId} to ${record.id - 1} are missing`;
        return { intact: false, count, brokenAt: expectedId, reason: `${missing} (the chain jumps to record ${record.id})` };
      }
      if (record.prev_hash !== prev) {
        return { intact: false, count, brokenAt: record.id, reason: 'prev_hash is not the hash of the record before it' };
      }
      const { hash, ...rest } = record;
      if (recordHash(rest) !== hash) {
        return { intact: false, count, brokenAt: record.id, reason: 'hash does not match the record contents (altered)' };
      }
      prev = hash;
      expectedId += 1;
      count += 1;
    }
    if (rows.length < pageSize) return { intact: true, count };
  }
}
