import type { AccessRecordBatch } from '../../lib/access-log/wire';
import { MAX_BATCHES_PER_POST, MAX_RECORDS_PER_POST } from '../../lib/access-log/wire';
import { DEMO_V_NUMBERS } from '../../lib/demo/world';
import { NonceCache, signRequest, verifyRequest } from '../../lib/identity/signing';
import { AccessLogUnavailable, GATEWAY_SERVICE_IDENTITY, type AccessLogEndpoint } from '../../gateway/access-log/client';
import { AccessLogWriter, type CoalescingOptions } from '../../gateway/access-log/coalescing-writer';
import { createAccessLogMetrics } from '../../gateway/observability/access-log-metrics';
import { createMetricsRegistry } from '../../lib/observability/metrics-registry';
import { definition } from '../../subgraphs/audit';
import { verifyChain } from '../../subgraphs/audit/chain';
import { runAuditCommand } from '../../subgraphs/audit/commands';
import { deriveAccessLogKeys, subjectHash } from '../../subgraphs/audit/crypto';
import { startTestStack, type TestStack } from '../support/stack';
import { allRecords, auditStore, failingStore, newTrace, startAuditService, type AuditService } from './support';

/**
 * The gateway's side of the group commit: while a POST to the audit service is in flight,
 * the batches of further requests queue and go together in the next POST (an envelope
 * `{ batches: [...] }`), bounded per POST. Each request is answered only after the POST
 * carrying it was answered 201 (after COMMIT); a failed POST withholds for every request in
 * it; each request's own timeout holds while queued. The audit service takes the envelope
 * all-or-nothing in one transaction, each batch keeping its own trace id and actor.
 */

jest.setTimeout(120_000);

const SECRET = 'a-test-signing-secret-of-at-least-32-chars';

function batch(i: number, records = 1, actor = `user-${i}`): AccessRecordBatch {
  return {
    traceId: `4bf92f3577b34da6a3ce929d0e0e${String(i).padStart(4, '0')}`,
    actor: { subject: actor, organisation: 'medical', roles: ['medical-doctor'], audience: 'medical-professional', purpose: 'medical-care' },
    processingActivity: 'medical-care:Dossier',
    policyHash: '0123456789abcdef',
    records: Array.from({ length: records }, (_, r) => ({ vNumber: String(2044001000 + ((i + r) % 1000)), fieldsAllowed: ['Person.medicalDossier'], fieldsDenied: [] })),
  };
}

/** The batches a POST body carries: an envelope's, or the one bare batch. */
function batchesOf(body: string): AccessRecordBatch[] {
  const parsed = JSON.parse(body) as AccessRecordBatch | { batches: AccessRecordBatch[] };
  return 'batches' in parsed ? parsed.batches : [parsed];
}

/** A POST the fake audit service received and has not answered yet (or has). */
interface FakePost {
  body: string;
  headers: Record<string, string>;
  batches: AccessRecordBatch[];
  /** Answers with this status. */
  answer(status: number): void;
  /** Fails like a dropped connection. */
  drop(): void;
}

/**
 * An injected fetch that holds every POST until the test answers it. `honourAbort: false`
 * plays a transport that does not give up when told to (so that only the writer's own
 * per-request timers bound the wait).
 */
function fakeAudit(options: { honourAbort?: boolean } = {}) {
  const posts: FakePost[] = [];
  const fetch: NonNullable<AccessLogEndpoint['fetch']> = (_url, init) =>
    new Promise((resolve, reject) => {
      posts.push({
        body: init.body,
        headers: init.headers,
        batches: batchesOf(init.body),
        answer: (status) => resolve({ status, arrayBuffer: async () => new ArrayBuffer(0) }),
        drop: () => reject(new TypeError('fetch failed')),
      });
      if (options.honourAbort !== false) init.signal.addEventListener('abort', () => reject(init.signal.reason));
    });
  return { fetch, posts };
}

