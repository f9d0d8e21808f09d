import { randomBytes } from 'node:crypto';
import { closeEmbedded, openStore } from '../../lib/db/open';
import type { Store } from '../../lib/db/store';
import { fromRoot } from '../../lib/paths';
import { loadPolicyForSubgraph, defaultPolicyFile } from '../../lib/policy/source';
import { prepareStore } from '../../lib/subgraph/prepare';
import { startSubgraphServer } from '../../lib/subgraph/server';
import { definition } from '../../subgraphs/audit';
import { freshDatabase } from '../support/database';
import type { TestStack } from '../support/stack';
import { recordFromRow, RECORD_COLUMNS, type StoredRecord } from '../../subgraphs/audit/chain';
import { deriveAccessLogKeys, subjectHash } from '../../subgraphs/audit/crypto';

/** The audit subgraph's store in a test stack (PostgreSQL or embedded, as the stack runs). */
export function auditStore(stack: TestStack): Store {
  const audit = stack.subgraphs.find((s) => s.name === 'audit');
  if (!audit) throw new Error('the test stack runs no audit subgraph');
  return audit.store;
}

/** Every access record, in chain order. */
export async function allRecords(stack: TestStack): Promise<StoredRecord[]> {
  const rows = await auditStore(stack).query<Record<string, unknown>>(`SELECT ${RECORD_COLUMNS} FROM audit.access_record ORDER BY id`);
  return rows.map(recordFromRow);
}

/** The records about one person, found the way privacy officers find them: by the V-number's HMAC. */
export async function recordsAbout(stack: TestStack, vNumber: string): Promise<StoredRecord[]> {
  const hash = subjectHash(deriveAccessLogKeys(stack.accessLogKey), vNumber);
  return (await allRecords(stack)).filter((record) => record.data_subject_hash === hash);
}

/** A W3C traceparent with a fresh trace id; returns both. */
/** A store whose every transaction fails as a dropped PostgreSQL connection does (57P01). */
export function failingStore(): Store {
  return {
    kind: 'postgres',
    stats: { statements: 0 },
    transaction: async () => {
      throw Object.assign(new Error('connection terminated'), { code: '57P01' });
    },
  } as unknown as Store;
}

export function newTrace(): { traceId: string; traceparent: string } {
  const hex = (n: number) => [...Array(n)].map(() => Math.floor(Math.random() * 16).toString(16)).join('');
  const traceId = `4bf9${hex(28)}`;
  return { traceId, traceparent: `00-${traceId}-${hex(16)}-01` };
}

/** The audit subgraph alone on a fresh database: its store, its server, its keys. */
export interface AuditService {
  store: Store;
  /** Base URL, e.g. http://127.0.0.1:43121 (GraphQL at /graphql, records at /access-records). */
  baseUrl: string;
  signingSecret: string;
  accessLogKey: string;
  close(): Promise<void>;
}

/**
 * Starts only the audit subgraph (PostgreSQL with TEST_DATABASE_URL, else embedded), for
 * tests of its endpoint and its table that need no gateway.
 */
export async function startAuditService(): Promise<AuditService> {
  const database = await freshDatabase();
  const store = await openStore('audit', database.env);
  await prepareStore(definition, store);
  const signingSecret = randomBytes(32).toString('base64url');
  const accessLogKey = randomBytes(32).toString('base64url');
  const policy = loadPolicyForSubgraph(defaultPolicyFile(), fromRoot('subgraphs', 'audit', 'schema.graphql'));
  const server = await startSubgraphServer({
    definition,
    store,
    policy: () => policy,
    signingSecret,
    port: 0,
    stalenessWindowDays: 7,
    env: { ...database.env, ACCESS_LOG_KEY: accessLogKey },
  });
  return {
    store,
    baseUrl: server.url.replace(/\/graphql$/, ''),
    signingSecret,
    accessLogKey,
    async close() {
      await server.close();
      await store.close();
      if (database.kind === 'embedded') await closeEmbedded();
      await database.drop();
    },
  };
}
