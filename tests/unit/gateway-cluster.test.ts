/**
 * The cluster start's pure parts (scripts/start-gateway-cluster.ts): the cgroup CPU quota
 * behind the default number of workers, WEB_CONCURRENCY, and the workers' heap bound.
 * tests/performance/cluster-mode.test.ts starts the real thing.
 */
import {
  cgroupCpuQuota,
  clusterShutdownLimitMs,
  DEFAULT_WORKER_HEAP_MB,
  defaultWorkerCount,
  heapFlagMb,
  parseCfsQuota,
  parseCpuMax,
  workerCount,
  workerHeap,
} from '../../scripts/start-gateway-cluster';

/** A file system of a few files: read() as cgroupCpuQuota takes it. */
const files = (entries: Record<string, string>) => (path: string) => entries[path];

describe('cgroup v2 cpu.max', () => {
  it('reads a quota as CPUs, and "max" as none', () => {
    expect(parseCpuMax('max 100000\n')).toBeUndefined();
    expect(parseCpuMax('200000 100000\n')).toBe(2);
    expect(parseCpuMax('150000 100000')).toBe(1.5);
    expect(parseCpuMax('50000 100000')).toBe(0.5);
    expect(parseCpuMax('400000 200000')).toBe(2);
    // The period is optional when writing the file (100000 by default); reading it back always has both.
    expect(parseCpuMax('100000')).toBe(1);
  });

  it('takes anything else as no quota', () => {
    for (const text of ['', 'max', 'unlimited', '-1 100000', '0 100000', '100000 0', '1.5 100000', '100000 100000 1']) {
      expect(parseCpuMax(text)).toBeUndefined();
    }
  });

  it('cgroup v1: cpu.cfs_quota_us -1 is no quota', () => {
    expect(parseCfsQuota('-1\n', '100000\n')).toBeUndefined();
    expect(parseCfsQuota('300000\n', '100000\n')).toBe(3);
    expect(parseCfsQuota('', '100000')).toBeUndefined();
  });
});

