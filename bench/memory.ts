import { readFileSync } from 'node:fs';
import { childPids } from './processes';

/** Resident memory of a process tree (a gateway, or a cluster primary with its workers), in MiB. */
export interface MemorySample {
  /** Seconds since sampling started. */
  t: number;
  rssMiB: number;
  /** Sum of each process's own peak (VmHWM). */
  hwmMiB: number;
  processes: number;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** Reads RSS and peak RSS of `pid` and, with `includeChildren`, of its child processes. */
export function readMemory(pid: number, includeChildren: boolean): Omit<MemorySample, 't'> {
  const pids = includeChildren ? [pid, ...childPids(pid)] : [pid];
  let rss = 0;
  let hwm = 0;
  for (const p of pids) {
    rss += statusKiB(p, 'VmRSS');
    hwm += statusKiB(p, 'VmHWM');
  }
  return { rssMiB: Math.round(rss / 102.4) / 10, hwmMiB: Math.round(hwm / 102.4) / 10, processes: pids.length };
}

/**
 * Samples a process tree's memory every `intervalMs` from /proc, so the report can show
 * whether memory is flat over the run (after warm-up vs at the end) besides its peak.
 */
export class MemorySampler {
  readonly samples: MemorySample[] = [];
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  /** Marks (e.g. "after warm-up") at sample indices. */
  readonly marks: Record<string, MemorySample> = {};

  constructor(private readonly pid: number, private readonly includeChildren: boolean, private readonly intervalMs = 500) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  sample(): MemorySample {
    const sample = { t: Math.round((Date.now() - this.started) / 100) / 10, ...readMemory(this.pid, this.includeChildren) };
    if (sample.processes > 0 && sample.rssMiB > 0) this.samples.push(sample);
    return sample;
  }

  mark(name: string): void {
    this.marks[name] = this.sample();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.sample();
  }

  summary(): { afterWarmupMiB: number | null; endMiB: number | null; peakRssMiB: number; peakHwmMiB: number; growthMiB: number | null; samples: number } {
    const after = this.marks['after-warmup']?.rssMiB ?? null;
    const end = this.marks['end']?.rssMiB ?? this.samples[this.samples.length - 1]?.rssMiB ?? null;
    return {
      afterWarmupMiB: after,
      endMiB: end,
      peakRssMiB: Math.max(0, ...this.samples.map((s) => s.rssMiB)),
      peakHwmMiB: Math.max(0, ...this.samples.map((s) => s.hwmMiB)),
      growthMiB: after !== null && end !== null ? Math.round((end - after) * 10) / 10 : null,
      samples: this.samples.length,
    };
  }
}

/** One third of a soak: the lowest and highest value sampled in it, and how many samples it holds. */
export interface Third {
  min: number | null;
  max: number | null;
  samples: number;
}

/**
 * Splits the samples taken between `from` and `to` (inclusive, same clock as `t`) into three
 * equal spans of time and gives each one's minimum and maximum of `value`. Under load the
 * memory of a V8 process is a saw-tooth: what is left after the collections (the minimum of
 * a span that holds one) grows when something leaks, the peaks do not tell.
 */
export function thirdsOf<S extends { t: number }>(samples: readonly S[], from: number, to: number, value: (s: S) => number): [Third, Third, Third] {
  const span = (to - from) / 3;
  const result = [0, 1, 2].map((k) => {
    const start = from + span * k;
    const end = k === 2 ? to : from + span * (k + 1);
    // A sample on a boundary belongs to the earlier third only.
    const values = samples.filter((s) => (k === 0 ? s.t >= start : s.t > start) && s.t <= end).map(value);
    return values.length === 0 ? { min: null, max: null, samples: 0 } : { min: Math.min(...values), max: Math.max(...values), samples: values.length };
  });
  return result as [Third, Third, Third];
}

/** Growth of the floor from the first third to the last (null when either holds no sample). */
export function floorGrowth(thirds: readonly Third[]): number | null {
  const first = thirds[0]?.min;
  const last = thirds[thirds.length - 1]?.min;
  return first === null || first === undefined || last === null || last === undefined ? null : last - first;
}

/** What the heap sampler reads from a gateway's `GET /metrics` (prom-client collectDefaultMetrics). */
export interface HeapReading {
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  /**
   * nodejs_heap_space_size_used_bytes{space="old"}: the old generation, which only a major
   * collection makes smaller (undefined when not exposed).
   */
  oldSpaceUsedBytes?: number;
  /**
   * nodejs_gc_duration_seconds_count{kind="major"}: major collections so far. A lower bound:
   * prom-client observes only the first entry of each batch the GC observer delivers, and a
   * major collection usually comes in a batch behind minor ones.
   */
  majorGcs: number;
}

function metricValue(text: string, name: string, labels?: string): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    let value: string;
    if (rest.startsWith('{')) {
      const close = rest.indexOf('}');
      if (labels !== undefined && !rest.slice(1, close).split(',').includes(labels)) continue;
      value = rest.slice(close + 1).trim();
    } else if (rest.startsWith(' ')) {
      if (labels !== undefined) continue;
      value = rest.trim();
    } else {
      continue; // a longer name with this prefix
    }
    const number = Number(value.split(' ')[0]);
    if (Number.isFinite(number)) return number;
  }
  return undefined;
}

