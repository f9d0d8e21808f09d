import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { floorGrowth, majorGcsPerThird, parseHeapMetrics, thirdsOf, type HeapSample } from '../../bench/memory';
import { replayKey, startReplay, totalOf, type Replay } from '../../bench/replay';
import { createMetricsRegistry, exposition } from '../../lib/observability/metrics-registry';

/**
 * The pure and in-process parts of `npm run bench`'s gateway-capacity scenarios
 * (bench/replay.ts) and memory evidence (bench/memory.ts): what is recorded and replayed,
 * what misses, and how the post-GC floor is read from samples.
 */

function post(base: string, path: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    // Two writes: the replay server must hash a body that arrives in pieces as it hashes the whole.
    req.write(body.slice(0, 7));
    req.end(body.slice(7));
  });
}

describe('replayKey', () => {
  it('is the same for the same bytes and differs when the variables differ', () => {
    const a = JSON.stringify({ query: 'query($v:String!){person(vNumber:$v){vNumber}}', variables: { v: '1000000001' } });
    const b = JSON.stringify({ query: 'query($v:String!){person(vNumber:$v){vNumber}}', variables: { v: '1000000002' } });
    expect(replayKey(a)).toBe(replayKey(Buffer.from(a)));
    expect(replayKey(a)).not.toBe(replayKey(b));
  });
});

