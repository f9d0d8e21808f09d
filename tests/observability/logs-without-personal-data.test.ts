import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { startTestStack, type TestStack } from '../support/stack';

/**
 * Everything the gateway and the subgraphs log while serving requests that carry V-numbers
 * in every place a client can put them (literal arguments, variables, the operation name,
 * a header, a bad token), and whose answers hold V-numbers, names and medical facts: no
 * V-number of the demo world, no name, no token and no subject in clear reaches the log.
 * And the log is useful: one line per request at the gateway and at each subgraph it
 * fetched from, joined by the trace id.
 *
 * pino is wrapped to write every logger's lines (lib/log.ts, all services of the in-process
 * stack) into memory; LOG_LEVEL=trace, so debug lines are searched too.
 */

jest.mock('pino', () => {
  const actual = jest.requireActual('pino');
  const lines: string[] = [];
  const capture = { write: (chunk: string) => void lines.push(chunk) };
  const wrapped = Object.assign((options: object) => actual(options, capture), actual, { capturedLines: lines });
  return Object.assign(wrapped, { default: wrapped, pino: wrapped });
});

jest.setTimeout(120_000);

function captured(): string[] {
  return (jest.requireMock('pino') as { capturedLines: string[] }).capturedLines;
}

interface LogLine {
  level: number;
  service: string;
  msg: string;
  traceId?: string;
  operation?: string;
  operationType?: string;
  audience?: string | null;
  purpose?: string | null;
  organisation?: string;
  subject?: string;
  durationMs?: number;
  status?: number;
  errors?: Record<string, number>;
  denied?: number;
  subgraphs?: Record<string, { fetches: number; ms: number; failed: number }>;
}

function parsed(): LogLine[] {
  return captured().flatMap((chunk) => chunk.split('\n').filter(Boolean)).map((line) => JSON.parse(line) as LogLine);
}

const TRACE = (n: number) => `4bf92f3577b34da6a3ce929d0e0e47${String(n).padStart(2, '0')}`;
const traceparent = (n: number) => `00-${TRACE(n)}-00f067aa0ba902b7-01`;

let stack: TestStack;
const previousLevel = process.env.LOG_LEVEL;
const tokens: string[] = [];

