/**
 * @module
 * Circuit breaker, built on opossum 9 (this is the only file that imports it).
 *
 * Every admitted call runs through opossum's `fire()`, so opossum's events and rolling stats stay available to
 * whoever already watches them. What opossum gets wrong is decided here instead (resilience-anchors.md §1):
 * - timeouts are not opossum's: its single shared AbortController aborts every call in flight when one times out;
 *   put a `timeout` policy inside the breaker, which aborts only its own call;
 * - a rejection for capacity (bulkhead, concurrency or rate limit) or an abort by the caller is *ignored*, not a
 *   failure: opossum counts `semaphoreLocked` as a failure and can trip on its own load shedding;
 * - trips use a count-based or time-based window with a minimum number of calls (opossum trips on the first
 *   failure by default) and can trip on the rate of slow calls, before timeouts pile up;
 * - half-open admits several probes and closes on their success rate (opossum lets exactly one through);
 * - the open duration grows while probes keep failing; the state can be read, watched, forced and disabled;
 * - no per-breaker intervals: opossum's buckets are rotated lazily from the injected clock.
 */
import { EventEmitter as NodeEventEmitter } from 'node:events';
import CircuitBreaker from 'opossum';
import type { Timer } from '../core/clock.js';
import { withoutStack } from '../core/errors.js';
import { EventEmitter, type Disposable } from '../core/events.js';
import type { CallContext, PolicyFn } from './context.js';
import { CircuitOpenError, isCapacityRejection } from './errors.js';
import { LatencyHistogram } from './metrics/latency-histogram.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import { CountWindow, TimeWindow, type OutcomeWindow } from './outcome-window.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';

/** States of a breaker. `forced_open` is an isolation by an operator; `disabled` lets everything through. */
export type CircuitState = 'closed' | 'open' | 'half_open' | 'forced_open' | 'disabled';

const STATES: readonly CircuitState[] = ['closed', 'open', 'half_open', 'forced_open', 'disabled'];
const TRANSITIONS: ReadonlyArray<readonly [CircuitState, CircuitState]> = [
  ['closed', 'open'],
  ['open', 'half_open'],
  ['half_open', 'open'],
  ['half_open', 'closed'],
  ...(['closed', 'open', 'half_open'] as const).map((from) => [from, 'forced_open'] as const),
  ['forced_open', 'closed'],
  ...(['closed', 'open', 'half_open', 'forced_open'] as const).map((from) => [from, 'disabled'] as const),
  ['disabled', 'closed'],
];

/** The window a breaker judges on. */
export type BreakerWindow =
  | { kind: 'count'; size: number }
  | { kind: 'time'; durationMs: number; buckets?: number };

/** Options of {@link circuitBreaker}. */
export interface CircuitBreakerOptions extends CommonPolicyOptions {
  /** @default { kind: 'count', size: 100 } */
  window?: BreakerWindow;
  /** Share of failed calls in the window that opens the circuit. @default 0.5 */
  failureRateThreshold?: number;
  /** Calls the window must hold before the rates are judged. Never 0: one failure is not a trend. @default 20 */
  minimumCalls?: number;
  /** A call slower than this counts as slow. @default undefined (slow calls are not judged) */
  slowCallDurationMs?: number;
  /** Share of slow calls in the window that opens the circuit. @default 1 */
  slowCallRateThreshold?: number;
  /** How long the circuit stays open before probing. @default 5_000 */
  openDurationMs?: number;
  /** Each failed half-open round multiplies the open duration by this, up to `maxOpenDurationMs`. @default 2 */
  openBackoffMultiplier?: number;
  /** @default 60_000 */
  maxOpenDurationMs?: number;
  /** Calls let through while half-open; their failure rate decides between closing and reopening. @default 3 */
  halfOpenProbes?: number;
  /**
   * Whether an error is a failure of the dependency. Errors it rejects are recorded as successes.
   * Capacity rejections and caller aborts are always ignored, whatever this says.
   * @default every error
   */
  isFailure?: (error: unknown) => boolean;
}

/** Payload of {@link CircuitBreakerPolicy.onStateChange}. */
export interface StateChange {
  readonly from: CircuitState;
  readonly to: CircuitState;
}

/** A snapshot of a breaker's window. */
export interface BreakerSnapshot {
  readonly state: CircuitState;
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  readonly failureRate: number;
  readonly slowCallRate: number;
}

