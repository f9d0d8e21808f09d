import type { AccessRecordBatch } from '../../lib/access-log/wire';
import { appendBatch } from '../../subgraphs/audit/chain';
import { deriveAccessLogKeys } from '../../subgraphs/audit/crypto';
import { startAuditService, type AuditService } from './support';

/** Append-only: the database itself refuses UPDATE, DELETE and TRUNCATE of access records. */

jest.setTimeout(60_000);

const BATCH: AccessRecordBatch = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  actor: { subject: 'dev-transport-officer', organisation: 'dvo', roles: ['transport-officer'], audience: 'chain-officer', purpose: 'transport' },
  processingActivity: 'transport',
  policyHash: '0123456789abcdef',
  records: [{ vNumber: '2044001001', fieldsAllowed: ['Person.healthNotice'], fieldsDenied: [] }],
};

let service: AuditService;
beforeAll(async () => {
  service = await startAuditService();
  await appendBatch(service.store, deriveAccessLogKeys(service.accessLogKey), BATCH);
});
afterAll(async () => {
  await service?.close();
});

it.each([
  ['UPDATE', `UPDATE audit.access_record SET purpose = 'x'`],
  ['DELETE', 'DELETE FROM audit.access_record'],
  ['TRUNCATE', 'TRUNCATE audit.access_record'],
])('refuses %s', async (operation, statement) => {
  await expect(service.store.query(statement)).rejects.toThrow(`audit.access_record is append-only: ${operation} refused`);
  const rows = await service.store.query<{ n: number; purpose: string }>('SELECT count(*)::int AS n, min(purpose) AS purpose FROM audit.access_record');
  expect(rows[0]).toEqual({ n: 1, purpose: 'transport' });
});

it('still accepts appends, continuing the chain', async () => {
  const ids = await appendBatch(service.store, deriveAccessLogKeys(service.accessLogKey), BATCH);
  expect(ids).toEqual([2]);
});
