import type { Store } from '../../lib/db/store';
import { ACCESS_LOG_WRITER_ROLE, ACCESS_RECORDS_PATH, parseAccessRecords } from '../../lib/access-log/wire';
import { createLogger } from '../../lib/log';
import type { RouteDeps, SignedPostRoute } from '../../lib/subgraph/types';
import { createGroupCommit } from './group-commit';
import { accessLogKeysFrom } from './crypto';

/**
 * `POST /access-records`: the gateway's access records (the signature is checked by the
 * generic server), either one request's batch or an envelope `{ batches: [...] }` of the
 * batches of several requests that the gateway coalesced. Answers 201 only after every
 * batch of the POST is committed, all in one transaction, so the gateway releases data only
 * once its disclosure is durable: `{ appended, first, last }` for one batch,
 * `{ appended, batches: [{ first, last }, ...] }` (in the envelope's order) for an envelope.
 * 403 for a signed identity that is not the access log writer, 400 for a malformed body
 * (nothing written, no value echoed), 503 when the store fails (nothing of this POST
 * reported written). Nothing about the records is logged.
 */
export function accessRecordRoutes(store: Store, deps: RouteDeps): Record<string, SignedPostRoute> {
  // Read at start: a missing or short ACCESS_LOG_KEY stops the subgraph from starting.
  const keys = accessLogKeysFrom(deps.env);
  const log = createLogger('subgraph-audit');
  // Concurrent POSTs share one transaction (each answered after its COMMIT); the batches of
  // one POST are one unit, never split over two transactions.
  const append = createGroupCommit(store, keys);
  return {
    [ACCESS_RECORDS_PATH]: async ({ identity, body }) => {
      if (!identity.roles.includes(ACCESS_LOG_WRITER_ROLE)) {
        return { status: 403, body: { error: { code: 'FORBIDDEN', message: 'only the gateway writes access records' } } };
      }
      const parsed = parseAccessRecords(body);
      if (!parsed.ok) {
        return { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'malformed access records', problems: parsed.problems.slice(0, 20) } } };
      }
      try {
        const ids = await append.all(parsed.batches);
        const appended = ids.reduce((sum, batch) => sum + batch.length, 0);
        const span = (batch: number[]) => ({ first: batch[0], last: batch[batch.length - 1] });
        // A bare batch keeps its old answer: a gateway of the previous version reads only the status, but others may read more.
        return { status: 201, body: parsed.envelope ? { appended, batches: ids.map(span) } : { appended, ...span(ids[0]!) } };
      } catch (error) {
        // Only the driver's error code: a database message may quote the failing row.
        log.error({ code: (error as { code?: unknown })?.code ?? 'unknown' }, 'access records could not be committed');
        return { status: 503, body: { error: { code: 'ACCESS_LOG_UNAVAILABLE', message: 'the access records could not be committed' } } };
      }
    },
  };
}
