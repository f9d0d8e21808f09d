/** The three states of a circuit breaker. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** How a breaker trips and recovers. */
export interface CircuitBreakerOptions {
  /** Consecutive failures (errors or timeouts) that open the circuit (default 5). */
  failureThreshold?: number;
  /** How long the circuit stays open before one probe is let through, in ms (default 10 000). */
  cooldownMs?: number;
  /** The clock, in ms; injectable for tests (default Date.now). */
  now?: () => number;
  /** Called on every state change (logging, metrics). */
  onStateChange?: (next: BreakerState, previous: BreakerState) => void;
}

/** A breaker's state as reported by the gateway's `/ready`. */
export interface BreakerSnapshot {
  state: BreakerState;
  consecutiveFailures: number;
  /** While open: when the next probe will be let through (ISO 8601). */
  retryAt?: string;
}

/** Default consecutive failures that open a breaker (CIRCUIT_BREAKER_THRESHOLD; README "Configuration"). */
export const DEFAULT_FAILURE_THRESHOLD = 5;
/** Default cool-down of an open breaker in ms (CIRCUIT_BREAKER_COOLDOWN_MS). */
export const DEFAULT_COOLDOWN_MS = 10_000;

/**
 * A circuit breaker for one subgraph.
 *
 * - closed: every request goes through; `failureThreshold` consecutive failures open it.
 * - open: requests are refused at once (no network call) until `cooldownMs` has passed.
 * - half-open: exactly one request (the probe) goes through, the others are refused; the
 *   probe's success closes the circuit, its failure opens it for another cool-down.
 *
 * Callers ask `tryAcquire()` before a request and report its outcome with `onSuccess()` or
 * `onFailure()` exactly once for every acquired request.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly failureThreshold: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;
  private readonly onStateChange?: CircuitBreakerOptions['onStateChange'];

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD;
    this.cooldownMs = options.cooldownMs ?? DEFAULT_COOLDOWN_MS;
    this.now = options.now ?? Date.now;
    this.onStateChange = options.onStateChange;
    if (!Number.isInteger(this.failureThreshold) || this.failureThreshold < 1) throw new RangeError('failureThreshold must be a positive integer');
    if (!(this.cooldownMs >= 0)) throw new RangeError('cooldownMs must be zero or more');
  }

  /** The state now; an open circuit whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.cooldownMs) this.transition('half-open');
    return this.current;
  }

  /**
   * Whether a request may go out now. In half-open state only the first caller gets true
   * (the probe) until its outcome is reported.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probeInFlight) return false;
    this.probeInFlight = true;
    return true;
  }

  /** Reports that an acquired request got an answer from the subgraph. */
  onSuccess(): void {
    this.probeInFlight = false;
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  /** Reports that an acquired request failed (no answer, an error status, or a timeout). */
  onFailure(): void {
    const wasProbe = this.current === 'half-open';
    this.probeInFlight = false;
    this.failures++;
    if (wasProbe || (this.current === 'closed' && this.failures >= this.failureThreshold)) {
      this.openedAt = this.now();
      this.transition('open');
    }
  }

  /** The state for readiness reports. */
  snapshot(): BreakerSnapshot {
    const state = this.state;
    return {
      state,
      consecutiveFailures: this.failures,
      ...(state === 'open' ? { retryAt: new Date(this.openedAt + this.cooldownMs).toISOString() } : {}),
    };
  }

  private transition(next: BreakerState): void {
    const previous = this.current;
    if (previous === next) return;
    this.current = next;
    this.onStateChange?.(next, previous);
  }
}
