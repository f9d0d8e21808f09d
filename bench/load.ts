import autocannon from 'autocannon';

/** One request the load generator sends: a fresh body and headers each time (nonces, varying persons). */
export interface BenchRequest {
  body: string;
  headers: Record<string, string>;
}

export interface LoadSpec {
  /** Full URL of the GraphQL endpoint (127.0.0.1 only). */
  url: string;
  connections: number;
  durationS: number;
  next(): BenchRequest;
  /** Checks one response body; every `checkEvery`-th response is checked. */
  check(body: string): boolean;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  /** Completed requests per second over the measured run. */
  rps: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  /** Responses that were checked, and how many of them were not what the scenario expects. */
  checked: number;
  invalid: number;
}

const CHECK_EVERY = 25;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[index]! * 100) / 100;
}

/**
 * Drives `spec.url` with autocannon for `durationS` seconds over `connections` keep-alive
 * connections. Latencies are taken from every response (autocannon's own histogram has
 * no p95); every 25th body is checked so that a scenario that silently fails (401, errors
 * where data is expected) cannot pass for a fast one.
 */
export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const url = new URL(spec.url);
  if (url.hostname !== '127.0.0.1') throw new Error(`the benchmark drives 127.0.0.1 only, not ${url.hostname}`);
  const latencies: number[] = [];
  let seen = 0;
  let checked = 0;
  let invalid = 0;
  let finish!: (error: Error | null, result: autocannon.Result) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = (error, result) => (error ? reject(error) : resolve(result));
  });
  const instance = autocannon({
    url: `${url.origin}`,
    connections: spec.connections,
    duration: spec.durationS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: url.pathname,
        setupRequest: (request) => {
          const next = spec.next();
          return { ...request, body: next.body, headers: { 'content-type': 'application/json', ...next.headers } };
        },
        onResponse: (status, body) => {
          if (status !== 200) return;
          if (++seen % CHECK_EVERY !== 0) return;
          checked++;
          if (!spec.check(body)) invalid++;
        },
      },
    ],
  }, (error, result) => finish(error, result));
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    latencies.push(responseTime);
  });
  const result = await done;
  return mergeRuns([{ requests: result.requests.total, durationS: result.duration, latencies, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts, checked, invalid }]);
}

/** One autocannon run before summary: what merging rounds of the same scenario needs. */
interface RawRun {
  requests: number;
  durationS: number;
  latencies: number[];
  non2xx: number;
  errors: number;
  timeouts: number;
  checked: number;
  invalid: number;
}

const RAW = Symbol('raw');

/** Adds up runs of one scenario (rounds): requests over total time, percentiles over all latencies. */
export function mergeRuns(runs: ReadonlyArray<RawRun | LoadResult>): LoadResult {
  const raws = runs.map((run) => ('latencies' in run ? run : (run as LoadResult & { [RAW]: RawRun })[RAW]));
  const latencies = raws.flatMap((r) => r.latencies);
  const sorted = Float64Array.from(latencies).sort();
  const sum = latencies.reduce((a, b) => a + b, 0);
  const total = <K extends keyof RawRun>(key: K) => raws.reduce((acc, r) => acc + (r[key] as number), 0);
  const requests = total('requests');
  const durationS = total('durationS');
  const merged: LoadResult = {
    requests,
    durationS,
    rps: Math.round((requests / durationS) * 10) / 10,
    latencyMs: {
      p50: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      p99: percentile(sorted, 99),
      mean: latencies.length > 0 ? Math.round((sum / latencies.length) * 100) / 100 : 0,
      max: sorted.length > 0 ? Math.round(sorted[sorted.length - 1]! * 100) / 100 : 0,
    },
    non2xx: total('non2xx'),
    errors: total('errors'),
    timeouts: total('timeouts'),
    checked: total('checked'),
    invalid: total('invalid'),
  };
  // Kept off the JSON (a symbol), so rounds can be merged again.
  Object.defineProperty(merged, RAW, { value: { ...raws[0]!, requests, durationS, latencies, non2xx: merged.non2xx, errors: merged.errors, timeouts: merged.timeouts, checked: merged.checked, invalid: merged.invalid }, enumerable: false });
  return merged;
}
