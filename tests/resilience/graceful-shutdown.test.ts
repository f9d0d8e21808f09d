import { EventEmitter } from 'node:events';
import type { RunningGateway } from '../../gateway/server';
import { handleShutdownSignals } from '../../lib/http/graceful-shutdown';
import { startTestStack, type TestStack } from '../support/stack';
import { errorsWithCode, PERSON, queryAt, startHungServer, startSideGateway, V_NUMBER, type HungServer } from './support';

/**
 * Graceful shutdown: a stopping gateway refuses new connections, answers the requests in
 * flight, and is done as soon as they are answered; the grace period bounds the wait. The
 * signal handling of the start scripts: one close per process, exit 0 when it is done,
 * exit 1 when it fails or overruns.
 */

jest.setTimeout(90_000);

let stack: TestStack;
let hung: HungServer;

beforeAll(async () => {
  stack = await startTestStack({ env: { POLICY_WATCH: 'false' } });
  hung = await startHungServer();
});

afterAll(async () => {
  await hung?.close();
  await stack?.close();
});

/** A gateway whose DJI hangs, so that a person query stays in flight for `timeoutMs`. */
const slowGateway = (timeoutMs: number, graceMs: number): Promise<RunningGateway> =>
  startSideGateway(stack, { DJI_URL: hung.url, DJI_TIMEOUT_MS: String(timeoutMs), SHUTDOWN_GRACE_MS: String(graceMs) });

it('finishes the request in flight, refuses new connections, and stops once it is answered', async () => {
  const gateway = await slowGateway(1_200, 10_000);
  const inFlight = queryAt(stack, gateway.url, PERSON, { v: V_NUMBER });
  await new Promise((resolve) => setTimeout(resolve, 400));

  const started = performance.now();
  const closed = gateway.close().then(() => performance.now());
  await new Promise((resolve) => setTimeout(resolve, 50));
  // New connections are refused while the request in flight is still being answered.
  await expect(fetch(gateway.url.replace(/graphql$/, 'health'))).rejects.toThrow();

  const response = await inFlight;
  const answeredAt = performance.now();
  expect(response.status).toBe(200);
  expect(response.body.data.person.name).not.toBeNull();
  expect(errorsWithCode(response, 'SUBGRAPH_TIMEOUT')).toHaveLength(1);
  const closedAt = await closed;
  console.log(`gateway close with one request in flight: ${Math.round(closedAt - started)} ms; done ${Math.round(closedAt - answeredAt)} ms after the request was answered`);
  // Done when the request is answered, not at the end of the 10 s grace period.
  expect(closedAt - answeredAt).toBeLessThan(1_500);
});

it('cuts requests still in flight when the grace period ends', async () => {
  const gateway = await slowGateway(20_000, 300);
  const inFlight = queryAt(stack, gateway.url, PERSON, { v: V_NUMBER }).then(
    () => 'answered',
    () => 'cut',
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  await gateway.close();
  const took = performance.now() - started;
  expect(await inFlight).toBe('cut');
  expect(took).toBeGreaterThanOrEqual(250);
  expect(took).toBeLessThan(3_000);
});

describe('handleShutdownSignals', () => {
  function fakeProcess() {
    const emitter = new EventEmitter();
    const exits: number[] = [];
    return { proc: Object.assign(emitter, { exit: ((code: number) => void exits.push(code)) as never }), exits };
  }

  it('closes once on SIGTERM or SIGINT and exits 0 when done', async () => {
    const { proc, exits } = fakeProcess();
    let closes = 0;
    const log: string[] = [];
    handleShutdownSignals({ name: 'test', graceMs: 1_000, close: async () => void closes++, process: proc as never, log: (m) => log.push(m) });
    proc.emit('SIGTERM');
    proc.emit('SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(closes).toBe(1);
    expect(exits).toEqual([0]);
    expect(log[0]).toMatch(/SIGTERM received; finishing requests in flight \(up to 1000 ms\)/);
  });

  it('exits 1 when the close fails, or takes longer than the grace period plus the margin', async () => {
    const failing = fakeProcess();
    handleShutdownSignals({ name: 'test', graceMs: 10, close: () => Promise.reject(new Error('store')), process: failing.proc as never, log: () => undefined });
    failing.proc.emit('SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(failing.exits).toEqual([1]);

    const stuck = fakeProcess();
    handleShutdownSignals({ name: 'test', graceMs: 50, marginMs: 50, close: () => new Promise(() => undefined), process: stuck.proc as never, log: () => undefined });
    stuck.proc.emit('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(stuck.exits).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stuck.exits).toEqual([1]);
  });
});