/** A write and whether (and how) it has settled yet. */
function track(promise: Promise<void>) {
  const state: { settled: 'no' | 'committed' | 'failed'; error?: unknown; promise: Promise<void> } = { settled: 'no', promise };
  promise.then(
    () => (state.settled = 'committed'),
    (error) => {
      state.settled = 'failed';
      state.error = error;
    },
  );
  return state;
}

const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function writerWith(fake: ReturnType<typeof fakeAudit>, timeoutMs = 5_000, options: CoalescingOptions = {}) {
  return new AccessLogWriter({ url: 'http://audit.invalid/access-records', signingSecret: () => SECRET, timeoutMs, fetch: fake.fetch }, options);
}

function verifiedIdentity(post: FakePost) {
  return verifyRequest(SECRET, post.headers, Buffer.from(post.body), { maxSkewMs: 30_000, nonces: new NonceCache(30_000) });
}

describe('the coalescing writer (fake audit endpoint)', () => {
  it('sends a lone batch at once, alone and bare, and resolves only on 201', async () => {
    const fake = fakeAudit();
    const writer = writerWith(fake);
    const one = track(writer.write(batch(1)));
    // Sent synchronously: no added latency when idle.
    expect(fake.posts).toHaveLength(1);
    expect(fake.posts[0]!.body).toBe(JSON.stringify(batch(1)));
    expect(fake.posts[0]!.headers.traceparent).toMatch(new RegExp(`^00-${batch(1).traceId}-[0-9a-f]{16}-01$`));
    expect(verifiedIdentity(fake.posts[0]!)).toEqual({ ...GATEWAY_SERVICE_IDENTITY, traceId: batch(1).traceId });
    await ticks();
    expect(one.settled).toBe('no');
    fake.posts[0]!.answer(201);
    await one.promise;
    expect(one.settled).toBe('committed');
  });

  it('queues the batches that arrive while a POST is in flight and sends them together in the next, each answered after that POST', async () => {
    const fake = fakeAudit();
    const writer = writerWith(fake);
    const first = track(writer.write(batch(0)));
    const rest = Array.from({ length: 10 }, (_, i) => track(writer.write(batch(i + 1))));
    expect(fake.posts).toHaveLength(1);
    expect(writer.queued).toBe(10);

    fake.posts[0]!.answer(201);
    await ticks();
    expect(first.settled).toBe('committed');
    // The queue left in one POST, in arrival order, as an envelope...
    expect(fake.posts).toHaveLength(2);
    const second = fake.posts[1]!;
    expect(JSON.parse(second.body)).toEqual({ batches: Array.from({ length: 10 }, (_, i) => batch(i + 1)) });
    // ...signed and traced under the first batch's trace id.
    expect(second.headers.traceparent).toContain(`00-${batch(1).traceId}-`);
    expect(verifiedIdentity(second)).toEqual({ ...GATEWAY_SERVICE_IDENTITY, traceId: batch(1).traceId });
    // None of them is released before the POST that carries it is answered.
    await ticks();
    expect(rest.map((r) => r.settled)).toEqual(Array(10).fill('no'));
    second.answer(201);
    await Promise.all(rest.map((r) => r.promise));
    expect(rest.map((r) => r.settled)).toEqual(Array(10).fill('committed'));
    expect(writer.queued).toBe(0);
    expect(writer.postsInFlight).toBe(0);
  });

  it('with two in flight, sends the first two alone and coalesces the rest', async () => {
    const fake = fakeAudit();
    const writer = writerWith(fake, 5_000, { maxInFlight: 2 });
    const writes = Array.from({ length: 7 }, (_, i) => track(writer.write(batch(i))));
    expect(fake.posts.map((p) => p.batches.length)).toEqual([1, 1]);
    fake.posts[1]!.answer(201);
    await ticks();
    expect(writes.map((w) => w.settled)).toEqual(['no', 'committed', 'no', 'no', 'no', 'no', 'no']);
    expect(fake.posts.map((p) => p.batches.map((b) => b.traceId))).toEqual([[batch(0).traceId], [batch(1).traceId], [2, 3, 4, 5, 6].map((i) => batch(i).traceId)]);
    fake.posts[0]!.answer(201);
    fake.posts[2]!.answer(201);
    await Promise.all(writes.map((w) => w.promise));
  });

  it('fails every request of a failed POST with AccessLogUnavailable, and later requests succeed again', async () => {
    const fake = fakeAudit();
    const writer = writerWith(fake);
    const first = track(writer.write(batch(0)));
    const queued = Array.from({ length: 5 }, (_, i) => track(writer.write(batch(i + 1))));
    fake.posts[0]!.answer(503);
    await ticks();
    expect(first.settled).toBe('failed');
    expect(first.error).toEqual(new AccessLogUnavailable('status 503'));
    expect(fake.posts[1]!.batches).toHaveLength(5);
    fake.posts[1]!.drop();
    await ticks();
    for (const write of queued) {
      expect(write.settled).toBe('failed');
      expect(write.error).toBeInstanceOf(AccessLogUnavailable);
      expect((write.error as AccessLogUnavailable).reason).toBe('network');
    }
    // The writer goes on: the next request is sent at once and committed.
    const after = track(writer.write(batch(9)));
    expect(fake.posts).toHaveLength(3);
    expect(fake.posts[2]!.batches).toEqual([batch(9)]);
    fake.posts[2]!.answer(201);
    await after.promise;
    expect(after.settled).toBe('committed');
  });

  it('bounds each request by its own timeout while queued: it is withheld and never sent', async () => {
    // A transport that ignores the abort: only the per-request timers bound the wait.
    const fake = fakeAudit({ honourAbort: false });
    const writer = writerWith(fake, 200);
    const started = performance.now();
    const inFlight = track(writer.write(batch(0)));
    await sleep(50);
    const queued = track(writer.write(batch(1)));
    expect(writer.queued).toBe(1);

    await expect(inFlight.promise).rejects.toEqual(new AccessLogUnavailable('timeout'));
    await expect(queued.promise).rejects.toEqual(new AccessLogUnavailable('timeout'));
    const waited = performance.now() - started;
    expect(waited).toBeGreaterThanOrEqual(240);
    expect(waited).toBeLessThan(1_000);
    // Timed out in the queue: taken out of it.
    expect(writer.queued).toBe(0);

    // The hung POST finally commits: too late for its request, which stays withheld (logged
    // but withheld is safe). The next POST does not carry the batch that timed out queued.
    const later = track(writer.write(batch(2)));
    fake.posts[0]!.answer(201);
    await ticks();
    expect(inFlight.settled).toBe('failed');
    expect(fake.posts).toHaveLength(2);
    expect(fake.posts[1]!.batches).toEqual([batch(2)]);
    expect(fake.posts.flatMap((p) => p.batches).map((b) => b.traceId)).not.toContain(batch(1).traceId);
    fake.posts[1]!.answer(201);
    await later.promise;
  });

  it('gives up on a POST at the deadline of the most patient request in it', async () => {
    const fake = fakeAudit();
    const writer = writerWith(fake, 150);
    const started = performance.now();
    const one = track(writer.write(batch(0)));
    await expect(one.promise).rejects.toMatchObject({ reason: 'timeout' });
    await ticks();
    expect(writer.postsInFlight).toBe(0);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('respects the per-POST bounds: batches, records and bytes', async () => {
    // Batches: 150 queued behind one in flight go as 64, 64, 22.
    let fake = fakeAudit();
    let writer = writerWith(fake, 5_000, { maxBatchesPerPost: 10_000 }); // clamped to the wire bound
    let writes = Array.from({ length: 151 }, (_, i) => track(writer.write(batch(i))));
    for (let i = 0; i < 4; i++) {
      fake.posts[i]!.answer(201);
      await ticks();
    }
    expect(fake.posts.map((p) => p.batches.length)).toEqual([1, MAX_BATCHES_PER_POST, MAX_BATCHES_PER_POST, 22]);
    await Promise.all(writes.map((w) => w.promise));
    expect(fake.posts.flatMap((p) => p.batches).map((b) => b.traceId)).toEqual(Array.from({ length: 151 }, (_, i) => batch(i).traceId));

    // Records: batches of 1,000 records go four to a POST (4,000 records).
    fake = fakeAudit();
    writer = writerWith(fake);
    writes = Array.from({ length: 10 }, (_, i) => track(writer.write(batch(i, 1_000))));
    for (let i = 0; i < 4; i++) {
      fake.posts[i]!.answer(201);
      await ticks();
    }
    expect(fake.posts.map((p) => p.batches.length)).toEqual([1, 4, 4, 1]);
    for (const post of fake.posts) expect(post.batches.reduce((sum, b) => sum + b.records.length, 0)).toBeLessThanOrEqual(MAX_RECORDS_PER_POST);
    await Promise.all(writes.map((w) => w.promise));

    // Bytes: no coalesced body over the bound; a lone batch over it still goes, alone.
    fake = fakeAudit();
    writer = writerWith(fake, 5_000, { maxBytesPerPost: 1_000 });
    const big = batch(99, 20);
    expect(JSON.stringify(big).length).toBeGreaterThan(1_000);
    writes = [big, ...Array.from({ length: 12 }, (_, i) => batch(i))].map((b) => track(writer.write(b)));
    for (let i = 0; fake.posts.length > i; i++) {
      fake.posts[i]!.answer(201);
      await ticks();
    }
    await Promise.all(writes.map((w) => w.promise));
    expect(fake.posts[0]!.batches).toEqual([big]);
    for (const post of fake.posts.slice(1)) expect(Buffer.byteLength(post.body)).toBeLessThanOrEqual(1_000);
    expect(fake.posts.length).toBeGreaterThan(2);
    expect(fake.posts.slice(1).some((p) => p.batches.length > 1)).toBe(true);
  });
});

describe('the audit service takes coalesced POSTs', () => {
  let service: AuditService;
  beforeAll(async () => {
    service = await startAuditService();
  });
  afterAll(async () => {
    await service?.close();
  });

  async function post(body: unknown) {
    const text = JSON.stringify(body);
    const response = await fetch(`${service.baseUrl}/access-records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signRequest(service.signingSecret, GATEWAY_SERVICE_IDENTITY, text) },
      body: text,
    });
    return { status: response.status, body: (await response.json()) as any };
  }
  const count = async () => Number((await service.store.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.access_record'))[0]!.n);
  const rows = async () => service.store.query<{ id: string | number; trace_id: string; actor_subject: string; recorded_at: Date | string }>('SELECT id, trace_id, actor_subject, recorded_at FROM audit.access_record ORDER BY id');

  it('commits an envelope in one transaction, each batch with its own trace id and actor, and answers the ids per batch', async () => {
    const before = await count();
    const statements = service.store.stats.statements;
    const batches = [batch(101, 2, 'doctor-a'), batch(102, 1, 'doctor-b'), batch(103, 3, 'doctor-c')];
    const response = await post({ batches });
    expect(response).toEqual({
      status: 201,
      body: {
        appended: 6,
        batches: [
          { first: before + 1, last: before + 2 },
          { first: before + 3, last: before + 3 },
          { first: before + 4, last: before + 6 },
        ],
      },
    });
    // One transaction: the lock, the last record, one INSERT (three alone would be nine).
    expect(service.store.stats.statements - statements).toBe(3);
    const written = (await rows()).slice(before);
    expect(written.map((r) => [r.trace_id, r.actor_subject])).toEqual([
      [batch(101).traceId, 'doctor-a'],
      [batch(101).traceId, 'doctor-a'],
      [batch(102).traceId, 'doctor-b'],
      [batch(103).traceId, 'doctor-c'],
      [batch(103).traceId, 'doctor-c'],
      [batch(103).traceId, 'doctor-c'],
    ]);
    expect(new Set(written.map((r) => new Date(r.recorded_at).getTime())).size).toBe(1);
    expect(await verifyChain(service.store)).toEqual({ intact: true, count: before + 6 });
  });

  const valid = batch(200);
  const thousand = batch(300, 1_000);
  it.each([
    ['no batches', { batches: [] }, `batches: must be a list of 1 to ${MAX_BATCHES_PER_POST} batches`],
    ['batches that are not a list', { batches: '2044001001' }, `batches: must be a list of 1 to ${MAX_BATCHES_PER_POST} batches`],
    ['too many batches', { batches: Array(MAX_BATCHES_PER_POST + 1).fill(valid) }, `batches: must be a list of 1 to ${MAX_BATCHES_PER_POST} batches`],
    ['too many records in all', { batches: [thousand, thousand, thousand, thousand, valid] }, `batches: must hold at most ${MAX_RECORDS_PER_POST} records in all`],
    ['an unknown key beside the batches', { batches: [valid], extra: 1 }, 'body: unknown key "extra"'],
    ['a V-number as a key', { batches: [valid], 2044001001: 1 }, 'body: unknown key "##########"'],
    ['a batch that is not an object', { batches: [valid, '2044001001'] }, 'batches[1]: must be an object'],
    ['a malformed V-number in one batch', { batches: [valid, { ...valid, records: [{ ...valid.records[0], vNumber: '20440010' }] }] }, 'batches[1].records[0].vNumber: must be a V-number of 10 digits or null'],
    ['a malformed trace id in one batch', { batches: [{ ...valid, traceId: '2044001001' }, valid] }, 'batches[0].traceId: malformed'],
    ['an unknown key in one batch', { batches: [{ ...valid, extra: 1 }] }, 'batches[0]: unknown key "extra"'],
  ])('answers 400 for an envelope with %s, naming the problem, echoing no value and writing nothing', async (_name, body, problem) => {
    const before = await count();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
    expect(response.body.error.problems).toContain(problem);
    const text = JSON.stringify(response.body);
    expect(text).not.toContain('20440010');
    expect(text).not.toContain('2044001');
    // All or nothing: the valid batches of a refused envelope are not written either.
    expect(await count()).toBe(before);
  });

  it('answers 503 for an envelope the store cannot commit, echoing nothing', async () => {
    const failing = failingStore();
    const route = definition.httpRoutes!(failing, { env: { ACCESS_LOG_KEY: service.accessLogKey } })['/access-records']!;
    const reply = await route({ identity: GATEWAY_SERVICE_IDENTITY, body: { batches: [batch(1), batch(2)] } });
    expect(reply.status).toBe(503);
    expect((reply.body as any).error.code).toBe('ACCESS_LOG_UNAVAILABLE');
    expect(JSON.stringify(reply.body)).not.toContain('2044001');
  });

  it('with the real writer: concurrent writes share POSTs, each resolves after its commit, one record set per trace id', async () => {
    const posts: number[] = [];
    const writer = new AccessLogWriter(
      { url: `${service.baseUrl}/access-records`, signingSecret: () => service.signingSecret, timeoutMs: 10_000 },
      { onPost: (batches) => posts.push(batches) },
    );
    const before = await count();
    const batches = Array.from({ length: 40 }, (_, i) => batch(400 + i, 1 + (i % 3), `writer-${i}`));
    // Each write, once resolved, finds its records committed.
    const committed = await Promise.all(
      batches.map(async (b) => {
        await writer.write(b);
        const found = await service.store.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.access_record WHERE trace_id = $1', [b.traceId]);
        return Number(found[0]!.n);
      }),
    );
    expect(committed).toEqual(batches.map((b) => b.records.length));
    expect(posts.reduce((sum, n) => sum + n, 0)).toBe(40);
    expect(posts[0]).toBe(1);
    expect(posts.length).toBeLessThan(40);
    const written = (await rows()).slice(before);
    for (const b of batches) {
      const mine = written.filter((r) => r.trace_id === b.traceId);
      expect(mine).toHaveLength(b.records.length);
      expect(new Set(mine.map((r) => r.actor_subject))).toEqual(new Set([b.actor.subject]));
    }
    expect((await verifyChain(service.store)).intact).toBe(true);
  });
});

describe('through the gateway, concurrent requests', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.close();
  });

  const DOSSIER = `query Dossier($vNumber: String!) { person(vNumber: $vNumber) { name { family } medicalDossier { conditions { code } } } }`;

  it('each leave exactly one record set under their own trace id, and the chain verifies', async () => {
    const metrics = async () => {
      const text = await (await fetch(stack.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
      const value = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return { posts: value('chain_access_log_batches_per_post_count'), batches: value('chain_access_log_batches_per_post_sum'), failures: value('chain_access_log_write_failures_total') };
    };
    const before = (await allRecords(stack)).length;
    const metricsBefore = await metrics();
    const people = [DEMO_V_NUMBERS.consentGiven, DEMO_V_NUMBERS.consentRefused, DEMO_V_NUMBERS.reception, DEMO_V_NUMBERS.stale];
    const requests = Array.from({ length: 32 }, (_, i) => {
      // Doctors are released the dossier (of a person who has one); transport officers are
      // denied it, of anyone: both are recorded.
      const doctor = i % 2 === 0;
      return { trace: newTrace(), vNumber: doctor ? DEMO_V_NUMBERS.consentGiven : people[(i >> 1) % people.length]!, role: doctor ? 'medical-doctor' : 'transport-officer' };
    });
    const responses = await Promise.all(
      requests.map((r) => stack.query(DOSSIER, { role: r.role, variables: { vNumber: r.vNumber }, headers: { traceparent: r.trace.traceparent } })),
    );
    for (const [i, response] of responses.entries()) {
      expect(response.status).toBe(200);
      expect((response.body.errors ?? []).filter((e) => e.extensions?.code === 'ACCESS_LOG_UNAVAILABLE')).toEqual([]);
      if (requests[i]!.role === 'medical-doctor') expect(response.body.data?.person.medicalDossier).not.toBeNull();
    }

    const records = (await allRecords(stack)).slice(before);
    expect(records).toHaveLength(requests.length);
    const keys = deriveAccessLogKeys(stack.accessLogKey);
    for (const r of requests) {
      const mine = records.filter((record) => record.trace_id === r.trace.traceId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({
        data_subject_hash: subjectHash(keys, r.vNumber),
        actor_subject: `dev-${r.role}`,
        actor_roles: [r.role],
      });
      if (r.role === 'medical-doctor') expect(mine[0]!.fields_allowed).toContain('Person.medicalDossier');
      else expect(mine[0]!.fields_denied.map((d) => d.field)).toEqual(['Person.medicalDossier']);
    }

    // Every request's batch went in some POST, none twice, none failed; and they shared POSTs.
    const metricsAfter = await metrics();
    expect(metricsAfter.batches - metricsBefore.batches).toBe(requests.length);
    expect(metricsAfter.posts - metricsBefore.posts).toBeLessThan(requests.length);
    expect(metricsAfter.failures).toBe(0);

    // `npm run audit -- verify`, as the CLI runs it.
    expect(await verifyChain(auditStore(stack))).toEqual({ intact: true, count: before + requests.length });
    const out: string[] = [];
    const code = await runAuditCommand(['verify'], { store: auditStore(stack), keys, io: { out: (line) => out.push(line), err: (line) => out.push(line) } });
    expect(code).toBe(0);
    expect(out.join('\n')).toContain(`access log intact: ${before + requests.length} records`);
  });
});

describe('the batches-per-POST metric', () => {
  it('observes each POST with the number of requests it carried', async () => {
    const registry = createMetricsRegistry('gateway');
    const metrics = createAccessLogMetrics(registry);
    metrics.posted!(1, 1);
    metrics.posted!(12, 30);
    const text = await registry.metrics();
    expect(text).toMatch(/^chain_access_log_batches_per_post_count\{[^}]*\} 2$/m);
    expect(text).toMatch(/^chain_access_log_batches_per_post_sum\{[^}]*\} 13$/m);
    expect(text).toMatch(/^chain_access_log_batches_per_post_bucket\{le="1",[^}]*\} 1$/m);
  });
});