describe('the quota of this process', () => {
  it('in a container with its own cgroup namespace: /sys/fs/cgroup/cpu.max', () => {
    const read = files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': '150000 100000\n' });
    expect(cgroupCpuQuota(read)).toEqual({ cpus: 1.5, file: '/sys/fs/cgroup/cpu.max' });
  });

  it('in a nested cgroup: the tightest quota of it and its ancestors', () => {
    const read = files({
      '/proc/self/cgroup': '0::/system.slice/gateway.service\n',
      '/sys/fs/cgroup/system.slice/gateway.service/cpu.max': '300000 100000\n',
      '/sys/fs/cgroup/system.slice/cpu.max': '200000 100000\n',
    });
    expect(cgroupCpuQuota(read)).toEqual({ cpus: 2, file: '/sys/fs/cgroup/system.slice/cpu.max' });
  });

  it('none: no file, "max", or no cgroup information at all', () => {
    expect(cgroupCpuQuota(files({ '/proc/self/cgroup': '0::/\n' }))).toBeUndefined();
    expect(cgroupCpuQuota(files({ '/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    expect(cgroupCpuQuota(files({}))).toBeUndefined();
    // Reading the real files never throws, whatever this machine has.
    expect(() => cgroupCpuQuota()).not.toThrow();
  });

  it('cgroup v1 hosts: cpu.cfs_quota_us under the cpu controller', () => {
    const read = files({
      '/proc/self/cgroup': '12:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n0::/docker/abc\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us': '100000\n',
      '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us': '100000\n',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us': '-1\n',
      '/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us': '100000\n',
    });
    expect(cgroupCpuQuota(read)).toEqual({ cpus: 1, file: '/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us' });
  });
});

describe('how many workers', () => {
  it('defaults to the CPUs available, lowered to the quota rounded up', () => {
    expect(defaultWorkerCount(8, undefined)).toBe(8);
    expect(defaultWorkerCount(8, { cpus: 2, file: 'f' })).toBe(2);
    expect(defaultWorkerCount(8, { cpus: 1.5, file: 'f' })).toBe(2);
    expect(defaultWorkerCount(8, { cpus: 0.5, file: 'f' })).toBe(1);
    // The quota never raises the count above the CPUs the process may run on.
    expect(defaultWorkerCount(2, { cpus: 4, file: 'f' })).toBe(2);
    expect(defaultWorkerCount(0, undefined)).toBe(1);
  });

  it('WEB_CONCURRENCY overrides, validated', () => {
    expect(workerCount({ WEB_CONCURRENCY: '3' }, 8, { cpus: 1, file: 'f' })).toEqual({ workers: 3, reason: 'WEB_CONCURRENCY' });
    expect(workerCount({ WEB_CONCURRENCY: '' }, 8, undefined)).toEqual({ workers: 8, reason: '8 CPUs available' });
    expect(workerCount({}, 8, { cpus: 1.5, file: '/sys/fs/cgroup/cpu.max' })).toEqual({ workers: 2, reason: '8 CPUs available, CPU quota 1.5 in /sys/fs/cgroup/cpu.max' });
    expect(() => workerCount({ WEB_CONCURRENCY: '0' }, 8, undefined)).toThrow('WEB_CONCURRENCY must be between 1 and 256, got 0');
    expect(() => workerCount({ WEB_CONCURRENCY: 'auto' }, 8, undefined)).toThrow('WEB_CONCURRENCY must be an integer, got "auto"');
  });
});

describe("the workers' heap bound", () => {
  const tsx = ['--require', '/x/tsx/dist/preflight.cjs', '--import', 'file:///x/tsx/dist/loader.mjs'];

  it('by default: the documented bound, after what the primary was started with (tsx)', () => {
    expect(DEFAULT_WORKER_HEAP_MB).toBe(256);
    expect(workerHeap({}, tsx)).toEqual({ execArgv: [...tsx, '--max-old-space-size=256'], heapMb: 256, source: 'GATEWAY_WORKER_HEAP_MB default' });
    expect(workerHeap({}, []).execArgv).toEqual(['--max-old-space-size=256']);
  });

  it('GATEWAY_WORKER_HEAP_MB wins over the primary command line and NODE_OPTIONS', () => {
    const heap = workerHeap({ GATEWAY_WORKER_HEAP_MB: '512', NODE_OPTIONS: '--enable-source-maps --max-old-space-size=2048' }, ['--max-old-space-size=1024', ...tsx]);
    expect(heap.execArgv).toEqual([...tsx, '--max-old-space-size=512']);
    expect(heap.heapMb).toBe(512);
    expect(heap.source).toBe("GATEWAY_WORKER_HEAP_MB; overrides NODE_OPTIONS' 2048");
    expect(workerHeap({ GATEWAY_WORKER_HEAP_MB: '128' }, ['--max_old_space_size', '900', '--inspect']).execArgv).toEqual(['--inspect', '--max-old-space-size=128']);
  });

  it('unset: a bound the operator already gave is kept, not replaced by the default', () => {
    expect(workerHeap({ NODE_OPTIONS: '--max-old-space-size=300' }, tsx)).toEqual({ execArgv: tsx, heapMb: 300, source: 'NODE_OPTIONS' });
    expect(workerHeap({}, ['--max-old-space-size=384'])).toEqual({ execArgv: ['--max-old-space-size=384'], heapMb: 384, source: "the primary's --max-old-space-size" });
  });

  it('0: no bound from here (V8 default, or what NODE_OPTIONS says)', () => {
    expect(workerHeap({ GATEWAY_WORKER_HEAP_MB: '0' }, tsx)).toEqual({ execArgv: tsx, heapMb: undefined, source: "GATEWAY_WORKER_HEAP_MB=0: V8's default" });
    expect(workerHeap({ GATEWAY_WORKER_HEAP_MB: '0', NODE_OPTIONS: '--max-old-space-size=300' }, []).heapMb).toBe(300);
  });

  it('refuses values that are not a size a gateway can run in', () => {
    expect(() => workerHeap({ GATEWAY_WORKER_HEAP_MB: '32' }, [])).toThrow("GATEWAY_WORKER_HEAP_MB must be 0 (no bound: V8's default) or at least 64 (MiB), got 32");
    expect(() => workerHeap({ GATEWAY_WORKER_HEAP_MB: '256MB' }, [])).toThrow('GATEWAY_WORKER_HEAP_MB must be an integer, got "256MB"');
    expect(() => workerHeap({ GATEWAY_WORKER_HEAP_MB: '-1' }, [])).toThrow(/between 0 and/);
  });

  it('finds the flag in its spellings', () => {
    expect(heapFlagMb(['--max-old-space-size=100', '--max_old_space_size=200'])).toBe(200);
    expect(heapFlagMb(['--max-old-space-size', '300'])).toBe(300);
    expect(heapFlagMb(['--max-semi-space-size=16'])).toBeUndefined();
  });
});

it("the primary's stop limit follows SHUTDOWN_GRACE_MS: the workers' own limit plus a margin", () => {
  expect(clusterShutdownLimitMs(10_000)).toBe(17_000);
  expect(clusterShutdownLimitMs(0)).toBe(7_000);
});
