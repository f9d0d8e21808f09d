import type { Store } from '../../lib/db/store';
import { ACCESS_LOG_WRITER_ROLE, ACCESS_RECORDS_PATH, validateBatch, type AccessRecordBatch } from '../../lib/access-log/wire';
import { createLogger } from '../../lib/log';
import type { RouteDeps, SignedPostRoute } from '../../lib/subgraph/types';
import { createGroupCommit } from './group-commit';
import { accessLogKeysFrom } from './crypto';

/**
 * `POST /access-records`: the gateway's batch of access records for one request (the
 * signature is checked by the generic server). Answers 201 only after the records are
 * committed, so the gateway releases data only once its disclosure is durable; 403 for a
 * signed identity that is not the access log writer, 400 for a malformed batch, 503 when
 * the store fails. Nothing about the records is logged.
 */
export function accessRecordRoutes(store: Store, deps: RouteDeps): Record<string, SignedPostRoute> {
  // Read at start: a missing or short ACCESS_LOG_KEY stops the subgraph from starting.
  const keys = accessLogKeysFrom(deps.env);
  const log = createLogger('subgraph-audit');
  // Concurrent requests' batches share one transaction (each answered after its COMMIT).
  const append = createGroupCommit(store, keys);
  return {
    [ACCESS_RECORDS_PATH]: async ({ identity, body }) => {
      if (!identity.roles.includes(ACCESS_LOG_WRITER_ROLE)) {
        return { status: 403, body: { error: { code: 'FORBIDDEN', message: 'only the gateway writes access records' } } };
      }
      const problems = validateBatch(body);
      if (problems.length > 0) {
        return { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'malformed access records', problems: problems.slice(0, 20) } } };
      }
      try {
        const ids = await append(body as AccessRecordBatch);
        return { status: 201, body: { appended: ids.length, first: ids[0], last: ids[ids.length - 1] } };
      } catch (error) {
        // Only the driver's error code: a database message may quote the failing row.
        log.error({ code: (error as { code?: unknown })?.code ?? 'unknown' }, 'access records could not be committed');
        return { status: 503, body: { error: { code: 'ACCESS_LOG_UNAVAILABLE', message: 'the access records could not be committed' } } };
      }
    },
  };
}
