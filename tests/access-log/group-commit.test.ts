import type { AccessRecordBatch } from '../../lib/access-log/wire';
import { verifyChain } from '../../subgraphs/audit/chain';
import { deriveAccessLogKeys } from '../../subgraphs/audit/crypto';
import { createGroupCommit } from '../../subgraphs/audit/group-commit';
import { startAuditService, type AuditService } from './support';

/**
 * Group commit: batches of concurrent requests share one transaction, each answered only
 * after the COMMIT that holds it, and the chain stays one gap-free sequence.
 */

jest.setTimeout(60_000);

function batch(i: number, records: number): AccessRecordBatch {
  return {
    traceId: `4bf92f3577b34da6a3ce929d0e0e${String(i).padStart(4, '0')}`,
    actor: { subject: `user-${i}`, organisation: 'dvo', roles: ['transport-officer'], audience: 'chain-officer', purpose: 'transport' },
    processingActivity: 'transport',
    policyHash: '0123456789abcdef',
    records: Array.from({ length: records }, (_, r) => ({ vNumber: String(2044001000 + r), fieldsAllowed: ['Person.healthNotice'], fieldsDenied: [] })),
  };
}

let service: AuditService;
beforeAll(async () => {
  service = await startAuditService();
});
afterAll(async () => {
  await service?.close();
});

it('writes concurrent batches in fewer transactions, each batch contiguous, the chain intact', async () => {
  const append = createGroupCommit(service.store, deriveAccessLogKeys(service.accessLogKey));
  const before = service.store.stats.statements;
  const sizes = Array.from({ length: 30 }, (_, i) => 1 + (i % 4));
  const results = await Promise.all(sizes.map((size, i) => append(batch(i, size))));
  const statements = service.store.stats.statements - before;

  // Every batch got as many ids as it had records, contiguous, and all ids are distinct.
  results.forEach((ids, i) => {
    expect(ids).toHaveLength(sizes[i]!);
    ids.forEach((id, k) => expect(id).toBe(ids[0]! + k));
  });
  const all = results.flat().sort((a, b) => a - b);
  expect(all).toEqual(Array.from({ length: all.length }, (_, k) => k + 1));
  // One transaction alone costs 3 statements (lock, last record, insert); 30 alone would cost 90.
  expect(statements).toBeLessThan(90);
  const rows = await service.store.query<{ trace_id: string; id: string | number }>('SELECT trace_id, id FROM audit.access_record ORDER BY id');
  // The records of one batch carry its trace id, in its order.
  results.forEach((ids, i) => {
    for (const id of ids) expect(rows[id - 1]!.trace_id).toBe(batch(i, 1).traceId);
  });
  expect(await verifyChain(service.store)).toEqual({ intact: true, count: all.length });
});

it('fails every batch of a transaction that fails, and goes on with the next', async () => {
  const append = createGroupCommit(service.store, deriveAccessLogKeys(service.accessLogKey));
  const count = async () => Number((await service.store.query<{ n: string }>('SELECT count(*)::text AS n FROM audit.access_record'))[0]!.n);
  const before = await count();
  // A batch the table refuses (its CHECK on the trace id), as a failing database would.
  const bad = { ...batch(99, 1), traceId: 'not-a-trace-id' };
  const outcomes = await Promise.allSettled([append(bad), append(bad)]);
  expect(outcomes.every((o) => o.status === 'rejected')).toBe(true);
  expect(await count()).toBe(before);
  await expect(append(batch(100, 2))).resolves.toHaveLength(2);
  expect((await verifyChain(service.store)).intact).toBe(true);
});
