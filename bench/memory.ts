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
