import { CircuitBreaker, type BreakerState } from '../../gateway/resilience/circuit-breaker';

/** The breaker's state machine, on an injected clock. */

function breaker(options: { threshold?: number; cooldownMs?: number } = {}) {
  const clock = { now: 1_000_000 };
  const changes: Array<[BreakerState, BreakerState]> = [];
  const b = new CircuitBreaker({
    failureThreshold: options.threshold ?? 3,
    cooldownMs: options.cooldownMs ?? 10_000,
    now: () => clock.now,
    onStateChange: (next, previous) => changes.push([previous, next]),
  });
  return { b, clock, changes };
}

function fail(b: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) {
    expect(b.tryAcquire()).toBe(true);
    b.onFailure();
  }
}

it('defaults to 5 consecutive failures and a 10 s cool-down', () => {
  let now = 0;
  const b = new CircuitBreaker({ now: () => now });
  fail(b, 4);
  expect(b.state).toBe('closed');
  fail(b, 1);
  expect(b.state).toBe('open');
  now += 9_999;
  expect(b.state).toBe('open');
  now += 1;
  expect(b.state).toBe('half-open');
});

it('stays closed while failures are not consecutive', () => {
  const { b } = breaker();
  fail(b, 2);
  expect(b.tryAcquire()).toBe(true);
  b.onSuccess();
  fail(b, 2);
  expect(b.state).toBe('closed');
  expect(b.snapshot()).toEqual({ state: 'closed', consecutiveFailures: 2 });
});

it('opens at the threshold and refuses everything during the cool-down', () => {
  const { b, clock, changes } = breaker();
  fail(b, 3);
  expect(b.state).toBe('open');
  expect(changes).toEqual([['closed', 'open']]);
  expect(b.snapshot()).toEqual({ state: 'open', consecutiveFailures: 3, retryAt: new Date(clock.now + 10_000).toISOString() });
  clock.now += 5_000;
  expect(b.tryAcquire()).toBe(false);
  clock.now += 4_999;
  expect(b.tryAcquire()).toBe(false);
});

it('lets exactly one probe through after the cool-down; its success closes the circuit', () => {
  const { b, clock, changes } = breaker();
  fail(b, 3);
  clock.now += 10_000;
  expect(b.state).toBe('half-open');
  expect(b.tryAcquire()).toBe(true); // the probe
  expect(b.tryAcquire()).toBe(false); // others wait for its outcome
  expect(b.tryAcquire()).toBe(false);
  b.onSuccess();
  expect(b.state).toBe('closed');
  expect(b.tryAcquire()).toBe(true);
  expect(b.tryAcquire()).toBe(true);
  expect(changes).toEqual([
    ['closed', 'open'],
    ['open', 'half-open'],
    ['half-open', 'closed'],
  ]);
  expect(b.snapshot().consecutiveFailures).toBe(0);
});

it('opens again for a full cool-down when the probe fails', () => {
  const { b, clock, changes } = breaker();
  fail(b, 3);
  clock.now += 10_000;
  expect(b.tryAcquire()).toBe(true);
  b.onFailure();
  expect(b.state).toBe('open');
  clock.now += 9_999;
  expect(b.tryAcquire()).toBe(false);
  clock.now += 1;
  expect(b.tryAcquire()).toBe(true);
  expect(changes.map(([, next]) => next)).toEqual(['open', 'half-open', 'open', 'half-open']);
});

it('a threshold of one opens on the first failure; a cool-down of zero probes at once', () => {
  const { b } = breaker({ threshold: 1, cooldownMs: 0 });
  fail(b, 1);
  expect(b.state).toBe('half-open');
  expect(b.tryAcquire()).toBe(true);
  expect(b.tryAcquire()).toBe(false);
});

it('rejects nonsensical settings', () => {
  expect(() => new CircuitBreaker({ failureThreshold: 0 })).toThrow(RangeError);
  expect(() => new CircuitBreaker({ cooldownMs: -1 })).toThrow(RangeError);
});