describe('replay servers', () => {
  let upstream: Server;
  let upstreamBase: string;
  let replay: Replay;
  const seen: Array<{ path: string; body: string; signature: string | undefined }> = [];
  let flaky = 0;

  beforeAll(async () => {
    // A stand-in subgraph: echoes the variables; `flaky` answers differently each time; `fail` answers 500.
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        seen.push({ path: req.url ?? '', body, signature: req.headers['x-signature'] as string | undefined });
        const variables = (JSON.parse(body) as { variables: { v: string } }).variables;
        if (variables.v === 'fail') {
          res.writeHead(500, { 'content-type': 'application/json' });
          return res.end('{"errors":[{"message":"boom"}]}');
        }
        const answer = JSON.stringify({ data: { person: { vNumber: variables.v, n: variables.v === 'flaky' ? flaky++ : 0 } } });
        res.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8' });
        res.end(answer);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', () => resolve()));
    upstreamBase = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    replay = await startReplay({ upstreams: { dtv: upstreamBase, audit: upstreamBase }, ports: { dtv: 0, audit: 0 } });
  });
  afterAll(async () => {
    await replay.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const body = (v: string) => JSON.stringify({ query: 'query($v:String!){person(vNumber:$v){vNumber}}', variables: { v } });

  it('records through the real subgraph, then answers from the recording without it', async () => {
    const recorded = await post(replay.bases.dtv!, '/graphql', body('1000000001'), { 'x-signature': 'sig-1' });
    expect(recorded.status).toBe(200);
    expect(JSON.parse(recorded.body)).toEqual({ data: { person: { vNumber: '1000000001', n: 0 } } });
    // Forwarded as sent: the same path, body and signature headers.
    expect(seen.at(-1)).toEqual({ path: '/graphql', body: body('1000000001'), signature: 'sig-1' });

    replay.setMode('replay');
    const forwardedBefore = seen.length;
    // A fresh signature (nonce) with the same body: the same answer; the upstream is not asked.
    const replayed = await post(replay.bases.dtv!, '/graphql', body('1000000001'), { 'x-signature': 'sig-2' });
    expect(replayed).toEqual(recorded);
    expect(seen.length).toBe(forwardedBefore);

    const missed = await post(replay.bases.dtv!, '/graphql', body('1000000002'));
    expect(missed.status).toBe(502);
    const stats = replay.stats();
    expect(stats.subgraphs.dtv).toMatchObject({ recorded: 1, forwarded: 1, hits: 1, misses: 1 });
    expect(stats.samples.find((s) => s.kind === 'miss')?.body).toBe(body('1000000002'));
    replay.setMode('record');
  });

  it('answers the access log 201 without forwarding or storing, in both modes', async () => {
    const before = seen.length;
    for (const mode of ['record', 'replay'] as const) {
      replay.setMode(mode);
      const answer = await post(replay.bases.audit!, '/access-records', JSON.stringify({ traceId: mode, records: [] }));
      expect(answer.status).toBe(201);
    }
    replay.setMode('record');
    expect(seen.length).toBe(before);
    expect(replay.stats().subgraphs.audit).toMatchObject({ accessRecords: 2, recorded: 0 });
  });

  it('counts a recorded request whose real answer changed, keeps the first, and records no failures', async () => {
    const first = await post(replay.bases.dtv!, '/graphql', body('flaky'));
    await post(replay.bases.dtv!, '/graphql', body('flaky'));
    const failed = await post(replay.bases.dtv!, '/graphql', body('fail'));
    expect(failed.status).toBe(500);
    const stats = replay.stats();
    expect(stats.subgraphs.dtv!.conflicts).toBe(1);
    expect(stats.subgraphs.dtv!.upstreamFailures).toBe(1);
    expect(totalOf(stats, 'upstreamFailures')).toBe(1);

    replay.setMode('replay');
    expect(await post(replay.bases.dtv!, '/graphql', body('flaky'))).toEqual(first);
    expect((await post(replay.bases.dtv!, '/graphql', body('fail'))).status).toBe(502);
    replay.setMode('record');
  });
});

describe('soak memory: the floor per third', () => {
  // A saw-tooth: rises 10 per sample from `floor`, collected back every 5 samples.
  const sawTooth = (floorAt: (i: number) => number) => Array.from({ length: 30 }, (_, i) => ({ t: i, v: floorAt(i) + (i % 5) * 10 }));

  it('shows no growth for a flat saw-tooth, whatever its peaks', () => {
    const thirds = thirdsOf(sawTooth(() => 100), 0, 29, (s) => s.v);
    expect(thirds.map((t) => [t.min, t.max])).toEqual([[100, 140], [100, 140], [100, 140]]);
    expect(floorGrowth(thirds)).toBe(0);
  });

  it('shows the growth of the troughs when what is left after each collection grows', () => {
    const thirds = thirdsOf(sawTooth((i) => 100 + Math.floor(i / 5) * 4), 0, 29, (s) => s.v);
    expect(thirds.map((t) => t.min)).toEqual([100, 108, 116]);
    expect(floorGrowth(thirds)).toBe(16);
  });

  it('puts a boundary sample in the earlier third only, and says so when a third holds none', () => {
    const thirds = thirdsOf([{ t: 0, v: 1 }, { t: 10, v: 2 }, { t: 30, v: 3 }], 0, 30, (s) => s.v);
    expect(thirds.map((t) => t.samples)).toEqual([2, 0, 1]);
    expect(thirds[1]).toEqual({ min: null, max: null, samples: 0 });
    expect(floorGrowth(thirds)).toBe(2);
    expect(floorGrowth(thirdsOf([], 0, 30, (s: { t: number }) => s.t))).toBeNull();
  });

  it('counts the major collections that fall in each third from the GC counter', () => {
    const samples: HeapSample[] = [0, 2, 4, 6, 8, 10, 12].map((t, i) => ({ t, heapUsedMiB: 50, heapTotalMiB: 80, oldSpaceMiB: null, majorGcs: [3, 3, 4, 4, 4, 6, 7][i]! }));
    expect(majorGcsPerThird(samples, 0, 12)).toEqual([1, 0, 3]);
  });

  it('sees a major collection the counter missed where the old generation falls, once per fall', () => {
    // Old space grows by promotion and falls twice: at t=3 (over two samples) and at t=10.
    const old = [60, 70, 80, 40, 35, 45, 55, 65, 75, 85, 50, 60, 70];
    const samples: HeapSample[] = old.map((oldSpaceMiB, t) => ({ t, heapUsedMiB: oldSpaceMiB + 20, heapTotalMiB: 200, oldSpaceMiB, majorGcs: 0 }));
    expect(majorGcsPerThird(samples, 0, 12)).toEqual([1, 0, 1]);
  });
});

describe('parseHeapMetrics', () => {
  it('reads the heap figures from the /metrics exposition the gateway serves', async () => {
    const text = await exposition(createMetricsRegistry('gateway'));
    const reading = parseHeapMetrics(text);
    expect(reading).toBeDefined();
    const { heapUsed } = process.memoryUsage();
    // Collected at scrape time: within a few MiB of what the process reports now.
    expect(Math.abs(reading!.heapUsedBytes - heapUsed)).toBeLessThan(32 * 1024 * 1024);
    expect(reading!.heapTotalBytes).toBeGreaterThanOrEqual(reading!.heapUsedBytes);
    expect(reading!.majorGcs).toBeGreaterThanOrEqual(0);
    expect(reading!.oldSpaceUsedBytes).toBeGreaterThan(0);
    expect(reading!.oldSpaceUsedBytes).toBeLessThan(reading!.heapUsedBytes);
  });

  it('takes the major GC count, not another kind or a longer name with the same prefix', () => {
    const text = [
      'nodejs_heap_size_total_bytes_extra 1',
      'nodejs_heap_size_total_bytes 2000',
      'nodejs_heap_size_used_bytes 1500',
      'nodejs_gc_duration_seconds_count{kind="minor"} 40',
      'nodejs_gc_duration_seconds_count{kind="major"} 3',
    ].join('\n');
    expect(parseHeapMetrics(text)).toEqual({ heapUsedBytes: 1500, heapTotalBytes: 2000, externalBytes: 0, oldSpaceUsedBytes: undefined, majorGcs: 3 });
    const withSpaces = `${text}\nnodejs_heap_space_size_used_bytes{space="new"} 100\nnodejs_heap_space_size_used_bytes{space="old"} 900`;
    expect(parseHeapMetrics(withSpaces)?.oldSpaceUsedBytes).toBe(900);
    expect(parseHeapMetrics('process_cpu_seconds_total 1')).toBeUndefined();
  });
});
