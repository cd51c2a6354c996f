/**
 * @module
 * Timeout: give up on a call after a fixed time. The call's own context is aborted, never anyone else's: unlike
 * opossum, where one slow call aborts the breaker's shared AbortController and with it every call in flight.
 */
import { withoutStack } from '../core/errors.js';
import { EventEmitter } from '../core/events.js';
import type { CallContext, PolicyFn } from './context.js';
import { DeadlineQueue, type DeadlineEntry } from './deadline-queue.js';
import { TimeoutError } from './errors.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';

/**
 * How a timeout ends a call.
 * - `hard`: reject with {@link TimeoutError} at once and abort the call's signal; the work may go on in the
 *   background if it ignores the signal.
 * - `cooperative`: abort the call's signal and wait for the function to give up; if it still returns a value, that
 *   value is used.
 */
export type TimeoutStrategy = 'hard' | 'cooperative';

/** Options of {@link timeout}. */
export interface TimeoutOptions extends CommonPolicyOptions {
  /** Milliseconds allowed per call. Required: a default would be wrong for most dependencies. */
  ms: number;
  /** @default 'hard' */
  strategy?: TimeoutStrategy;
}

/** Payload of {@link TimeoutPolicy.onTimeout}. */
export interface TimeoutEvent {
  readonly timeoutMs: number;
  readonly attempt: number;
}

/** Ends calls that take longer than `ms`. */
export class TimeoutPolicy extends BasePolicy {
  readonly policy = 'timeout';
  readonly outcomes = { success: 0, failure: 0, timeout: 0 };
  readonly ms: number;
  readonly strategy: TimeoutStrategy;
  private readonly timedOut = new EventEmitter<TimeoutEvent>();
  /** Fires when a call times out. */
  readonly onTimeout = this.timedOut.event;
  private readonly deadlines: DeadlineQueue;

  constructor(options: TimeoutOptions) {
    super('timeout', options);
    this.ms = this.check.duration('ms', this.check.required('ms', options.ms, 'how long may a call take, in milliseconds?'), 0, 0);
    this.strategy = this.check.choice('strategy', options.strategy, 'hard', ['hard', 'cooperative']);
    this.deadlines = new DeadlineQueue(this.clock);
    this.attachMetrics();
  }

  run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    const deadline = this.clock.monotonic() + this.ms;
    const timed = new TimedCall<T>(this, context.child(context.attempt, deadline), deadline);
    this.deadlines.add(timed);
    pending = timed as TimedCall<unknown>;
    const result = new Promise<T>(capture as (resolve: (value: T) => void, reject: (error: unknown) => void) => void);
    invoke(fn, timed.call).then(
      (value) => timed.answered(value),
      (error: unknown) => timed.failed(error),
    );
    return result;
  }

  /** A call ran out of time: count it, tell listeners, abort its context. */
  expired(call: CallContext): TimeoutError {
    const error = withoutStack(() => new TimeoutError(this.name, this.ms));
    this.outcomes.timeout++;
    if (this.timedOut.hasListeners) this.timedOut.emit({ timeoutMs: this.ms, attempt: call.attempt });
    call.abort(error);
    return error;
  }

  /** Frees a call's deadline once it has settled. */
  settled(entry: DeadlineEntry, call: CallContext): void {
    this.deadlines.remove(entry);
    call.release();
  }

  protected override onDispose(): void {
    this.deadlines.close();
  }
}

/** The call whose promise is being constructed; {@link capture} hands it its settle functions. */
let pending: TimedCall<unknown> | undefined;

/**
 * The executor of every timed call's promise: one shared function instead of a closure per call. An executor runs
 * synchronously inside `new Promise`, so the call it belongs to is always the one in `pending`.
 */
function capture(resolve: (value: unknown) => void, reject: (error: unknown) => void): void {
  pending!.resolve = resolve;
  pending!.reject = reject;
  pending = undefined;
}

/**
 * One call under a timeout: its deadline entry and its settlement in one object, so a call allocates little.
 */
class TimedCall<T> implements DeadlineEntry {
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  queued = false;
  resolve!: (value: T) => void;
  reject!: (error: unknown) => void;
  private timeoutError: TimeoutError | undefined;
  private done = false;

  constructor(
    private readonly policy: TimeoutPolicy,
    readonly call: CallContext,
    readonly deadline: number,
  ) {}

  expire(): void {
    this.timeoutError = this.policy.expired(this.call);
    if (this.policy.strategy === 'hard') {
      this.done = true;
      this.call.release();
      this.reject(this.timeoutError);
    }
  }

  answered(value: T): void {
    if (this.done) return;
    this.policy.settled(this, this.call);
    if (!this.timeoutError) this.policy.outcomes.success++;
    this.resolve(value);
  }

  failed(error: unknown): void {
    if (this.done) return;
    this.policy.settled(this, this.call);
    if (this.timeoutError) return this.reject(this.timeoutError);
    this.policy.outcomes.failure++;
    this.reject(error);
  }
}

/**
 * A timeout policy.
 *
 * @example
 * const guarded = timeout({ ms: 250 });
 * await guarded.execute(({ signal }) => fetch(url, { signal }));
 */
export function timeout(options: TimeoutOptions): TimeoutPolicy {
  return new TimeoutPolicy(options);
}
