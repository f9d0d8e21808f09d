import { GraphQLError } from 'graphql';
import { assertVNumber, badInput } from '../../lib/subgraph/kit';
import type { ResolverMap, SubgraphContext } from '../../lib/subgraph/types';
import type { StoredRecord } from './chain';
import { accessLogKeysFrom, decryptSubject, subjectHash } from './crypto';
import { findRecords, type Loaders, type RecordFilter } from './data';

type Ctx = SubgraphContext<Loaders>;

interface FilterInput {
  vNumber?: string | null;
  actorSubject?: string | null;
  decision?: 'ALLOWED' | 'DENIED' | null;
  from?: Date | null;
  to?: Date | null;
}

const CURSOR_PREFIX = 'access-record:';

/** Opaque cursor of a record: its chain position. */
function cursorOf(id: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${id}`).toString('base64url');
}

function idFromCursor(cursor: string): number {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  const id = decoded.startsWith(CURSOR_PREFIX) ? Number(decoded.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isSafeInteger(id) || id < 0) throw badInput('after must be an endCursor returned by accessLog', 'after');
  return id;
}

/** The record as the AccessRecord type shows it; the V-number is decrypted lazily, per field. */
interface RecordObject {
  record: StoredRecord;
}

/** Resolvers of the audit subgraph: the privacy officers' view of the access log. */
export const resolvers: ResolverMap = {
  Query: {
    async accessLog(_root: unknown, args: { filter: FilterInput; first?: number | null; after?: string | null }, ctx: Ctx) {
      const first = args.first ?? 50;
      if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('first must be between 1 and 100', 'first');
      const input = args.filter ?? {};
      const filter: RecordFilter = {};
      if (input.vNumber !== undefined && input.vNumber !== null) {
        filter.subjectHash = subjectHash(accessLogKeysFrom(ctx.env), assertVNumber(input.vNumber, 'filter.vNumber'));
      }
      if (input.actorSubject !== undefined && input.actorSubject !== null) {
        if (input.actorSubject.length === 0 || input.actorSubject.length > 256) throw badInput('filter.actorSubject must be 1 to 256 characters', 'filter.actorSubject');
        filter.actorSubject = input.actorSubject;
      }
      if (input.decision) filter.decision = input.decision;
      if (input.from) filter.from = input.from;
      if (input.to) filter.to = input.to;
      if (filter.from && filter.to && filter.from.getTime() >= filter.to.getTime()) throw badInput('filter.from must be before filter.to', 'filter.from');
      const page = await findRecords(ctx.store, filter, first, args.after ? idFromCursor(args.after) : 0);
      const last = page.records[page.records.length - 1];
      return {
        nodes: page.records.map((record): RecordObject => ({ record })),
        totalCount: page.totalCount,
        pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? cursorOf(last.id) : null },
      };
    },
  },

  AccessRecord: {
    id: ({ record }: RecordObject) => String(record.id),
    traceId: ({ record }: RecordObject) => record.trace_id,
    recordedAt: ({ record }: RecordObject) => record.recorded_at,
    actorSubject: ({ record }: RecordObject) => record.actor_subject,
    actorOrganisation: ({ record }: RecordObject) => record.actor_organisation,
    actorRoles: ({ record }: RecordObject) => record.actor_roles,
    audience: ({ record }: RecordObject) => record.audience,
    purpose: ({ record }: RecordObject) => record.purpose,
    processingActivity: ({ record }: RecordObject) => record.processing_activity,
    vNumber({ record }: RecordObject, _args: unknown, ctx: Ctx) {
      if (!record.data_subject_enc) return null;
      try {
        return decryptSubject(accessLogKeysFrom(ctx.env), record.data_subject_enc);
      } catch (error) {
        throw new GraphQLError(error instanceof Error ? error.message : 'cannot decrypt', { extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      }
    },
    fieldsAllowed: ({ record }: RecordObject) => record.fields_allowed,
    fieldsDenied: ({ record }: RecordObject) => record.fields_denied,
    policyHash: ({ record }: RecordObject) => record.policy_hash,
    hash: ({ record }: RecordObject) => record.hash,
    prevHash: ({ record }: RecordObject) => record.prev_hash,
  },
};
