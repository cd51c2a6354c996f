/**
 * @module
 * Timeout: give up on a call after a fixed time. The call's own context is aborted, never anyone else's: unlike
 * opossum, where one slow call aborts the breaker's shared AbortController and with it every call in flight.
 */
import { withoutStack } from '../core/errors.js';
import { EventEmitter } from '../core/events.js';
import type { CallContext, PolicyFn } from './context.js';
import { DeadlineQueue } from './deadline-queue.js';
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
    const call = context.child(context.attempt, deadline);
    return new Promise<T>((resolve, reject) => {
      let expired: TimeoutError | undefined;
      let settled = false;
      const entry = this.deadlines.add(deadline, () => {
        expired = withoutStack(() => new TimeoutError(this.name, this.ms));
        this.outcomes.timeout++;
        if (this.timedOut.hasListeners) this.timedOut.emit({ timeoutMs: this.ms, attempt: context.attempt });
        call.abort(expired);
        if (this.strategy === 'hard') {
          settled = true;
          call.release();
          reject(expired);
        }
      });
      invoke(fn, call).then(
        (value) => {
          if (settled) return;
          this.deadlines.remove(entry);
          call.release();
          if (!expired) this.outcomes.success++;
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          this.deadlines.remove(entry);
          call.release();
          if (expired) return reject(expired);
          this.outcomes.failure++;
          reject(error);
        },
      );
    });
  }

  protected override onDispose(): void {
    this.deadlines.close();
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
