import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeepAliveFetcher } from '../../gateway/transport/keep-alive-fetcher';

/** The gateway's subgraph transport: keep-alive reuse, bounded pool, abort, errors. */

let server: Server;
let base: string;
let connections = 0;
let inFlight = 0;
let peak = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    inFlight++;
    peak = Math.max(peak, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const delay = req.url === '/slow' ? 300 : req.url === '/busy' ? 30 : 0;
      setTimeout(() => {
        inFlight--;
        if (req.url === '/fail') {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end('broken');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { echo: Buffer.concat(chunks).toString('utf8'), method: req.method, signed: req.headers['x-chain-signature'] ?? null } }));
      }, delay);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

it('sends method, headers and body, and reads a JSON answer', async () => {
  const transport = createKeepAliveFetcher({ maxSockets: 4, idleTimeoutMs: 5_000 });
  const response = await transport.fetcher(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-chain-signature': 'v1=abc' }, body: '{"query":"{ a }"}' });
  expect(response.ok).toBe(true);
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toBe('application/json');
  expect(await response.json()).toEqual({ data: { echo: '{"query":"{ a }"}', method: 'POST', signed: 'v1=abc' } });
  transport.close();
});

it('reuses one connection for requests in sequence', async () => {
  const transport = createKeepAliveFetcher({ maxSockets: 4, idleTimeoutMs: 5_000 });
  const before = connections;
  for (let i = 0; i < 20; i++) {
    const response = await transport.fetcher(`${base}/graphql`, { method: 'POST', body: `{"i":${i}}` });
    await response.text();
  }
  expect(connections - before).toBe(1);
  transport.close();
});

it('keeps at most maxSockets connections, queueing the rest', async () => {
  const transport = createKeepAliveFetcher({ maxSockets: 3, idleTimeoutMs: 5_000 });
  const before = connections;
  peak = 0;
  await Promise.all(Array.from({ length: 12 }, () => transport.fetcher(`${base}/busy`, { method: 'POST', body: '{}' }).then((r) => r.text())));
  expect(connections - before).toBeLessThanOrEqual(3);
  expect(peak).toBeLessThanOrEqual(3);
  transport.close();
});

it('passes non-2xx answers on as responses (the data source maps them)', async () => {
  const transport = createKeepAliveFetcher({ maxSockets: 2, idleTimeoutMs: 5_000 });
  const response = await transport.fetcher(`${base}/fail`, { method: 'POST', body: '{}' });
  expect(response.ok).toBe(false);
  expect(response.status).toBe(500);
  expect(await response.text()).toBe('broken');
  transport.close();
});

it('gives up when the signal aborts (the resilience deadline), with the signal\'s reason', async () => {
  const transport = createKeepAliveFetcher({ maxSockets: 2, idleTimeoutMs: 5_000 });
  const started = Date.now();
  await expect(transport.fetcher(`${base}/slow`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(50) })).rejects.toMatchObject({ name: 'TimeoutError' });
  expect(Date.now() - started).toBeLessThan(250);
  transport.close();
});

it('rejects with the network error when nothing listens', async () => {
  const transport = createKeepAliveFetcher({ maxSockets: 2, idleTimeoutMs: 5_000 });
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  await expect(transport.fetcher(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  transport.close();
});