beforeAll(async () => {
  process.env.LOG_LEVEL = 'trace';
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.close();
  if (previousLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = previousLevel;
});

async function token(role: string): Promise<string> {
  const value = await stack.token({ role });
  tokens.push(value);
  return value;
}

const V1 = DEMO_V_NUMBERS.consentGiven;
const V2 = DEMO_V_NUMBERS.consentRefused;
const V3 = DEMO_V_NUMBERS.reception;

test('requests with V-numbers everywhere leave no personal data and no token in the log', async () => {
  const transport = await token('transport-officer');
  const doctor = await token('medical-doctor');
  const escort = await token('escort-nurse');
  const privacy = await token('privacy-officer');
  const picture = /* GraphQL */ `{
    vNumber name { given family } dateOfBirth detention { unit } transportOrders { id plannedPickupAt }
    reception { currentLocation { code } } healthNotice { fitToTravel instructions { at instruction } }
    medicalDossier { conditions { code description } medication { name } } escortConsent { status } }`;

  // A literal V-number in the argument; the dossier is denied to a transport officer.
  let r = await stack.query(`{ person(vNumber: "${V1}") ${picture} }`, {
    token: transport,
    headers: { traceparent: traceparent(1) },
  });
  expect(r.status).toBe(200);
  expect(JSON.stringify(r.body)).toContain(V1);
  // V-numbers in variables, for two audiences, one with consent-dependent fields.
  for (const [n, t, v] of [[2, doctor, V2], [3, escort, V1], [4, escort, V2]] as const) {
    r = await stack.query(`query Picture($v: String!) { person(vNumber: $v) ${picture} }`, {
      token: t,
      variables: { v },
      headers: { traceparent: traceparent(n) },
    });
    expect(r.status).toBe(200);
  }
  // The operation name carries a V-number.
  r = await stack.query(`query Read${V3} { person(vNumber: "${V3}") { vNumber name { family } } }`, { token: transport });
  expect(r.status).toBe(200);
  // Bad input that holds a V-number: a number for a String variable; an alias that is one.
  r = await stack.query(`query Bad($v: String!) { person(vNumber: $v) { vNumber } }`, { token: transport, variables: { v: Number(V1) } });
  expect(r.status).toBe(400);
  r = await stack.query(`{ p${V2}: person(vNumber: "${V2}x") { vNumber } }`, { token: transport });
  expect(r.body.errors?.length).toBeGreaterThan(0);
  // Many persons' V-numbers and names in one answer.
  const from = new Date(stack.world.reference.getTime() - 30 * 86_400_000).toISOString();
  const to = new Date(stack.world.reference.getTime() + 300 * 86_400_000).toISOString();
  r = await stack.query(`query Window($from: DateTime!, $to: DateTime!) { departures(from: $from, to: $to, first: 50) { nodes { person { vNumber name { family } } } } }`, {
    token: transport,
    variables: { from, to },
  });
  expect(r.body.errors).toBeUndefined();
  expect(r.body.data.departures.nodes.length).toBeGreaterThan(5);
  // The privacy officer reads the access log by V-number: V-numbers and subjects in clear in the answer.
  r = await stack.query(`query Log($v: String!) { accessLog(filter: { vNumber: $v }) { nodes { vNumber actorSubject fieldsAllowed } } }`, {
    token: privacy,
    variables: { v: V1 },
  });
  expect(r.status).toBe(200);
  expect(JSON.stringify(r.body)).toContain('dev-transport-officer');
  // Refused before execution: a V-number as the token, a V-number as the purpose.
  r = await stack.query(`{ person(vNumber: "${V1}") { vNumber } }`, { token: V1 });
  expect(r.status).toBe(401);
  r = await stack.query(`{ person(vNumber: "${V1}") { vNumber } }`, { token: transport, headers: { 'x-purpose': V2 } });
  expect(r.status).toBe(400);

  const text = captured().join('');
  expect(text.length).toBeGreaterThan(0);
  for (const person of stack.world.persons) {
    if (text.includes(person.vNumber)) throw new Error(`the log holds V-number ${person.vNumber}`);
  }
  for (const name of ['Haddad', 'Rahimi', 'Mensah', 'Tesfaye', 'Benali']) expect(text).not.toContain(name);
  for (const value of tokens) {
    expect(text).not.toContain(value);
    for (const part of value.split('.')) expect(text).not.toContain(part);
  }
  for (const subject of ['dev-transport-officer', 'dev-medical-doctor', 'dev-escort-nurse', 'dev-privacy-officer']) expect(text).not.toContain(subject);
  expect(text).not.toContain('19012345601'); // the BIG registration of the dev tokens
  expect(text).not.toMatch(/"(variables|query|authorization)"\s*:/i);
});

test('one line per request at the gateway, with the trace id, audience, purpose, status, codes and denied fields', async () => {
  const lines = parsed();
  const gateway = lines.filter((l) => l.service === 'gateway' && l.msg === 'request');
  const first = gateway.filter((l) => l.traceId === TRACE(1));
  expect(first).toHaveLength(1);
  expect(first[0]).toMatchObject({
    operation: 'anonymous',
    operationType: 'query',
    audience: 'chain-officer',
    purpose: 'transport',
    organisation: 'dvo',
    status: 200,
    denied: 2, // medicalDossier and escortConsent
    errors: { FORBIDDEN: 2 },
  });
  expect(first[0]!.subject).toMatch(/^[0-9a-f]{16}$/);
  expect(first[0]!.durationMs).toBeGreaterThan(0);
  expect(Object.keys(first[0]!.subgraphs ?? {}).sort()).toEqual(['coa', 'dji', 'dtv', 'dvo', 'medical']);

  const doctor = gateway.find((l) => l.traceId === TRACE(2))!;
  expect(doctor).toMatchObject({ operation: 'Picture', audience: 'medical-professional', purpose: 'medical-care', status: 200 });
  // The same user gets the same subject hash; another user another.
  const escortLines = gateway.filter((l) => l.traceId === TRACE(3) || l.traceId === TRACE(4));
  expect(escortLines).toHaveLength(2);
  expect(escortLines[0]!.subject).toBe(escortLines[1]!.subject);
  expect(escortLines[0]!.subject).not.toBe(doctor.subject);
  // Without consent (V2) the escort nurse is denied the dossier by the medical subgraph.
  expect(escortLines[1]!.denied).toBeGreaterThan(escortLines[0]!.denied!);

  expect(gateway.find((l) => l.operation === 'Read##########')).toMatchObject({ status: 200 });
  expect(gateway.find((l) => l.operation === 'Window')).toMatchObject({ status: 200, denied: 0, subgraphs: { dtv: { fetches: 1, failed: 0 } } });
  expect(gateway.find((l) => l.operation === 'Log')).toMatchObject({ status: 200, audience: 'privacy-officer', subgraphs: { audit: { fetches: 1 } } });
  expect(gateway.find((l) => l.operation === 'Bad')).toMatchObject({ status: 400, errors: { BAD_USER_INPUT: 1 } });
  const refused = lines.filter((l) => l.service === 'gateway' && l.msg === 'request refused');
  expect(refused.map((l) => [l.status, l.errors])).toEqual(
    expect.arrayContaining([
      [401, { UNAUTHENTICATED: 1 }],
      [400, { BAD_USER_INPUT: 1 }],
    ]),
  );
});

test('each subgraph a request reached logs its own line with the same trace id and hashed subject', async () => {
  const lines = parsed();
  const gatewayLine = lines.find((l) => l.service === 'gateway' && l.msg === 'request' && l.traceId === TRACE(1))!;
  const subgraphLines = lines.filter((l) => l.service.startsWith('subgraph-') && l.msg === 'request' && l.traceId === TRACE(1));
  expect(new Set(subgraphLines.map((l) => l.service))).toEqual(new Set(['subgraph-dtv', 'subgraph-dji', 'subgraph-dvo', 'subgraph-coa', 'subgraph-medical']));
  for (const line of subgraphLines) {
    expect(line).toMatchObject({ audience: 'chain-officer', purpose: 'transport', status: 200, subject: gatewayLine.subject });
    expect(line.operation).toBe('anonymous');
  }
  // Subgraph operations are named after the client's: the masked name carries over.
  expect(lines.some((l) => l.service.startsWith('subgraph-') && l.operation?.startsWith('Read##########__'))).toBe(true);
});

test('startup lines: the policy in force is logged at start', () => {
  const lines = parsed();
  expect(lines.some((l) => l.service === 'gateway' && l.msg === 'policy loaded')).toBe(true);
});
