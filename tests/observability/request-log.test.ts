import pino from 'pino';
import { hashSubject, useRequestLog } from '../../lib/observability/request-log';
import { CHAIN_OFFICER, testServer } from './apollo';

/** useRequestLog on a small Apollo Server: one line per request, its fields and its level, nothing personal. */

function capture() {
  const lines: Array<Record<string, any>> = [];
  const raw: string[] = [];
  const logger = pino({ level: 'trace' }, { write: (chunk: string) => void (raw.push(chunk), lines.push(JSON.parse(chunk))) });
  return { logger, lines, raw };
}

const SECRET = 'a-signing-secret-of-at-least-32-characters';

test('one line per request with trace id, operation, caller, duration, status, codes and denied fields', async () => {
  const { logger, lines } = capture();
  const { server, send } = await testServer([useRequestLog({ logger, subjectKey: () => SECRET, fields: () => ({ subgraphs: { dtv: { fetches: 1 } } }) })]);
  await send({ query: 'query Mixed($v: String) { hello(vNumber: $v) dossier }', variables: { v: '2044001001' } }, CHAIN_OFFICER);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    level: 30,
    msg: 'request',
    traceId: CHAIN_OFFICER.identity.traceId,
    operation: 'Mixed',
    operationType: 'query',
    audience: 'chain-officer',
    purpose: 'transport',
    organisation: 'dvo',
    subject: hashSubject(SECRET, 'dev-transport-officer'),
    status: 200,
    errors: { FORBIDDEN: 1 },
    denied: 1,
    subgraphs: { dtv: { fetches: 1 } },
  });
  expect(lines[0]!.durationMs).toEqual(expect.any(Number));
  await server.stop();
});

test('nothing personal: no variables, literals, values, messages, subject or BIG number', async () => {
  const { logger, raw } = capture();
  const { server, send } = await testServer([useRequestLog({ logger, subjectKey: () => SECRET })]);
  await send({ query: 'query Read2044001001 { hello(vNumber: "2044001002") }' }, CHAIN_OFFICER);
  await send({ query: 'query Q($v: Int) { hello(vNumber: $v) }', variables: { v: 2044001003 } }, CHAIN_OFFICER);
  await send({ query: '{ hello(vNumber: "2044001004") nope }' }, CHAIN_OFFICER);
  const text = raw.join('');
  expect(raw).toHaveLength(3);
  for (const leak of ['2044001001', '2044001002', '2044001003', '2044001004', 'dev-transport-officer', '19012345601', 'hello', 'nope']) {
    expect([leak, text.includes(leak)]).toEqual([leak, false]);
  }
  expect(text).toContain('"operation":"Read##########"');
  await server.stop();
});

test('levels: error for internal errors, warn for degraded answers, info otherwise', async () => {
  const { logger, lines } = capture();
  const { server, send } = await testServer([useRequestLog({ logger })]);
  await send({ query: '{ broken }' }, CHAIN_OFFICER);
  await send({ query: '{ notice }' }, CHAIN_OFFICER);
  await send({ query: '{ dossier }' }, CHAIN_OFFICER);
  expect(lines.map((l) => [l.level, l.errors])).toEqual([
    [50, { INTERNAL_SERVER_ERROR: 1 }],
    [40, { SUBGRAPH_UNAVAILABLE: 1 }],
    [30, { FORBIDDEN: 1 }],
  ]);
  // Without a subject key the subject is left out.
  expect(lines.every((l) => l.subject === undefined)).toBe(true);
  await server.stop();
});

test('requests refused before execution get a "request refused" line', async () => {
  const { logger, lines } = capture();
  const { server, send } = await testServer([useRequestLog({ logger, subjectKey: () => SECRET })]);
  await send({ query: '{ hello }' }, null);
  await send({ query: '{ hello }' }, CHAIN_OFFICER, { method: 'GET', headers: { 'content-type': 'text/plain' } });
  expect(lines.map((l) => [l.msg, l.status, l.errors, l.operation])).toEqual([
    ['request refused', 401, { UNAUTHENTICATED: 1 }, 'anonymous'],
    ['request refused', 400, { BAD_REQUEST: 1 }, 'anonymous'],
  ]);
  await server.stop();
});

test('a failing fields hook does not lose the line', async () => {
  const { logger, lines } = capture();
  const { server, send } = await testServer([
    useRequestLog({
      logger,
      fields: () => {
        throw new Error('no');
      },
    }),
  ]);
  expect((await send({ query: '{ hello }' }, CHAIN_OFFICER)).status).toBe(200);
  expect(lines).toHaveLength(1);
  await server.stop();
});

describe('hashSubject', () => {
  it('is stable per secret, differs between subjects and secrets, and does not contain the subject', () => {
    const a = hashSubject(SECRET, 'dev-transport-officer');
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(hashSubject(SECRET, 'dev-transport-officer')).toBe(a);
    expect(hashSubject(SECRET, 'dev-medical-doctor')).not.toBe(a);
    expect(hashSubject(`${SECRET}-rotated`, 'dev-transport-officer')).not.toBe(a);
  });
});
