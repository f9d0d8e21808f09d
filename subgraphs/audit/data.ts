import type { Queryable, Store } from '../../lib/db/store';
import { RECORD_COLUMNS, recordFromRow, type StoredRecord } from './chain';

/** Selection criteria for the privacy officers' questions; all given ones must hold. */
export interface RecordFilter {
  /** HMAC of the data subject's V-number (see crypto.subjectHash). */
  subjectHash?: string;
  actorSubject?: string;
  /** ALLOWED: records that released fields; DENIED: records with denied fields. */
  decision?: 'ALLOWED' | 'DENIED';
  /** recorded_at >= from */
  from?: Date;
  /** recorded_at < to */
  to?: Date;
}

/** One page of records, oldest first. */
export interface RecordPage {
  records: StoredRecord[];
  totalCount: number;
  hasNextPage: boolean;
}

function whereClause(filter: RecordFilter, params: unknown[]): string {
  const conditions: string[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.subjectHash !== undefined) conditions.push(`data_subject_hash = ${param(filter.subjectHash)}`);
  if (filter.actorSubject !== undefined) conditions.push(`actor_subject = ${param(filter.actorSubject)}`);
  if (filter.decision === 'ALLOWED') conditions.push('cardinality(fields_allowed) > 0');
  if (filter.decision === 'DENIED') conditions.push('jsonb_array_length(fields_denied) > 0');
  if (filter.from !== undefined) conditions.push(`recorded_at >= ${param(filter.from)}`);
  if (filter.to !== undefined) conditions.push(`recorded_at < ${param(filter.to)}`);
  return conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
}

/**
 * Records matching `filter` in chain order, `first` of them after record `afterId`
 * (keyset pagination on the chain position), with the total count of matches.
 */
export async function findRecords(store: Queryable, filter: RecordFilter, first: number, afterId = 0): Promise<RecordPage> {
  const params: unknown[] = [];
  const where = whereClause(filter, params);
  const [{ count }] = (await store.query<{ count: string | number }>(`SELECT count(*)::int AS count FROM audit.access_record ${where}`, params)) as [
    { count: string | number },
  ];
  const pageParams = [...params, afterId, first + 1];
  const after = `id > $${params.length + 1}`;
  const rows = await store.query<Record<string, unknown>>(
    `SELECT ${RECORD_COLUMNS} FROM audit.access_record ${where ? `${where} AND ${after}` : `WHERE ${after}`}
      ORDER BY access_record.id LIMIT $${params.length + 2}`,
    pageParams,
  );
  const records = rows.slice(0, first).map(recordFromRow);
  return { records, totalCount: Number(count), hasNextPage: rows.length > first };
}

/**
 * This subgraph's per-request loaders: none. The access log is read by a few privacy
 * officers' queries, each one paginated statement; there is nothing per parent to batch.
 */
export type Loaders = Record<string, never>;

/** Creates the (empty) loaders of one request. */
export function createLoaders(_store: Store): Loaders {
  return {};
}