/** Reads heap used, heap total, external memory and the major GC count from a Prometheus text exposition; undefined without heap figures. */
export function parseHeapMetrics(text: string): HeapReading | undefined {
  const heapUsedBytes = metricValue(text, 'nodejs_heap_size_used_bytes');
  const heapTotalBytes = metricValue(text, 'nodejs_heap_size_total_bytes');
  if (heapUsedBytes === undefined || heapTotalBytes === undefined) return undefined;
  return {
    heapUsedBytes,
    heapTotalBytes,
    externalBytes: metricValue(text, 'nodejs_external_memory_bytes') ?? 0,
    oldSpaceUsedBytes: metricValue(text, 'nodejs_heap_space_size_used_bytes', 'space="old"'),
    majorGcs: metricValue(text, 'nodejs_gc_duration_seconds_count', 'kind="major"') ?? 0,
  };
}

export interface HeapSample {
  /** Seconds since sampling started. */
  t: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  /** The old generation's used size (null when /metrics does not expose it). */
  oldSpaceMiB: number | null;
  /** prom-client's major GC counter (a lower bound, see HeapReading). */
  majorGcs: number;
}

const MiB = 1024 * 1024;

/**
 * Samples a single gateway process's V8 heap every `intervalMs` through its `GET /metrics`
 * (one request at a time; a scrape still in flight skips the tick). In cluster mode
 * /metrics answers from whichever worker takes the connection, so this is for one process.
 */
export class HeapSampler {
  readonly samples: HeapSample[] = [];
  /** Scrapes sent (the requests this adds to the gateway's load) and those that failed. */
  requests = 0;
  failures = 0;
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly metricsUrl: string, private readonly intervalMs = 500) {}

  /** Seconds since the sampler was created, on the samples' clock. */
  now(): number {
    return (Date.now() - this.started) / 1000;
  }

  start(): this {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    return this;
  }

  private tick(): void {
    if (this.inFlight) return;
    this.inFlight = this.scrape().finally(() => (this.inFlight = undefined));
  }

  private async scrape(): Promise<void> {
    this.requests++;
    const t = this.now();
    try {
      const response = await fetch(this.metricsUrl, { signal: AbortSignal.timeout(2_000) });
      const reading = response.status === 200 ? parseHeapMetrics(await response.text()) : undefined;
      if (!reading) {
        this.failures++;
        return;
      }
      this.samples.push({
        t: Math.round(t * 10) / 10,
        heapUsedMiB: Math.round((reading.heapUsedBytes / MiB) * 10) / 10,
        heapTotalMiB: Math.round((reading.heapTotalBytes / MiB) * 10) / 10,
        oldSpaceMiB: reading.oldSpaceUsedBytes === undefined ? null : Math.round((reading.oldSpaceUsedBytes / MiB) * 10) / 10,
        majorGcs: reading.majorGcs,
      });
    } catch {
      this.failures++;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.inFlight;
  }
}

/** Smallest fall of the old generation between two samples that is read as a major collection (MiB). */
const OLD_SPACE_DROP_MiB = 1;

/**
 * Major collections seen within each third, the larger of two readings: the increase of
 * prom-client's counter (a lower bound) and the number of falls of the old generation
 * between consecutive samples (only a major collection frees old space; a fall spread over
 * consecutive samples counts once). A third with none has no post-major-GC trough.
 */
export function majorGcsPerThird(samples: readonly HeapSample[], from: number, to: number): [number, number, number] {
  const span = (to - from) / 3;
  const counterAt = (t: number) => {
    // The counter's value at the last sample taken at or before t (the first sample when none is).
    let value = samples[0]?.majorGcs ?? 0;
    for (const s of samples) {
      if (s.t > t) break;
      value = s.majorGcs;
    }
    return value;
  };
  return [0, 1, 2].map((k) => {
    const start = from + span * k;
    const end = k === 2 ? to : from + span * (k + 1);
    const counted = counterAt(end) - counterAt(start);
    let falls = 0;
    let falling = false;
    for (let i = 1; i < samples.length; i++) {
      const before = samples[i - 1]!.oldSpaceMiB;
      const after = samples[i]!.oldSpaceMiB;
      const fell = before !== null && after !== null && after < before - OLD_SPACE_DROP_MiB;
      if (fell && !falling && samples[i]!.t > start && samples[i]!.t <= end) falls++;
      falling = fell;
    }
    return Math.max(counted, falls);
  }) as [number, number, number];
}
