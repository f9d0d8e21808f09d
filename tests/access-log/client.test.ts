import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessRecordBatch } from '../../lib/access-log/wire';
import { NonceCache, verifyRequest } from '../../lib/identity/signing';
import { AccessLogUnavailable, GATEWAY_SERVICE_IDENTITY, postAccessRecordsBody, type AccessLogEndpoint } from '../../gateway/access-log/client';

/**
 * The gateway's side of the access log call: signed with its service identity over the
 * exact body, resolved only on 201, and refused (AccessLogUnavailable) on any other
 * status, a closed port or a timeout, so that the caller withholds audited data.
 */

const SECRET = 'a-test-signing-secret-of-at-least-32-chars';
const BATCH: AccessRecordBatch = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  actor: { subject: 'dev-medical-doctor', organisation: 'medical', roles: ['medical-doctor'], audience: 'medical-professional', purpose: 'medical-care' },
  processingActivity: 'medical-care',
  policyHash: '0123456789abcdef',
  records: [{ vNumber: '2044001001', fieldsAllowed: ['Person.medicalDossier'], fieldsDenied: [] }],
};

/** One POST of BATCH, as the gateway's writer sends a lone batch. */
const post = (target: AccessLogEndpoint) => postAccessRecordsBody(target, JSON.stringify(BATCH), BATCH.traceId, target.timeoutMs);

let server: Server;
let url: string;
let answer: (req: IncomingMessage, body: Buffer) => { status: number } | 'hang';
const seen: Array<{ headers: IncomingMessage['headers']; body: Buffer }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ headers: req.headers, body });
      const reply = answer(req, body);
      if (reply === 'hang') return;
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/access-records`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const endpoint = (overrides: Partial<{ url: string; timeoutMs: number }> = {}) => ({ url, timeoutMs: 1_000, signingSecret: () => SECRET, ...overrides });

it('signs the batch with the gateway service identity and the trace id, and resolves on 201', async () => {
  answer = () => ({ status: 201 });
  await expect(post(endpoint())).resolves.toBeUndefined();
  const request = seen[seen.length - 1]!;
  expect(JSON.parse(request.body.toString('utf8'))).toEqual(BATCH);
  expect(request.headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-01$/);
  const identity = verifyRequest(SECRET, request.headers, request.body, { maxSkewMs: 30_000, nonces: new NonceCache(30_000) });
  expect(identity).toEqual({ ...GATEWAY_SERVICE_IDENTITY, traceId: BATCH.traceId });
});

it.each([400, 401, 500, 503, 200])('refuses an answer with status %i', async (status) => {
  answer = () => ({ status });
  await expect(post(endpoint())).rejects.toEqual(new AccessLogUnavailable(`status ${status}`));
});

it('gives up after the timeout', async () => {
  answer = () => 'hang';
  const started = Date.now();
  await expect(post(endpoint({ timeoutMs: 200 }))).rejects.toMatchObject({ reason: 'timeout' });
  expect(Date.now() - started).toBeLessThan(1_500);
});

it('refuses when nothing listens', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  await expect(post(endpoint({ url: `http://127.0.0.1:${port}/access-records` }))).rejects.toMatchObject({ reason: 'network' });
});
