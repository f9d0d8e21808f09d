import type { AccessRecordBatch } from '../../lib/access-log/wire';
import type { Store } from '../../lib/db/store';
import { signRequest, type SignedIdentity } from '../../lib/identity/signing';
import { definition } from '../../subgraphs/audit';
import { GATEWAY_SERVICE_IDENTITY } from '../../gateway/access-log/client';
import { failingStore, startAuditService, type AuditService } from './support';

/**
 * The audit subgraph's `POST /access-records`: only the gateway's signed service identity
 * may write; 201 only after commit; 400 for malformed records (naming where, never the
 * value); 503 when the store fails.
 */

jest.setTimeout(60_000);

const BATCH: AccessRecordBatch = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  actor: { subject: 'dev-medical-doctor', organisation: 'medical', roles: ['medical-doctor'], audience: 'medical-professional', purpose: 'medical-care' },
  processingActivity: 'medical-care:Dossier',
  policyHash: '0123456789abcdef',
  records: [
    { vNumber: '2044001001', fieldsAllowed: ['MedicalDossier.conditions', 'Person.medicalDossier'], fieldsDenied: [] },
    { vNumber: null, fieldsAllowed: [], fieldsDenied: [{ field: 'Person.medicalDossier', rule: 'never-dossier-outside-care' }] },
  ],
};

let service: AuditService;
beforeAll(async () => {
  service = await startAuditService();
});
afterAll(async () => {
  await service?.close();
});

async function post(body: unknown, options: { identity?: SignedIdentity | null; secret?: string; contentType?: string } = {}) {
  const text = JSON.stringify(body);
  const identity = options.identity === undefined ? GATEWAY_SERVICE_IDENTITY : options.identity;
  const response = await fetch(`${service.baseUrl}/access-records`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(identity ? signRequest(options.secret ?? service.signingSecret, identity, text) : {}),
    },
    body: text,
  });
  return { status: response.status, body: (await response.json()) as any };
}

const count = async () => Number((await service.store.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.access_record'))[0]!.n);

it('commits a signed batch and answers 201 with the ids written', async () => {
  const before = await count();
  const response = await post(BATCH);
  expect(response).toEqual({ status: 201, body: { appended: 2, first: before + 1, last: before + 2 } });
  expect(await count()).toBe(before + 2);
});

it('refuses unsigned and wrongly signed requests with 401, writing nothing', async () => {
  const before = await count();
  expect((await post(BATCH, { identity: null })).status).toBe(401);
  expect((await post(BATCH, { secret: 'another-secret-that-is-32-characters-long' })).status).toBe(401);
  expect(await count()).toBe(before);
});

it('refuses a replayed request', async () => {
  const text = JSON.stringify(BATCH);
  const headers = { 'content-type': 'application/json', ...signRequest(service.signingSecret, GATEWAY_SERVICE_IDENTITY, text) };
  const first = await fetch(`${service.baseUrl}/access-records`, { method: 'POST', headers, body: text });
  const replay = await fetch(`${service.baseUrl}/access-records`, { method: 'POST', headers, body: text });
  expect([first.status, replay.status]).toEqual([201, 401]);
});

it('refuses a signed caller that is not the access log writer with 403', async () => {
  const response = await post(BATCH, { identity: { subject: 'dev-medical-doctor', organisation: 'medical', roles: ['medical-doctor'] } });
  expect(response.status).toBe(403);
});

it.each([
  ['no records', { ...BATCH, records: [] }, 'records: must be a list of 1 to 1000 records'],
  ['a malformed V-number', { ...BATCH, records: [{ ...BATCH.records[0], vNumber: '20440010' }] }, 'records[0].vNumber: must be a V-number of 10 digits or null'],
  ['a field that is not a coordinate', { ...BATCH, records: [{ ...BATCH.records[0], fieldsAllowed: ['medicalDossier'] }] }, 'records[0].fieldsAllowed[0]: malformed'],
  ['a malformed trace id', { ...BATCH, traceId: 'xyz' }, 'traceId: malformed'],
  ['a record of nothing', { ...BATCH, records: [{ vNumber: '2044001001', fieldsAllowed: [], fieldsDenied: [] }] }, 'records[0]: records nothing (no field allowed or denied)'],
  ['an unknown key', { ...BATCH, extra: 1 }, 'body: unknown key "extra"'],
  ['a V-number in the processing activity', { ...BATCH, processingActivity: 'medical-care:Read2044001001' }, 'processingActivity: must not contain a V-number'],
  ['not an object', [BATCH], 'the body must be one JSON object'],
])('answers 400 for %s, naming the problem and not the value', async (_name, body, problem) => {
  const before = await count();
  const response = await post(body);
  expect(response.status).toBe(400);
  expect(response.body.error.problems).toContain(problem);
  expect(JSON.stringify(response.body)).not.toContain('20440010');
  expect(await count()).toBe(before);
});

it('answers 400 for a body that is not JSON and 415 for another content type', async () => {
  const text = '{not json';
  const bad = await fetch(`${service.baseUrl}/access-records`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signRequest(service.signingSecret, GATEWAY_SERVICE_IDENTITY, text) },
    body: text,
  });
  expect(bad.status).toBe(400);
  expect((await post(BATCH, { contentType: 'text/plain' })).status).toBe(415);
});

it('answers 503 when the store cannot commit', async () => {
  const failing = failingStore();
  const route = definition.httpRoutes!(failing, { env: { ACCESS_LOG_KEY: service.accessLogKey } })['/access-records']!;
  const reply = await route({ identity: GATEWAY_SERVICE_IDENTITY, body: BATCH });
  expect(reply.status).toBe(503);
  expect(JSON.stringify(reply.body)).not.toContain('2044001001');
});

it('refuses to start without an ACCESS_LOG_KEY of at least 32 characters', () => {
  expect(() => definition.httpRoutes!({} as Store, { env: {} })).toThrow('ACCESS_LOG_KEY is required');
  expect(() => definition.httpRoutes!({} as Store, { env: { ACCESS_LOG_KEY: 'short' } })).toThrow('ACCESS_LOG_KEY must be at least 32 characters');
});