/** opossum's bucket rotation is driven from our clock; 10 × 100 ms keeps its latency arrays to one second. */
const OPOSSUM_BUCKETS = 10;
const OPOSSUM_BUCKET_MS = 100;
/** Checking the clock for opossum's rotation every call would cost more than the rotation is worth. */
const ROTATION_CHECK_EVERY = 64;

/** Fails fast while a dependency is failing, and probes it back to health. */
export class CircuitBreakerPolicy extends BasePolicy {
  readonly policy = 'circuit_breaker';
  /** `short_circuited`: refused while open; `ignored`: a capacity rejection or an abort, not judged. */
  readonly outcomes = { success: 0, failure: 0, ignored: 0, short_circuited: 0 };
  readonly durations: LatencyHistogram | undefined;
  readonly transitions: Record<string, number> = {};
  private readonly changed = new EventEmitter<StateChange>();
  /** Fires on every state change. */
  readonly onStateChange = this.changed.event;

  private readonly window: OutcomeWindow;
  private readonly failureRateThreshold: number;
  private readonly minimumCalls: number;
  private readonly slowCallDurationMs: number;
  private readonly slowCallRateThreshold: number;
  private readonly baseOpenDurationMs: number;
  private readonly openBackoffMultiplier: number;
  private readonly maxOpenDurationMs: number;
  private readonly halfOpenProbes: number;
  private readonly isFailure: ((error: unknown) => boolean) | undefined;
  private readonly timed: boolean;

  private current: CircuitState = 'closed';
  private openDurationMs: number;
  private halfOpenTimer: Timer | undefined;
  private probesStarted = 0;
  private probesDone = 0;
  private probeFailures = 0;
  private isolations = 0;

  private readonly engine: CircuitBreaker;
  private readonly rotation = new NodeEventEmitter();
  private callsSinceRotationCheck = 0;
  private lastRotationBucket: number;

  constructor(options: CircuitBreakerOptions = {}) {
    super('circuitBreaker', options);
    this.window = this.createWindow(options.window);
    this.failureRateThreshold = this.check.number('failureRateThreshold', options.failureRateThreshold, 0.5, 0.0001, 1);
    this.minimumCalls = this.check.integer('minimumCalls', options.minimumCalls, 20, 1);
    // Infinity: no call is slow unless the option says what slow is.
    this.slowCallDurationMs =
      options.slowCallDurationMs === undefined
        ? Number.POSITIVE_INFINITY
        : this.check.duration('slowCallDurationMs', options.slowCallDurationMs, 0, 0);
    this.slowCallRateThreshold = this.check.number('slowCallRateThreshold', options.slowCallRateThreshold, 1, 0.0001, 1);
    this.baseOpenDurationMs = this.check.duration('openDurationMs', options.openDurationMs, 5_000, 1);
    this.openBackoffMultiplier = this.check.number('openBackoffMultiplier', options.openBackoffMultiplier, 2, 1);
    this.maxOpenDurationMs = this.check.duration('maxOpenDurationMs', options.maxOpenDurationMs, Math.max(60_000, this.baseOpenDurationMs), this.baseOpenDurationMs);
    this.halfOpenProbes = this.check.integer('halfOpenProbes', options.halfOpenProbes, 3, 1);
    this.isFailure = this.check.fn('isFailure', options.isFailure);
    this.openDurationMs = this.baseOpenDurationMs;
    this.timed = this.measured || Number.isFinite(this.slowCallDurationMs);
    this.durations = this.measured ? new LatencyHistogram() : undefined;
    for (const [from, to] of TRANSITIONS) this.transitions[`${from}:${to}`] = 0;

    this.rotation.setMaxListeners(0);
    this.lastRotationBucket = Math.floor(this.clock.monotonic() / OPOSSUM_BUCKET_MS);
    // The action is invoke(fn, context) itself: it always returns a promise, and opossum reads `.then` of whatever
    // the action returns.
    this.engine = new CircuitBreaker(invoke as (fn: PolicyFn<unknown>, context: CallContext) => Promise<unknown>, {
      name: this.name,
      // Our timeout policy aborts only its own call; opossum's would abort every call sharing its controller.
      timeout: false,
      // Trips and half-open are decided here; opossum must never trip or reset on its own.
      volumeThreshold: Number.MAX_SAFE_INTEGER,
      errorThresholdPercentage: 100,
      resetTimeout: 2_147_483_647,
      // Ignored errors must not look like failures to opossum either.
      errorFilter: (error: unknown, _fn: unknown, context: CallContext) =>
        this.ignored(error, context) || (this.isFailure !== undefined && !this.isFailure(error)),
      rollingCountTimeout: OPOSSUM_BUCKETS * OPOSSUM_BUCKET_MS,
      rollingCountBuckets: OPOSSUM_BUCKETS,
      rollingPercentilesEnabled: false,
      enableSnapshots: false,
      rotateBucketController: this.rotation,
    } as CircuitBreaker.Options);
    this.attachMetrics();
  }

  /** The current state; reading it never changes it. */
  get state(): CircuitState {
    return this.current;
  }

  /** Counts in the current window. */
  snapshot(): BreakerSnapshot {
    const { calls, failures, slowCalls } = this.window;
    return {
      state: this.current,
      calls,
      failures,
      slowCalls,
      failureRate: calls === 0 ? 0 : failures / calls,
      slowCallRate: calls === 0 ? 0 : slowCalls / calls,
    };
  }

  /** opossum's own rolling stats (fires, successes, failures …) for tools that already read them. */
  get opossumStats(): CircuitBreaker.Stats {
    return this.engine.stats;
  }

  run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    if (this.current !== 'closed' && this.current !== 'disabled' && !this.admitProbe()) {
      this.outcomes.short_circuited++;
      return Promise.reject(withoutStack(() => new CircuitOpenError(this.name, this.current)));
    }
    const probe = this.current === 'half_open';
    if (++this.callsSinceRotationCheck === ROTATION_CHECK_EVERY) this.rotateOpossum();
    const started = this.timed ? this.clock.monotonic() : 0;
    // call() is fire() without its extra argument spread; `this` of the action is irrelevant.
    const fired = this.engine.call(undefined, fn, context) as Promise<T>;
    // The common case (closed, untimed) reuses one bound handler instead of allocating a closure per call.
    const onSuccess = probe || this.timed ? (value: T) => this.succeeded(value, started, probe) : this.succeededUntimed;
    return fired.then(onSuccess as (value: T) => T, (error: unknown) => this.failed(error, context, started, probe));
  }

  private readonly succeededUntimed = <T>(value: T): T => {
    this.complete(false, 0, false);
    return value;
  };

  private succeeded<T>(value: T, started: number, probe: boolean): T {
    this.complete(false, started, probe);
    return value;
  }

  private failed(error: unknown, context: CallContext, started: number, probe: boolean): never {
    if (this.ignored(error, context)) this.ignore(probe);
    else this.complete(this.isFailure === undefined || this.isFailure(error), started, probe);
    throw error;
  }

  /**
   * Forces the circuit open (an operator isolating a dependency) until every returned handle is disposed.
   *
   * @example
   * const isolation = breaker.isolate();
   * // … the dependency is being migrated …
   * isolation.dispose();
   */
  isolate(): Disposable {
    this.isolations++;
    this.transition('forced_open');
    let released = false;
    return {
      dispose: () => {
        if (released) return;
        released = true;
        if (--this.isolations === 0 && this.current === 'forced_open') this.transition('closed');
      },
    };
  }

  /** Lets every call through, judging nothing, until {@link CircuitBreakerPolicy.enable}. */
  disable(): void {
    this.transition('disabled');
  }

  /** Ends {@link CircuitBreakerPolicy.disable}: the breaker starts closed with an empty window. */
  enable(): void {
    if (this.current === 'disabled') this.transition(this.isolations > 0 ? 'forced_open' : 'closed');
  }

  override collect(sink: SampleSink): void {
    for (const state of STATES) sink('resilience_circuit_state', { name: this.name, state }, state === this.current ? 1 : 0);
    for (const [from, to] of TRANSITIONS) {
      sink('resilience_circuit_transitions_total', { name: this.name, from, to }, this.transitions[`${from}:${to}`]!);
    }
  }

  private admitProbe(): boolean {
    if (this.current !== 'half_open' || this.probesStarted >= this.halfOpenProbes) return false;
    this.probesStarted++;
    return true;
  }

  /** Capacity rejections and caller aborts say nothing about the dependency's health. */
  private ignored(error: unknown, context: CallContext): boolean {
    return context.aborted || isCapacityRejection(error);
  }

  private complete(failed: boolean, started: number, probe: boolean): void {
    let slow = false;
    if (this.timed) {
      const elapsed = this.clock.monotonic() - started;
      this.durations?.observeMs(elapsed);
      slow = elapsed > this.slowCallDurationMs;
    }
    if (failed) this.outcomes.failure++;
    else this.outcomes.success++;
    if (probe) return this.completeProbe(failed || slow);
    if (this.current !== 'closed') return;
    this.window.record(failed, slow);
    const { calls, failures, slowCalls } = this.window;
    if (calls < this.minimumCalls) return;
    if (failures >= this.failureRateThreshold * calls || slowCalls >= this.slowCallRateThreshold * calls) {
      this.transition('open');
    }
  }

  private ignore(probe: boolean): void {
    this.outcomes.ignored++;
    // The probe slot goes back: an ignored call told us nothing about the dependency.
    if (probe && this.current === 'half_open') this.probesStarted--;
  }

  private completeProbe(failed: boolean): void {
    if (this.current !== 'half_open') return;
    this.probesDone++;
    if (failed) this.probeFailures++;
    if (this.probeFailures >= this.failureRateThreshold * this.halfOpenProbes) {
      this.openDurationMs = Math.min(this.maxOpenDurationMs, this.openDurationMs * this.openBackoffMultiplier);
      this.transition('open');
    } else if (this.probesDone >= this.halfOpenProbes) {
      this.transition('closed');
    }
  }

  private transition(to: CircuitState): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.halfOpenTimer?.cancel();
    this.halfOpenTimer = undefined;
    this.probesStarted = this.probesDone = this.probeFailures = 0;
    if (to === 'open') {
      this.halfOpenTimer = this.clock.setTimer(() => this.transition('half_open'), this.openDurationMs, { keepAlive: false });
      this.engine.open();
    } else if (to === 'forced_open') {
      this.engine.open();
    } else {
      if (to === 'closed' || to === 'disabled') {
        this.window.reset();
        if (to === 'closed') this.openDurationMs = this.baseOpenDurationMs;
      }
      // Half-open probes must pass through opossum, so it stays closed while we probe.
      this.engine.close();
    }
    const key = `${from}:${to}`;
    if (key in this.transitions) this.transitions[key]!++;
    if (this.changed.hasListeners) this.changed.emit({ from, to });
  }

  private rotateOpossum(): void {
    this.callsSinceRotationCheck = 0;
    const bucket = Math.floor(this.clock.monotonic() / OPOSSUM_BUCKET_MS);
    const due = Math.min(bucket - this.lastRotationBucket, OPOSSUM_BUCKETS);
    for (let i = 0; i < due; i++) this.rotation.emit('rotate');
    if (bucket > this.lastRotationBucket) this.lastRotationBucket = bucket;
  }

  private createWindow(window: BreakerWindow | undefined): OutcomeWindow {
    if (window === undefined) return new CountWindow(100);
    if (window.kind === 'count') return new CountWindow(this.check.integer('window.size', window.size, 100, 1, 1_000_000));
    if (window.kind === 'time') {
      const durationMs = this.check.duration('window.durationMs', window.durationMs, 10_000, 1);
      const buckets = this.check.integer('window.buckets', window.buckets, 10, 1, 1_000);
      return new TimeWindow(this.clock, durationMs, buckets);
    }
    throw this.check.error('window.kind', `must be "count" or "time", got ${JSON.stringify((window as { kind: unknown }).kind)}`);
  }

  protected override onDispose(): void {
    this.halfOpenTimer?.cancel();
    this.halfOpenTimer = undefined;
    this.engine.shutdown();
    this.rotation.removeAllListeners();
  }
}

/**
 * A circuit breaker.
 *
 * @example
 * const breaker = circuitBreaker({ name: 'catalog', window: { kind: 'time', durationMs: 10_000 }, slowCallDurationMs: 200 });
 * breaker.onStateChange(({ from, to }) => log.warn({ from, to }, 'catalog circuit'));
 * await breaker.execute(() => catalog.get(id));
 */
export function circuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreakerPolicy {
  return new CircuitBreakerPolicy(options);
}
