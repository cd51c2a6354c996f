/**
 * @module
 * Retry: try again after a failure, with backoff and jitter, within the caller's deadline and a shared retry
 * budget, so that retries help with blips and never turn an outage into a retry storm.
 */
import { systemRandom, type Random } from '../core/random.js';
import { EventEmitter } from '../core/events.js';
import { exponentialBackoff, type Backoff, type BackoffOptions } from './backoff.js';
import type { CallContext, PolicyFn } from './context.js';
import {
  RetryBudgetExhaustedError,
  isCircuitOpenError,
  isRateLimitedError,
  isRetryBudgetExhaustedError,
} from './errors.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';
import type { RetryBudget } from './retry-budget.js';

/** Options of {@link retry}. */
export interface RetryOptions extends CommonPolicyOptions {
  /** Attempts in all, the first included. @default 3 */
  maxAttempts?: number;
  /** Backoff options, or a custom {@link Backoff} function. @default exponential, 100 ms doubling to 10 s, full jitter */
  backoff?: BackoffOptions | Backoff;
  /**
   * Whether an error is worth another attempt. By default everything is, except an open circuit (it will refuse
   * again) and an exhausted budget. An abort by the caller is never retried.
   */
  retryOn?: (error: unknown, attempt: number) => boolean;
  /**
   * A delay the error asks for (a Retry-After), in ms; when longer than the backoff, it is used instead.
   * @default the `retryAfterMs` of a RateLimitedError
   */
  delayFrom?: (error: unknown) => number | undefined;
  /** The dependency's shared budget; without one, retries are limited by `maxAttempts` only. */
  budget?: RetryBudget;
  /** Source of jitter. @default the system random */
  random?: Random;
}

/** Payload of {@link RetryPolicy.onRetry}. */
export interface RetryEvent {
  /** The attempt about to start (2 for the first retry). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

/** Why a retry policy stopped retrying (the `outcome` of `resilience_calls_total`). */
type GiveUp = 'failure' | 'exhausted_attempts' | 'deadline' | 'budget_exhausted';

const defaultRetryOn = (error: unknown): boolean => !isCircuitOpenError(error) && !isRetryBudgetExhaustedError(error);
const defaultDelayFrom = (error: unknown): number | undefined => (isRateLimitedError(error) ? error.retryAfterMs : undefined);

/** Retries failed calls. */
export class RetryPolicy extends BasePolicy {
  readonly policy = 'retry';
  /**
   * `success` (first attempt), `success_after_retry`, and why it gave up: `failure` (error not retryable),
   * `exhausted_attempts`, `deadline` (no time left for another attempt), `budget_exhausted`.
   */
  readonly outcomes = {
    success: 0,
    success_after_retry: 0,
    failure: 0,
    exhausted_attempts: 0,
    deadline: 0,
    budget_exhausted: 0,
  };
  /** Retry attempts made (beyond first attempts). */
  retries = 0;
  readonly maxAttempts: number;
  private readonly backoff: Backoff;
  private readonly retryOn: (error: unknown, attempt: number) => boolean;
  private readonly delayFrom: (error: unknown) => number | undefined;
  private readonly budget: RetryBudget | undefined;
  private readonly random: Random;
  private readonly retrying = new EventEmitter<RetryEvent>();
  /** Fires before each retry's backoff starts. */
  readonly onRetry = this.retrying.event;

  constructor(options: RetryOptions = {}) {
    super('retry', options);
    this.maxAttempts = this.check.integer('maxAttempts', options.maxAttempts, 3, 1, 100);
    this.backoff =
      typeof options.backoff === 'function' ? options.backoff : exponentialBackoff(options.backoff ?? {});
    this.retryOn = this.check.fn('retryOn', options.retryOn) ?? defaultRetryOn;
    this.delayFrom = this.check.fn('delayFrom', options.delayFrom) ?? defaultDelayFrom;
    if (options.budget !== undefined && typeof options.budget.tryAcquire !== 'function') {
      throw this.check.error('budget', 'must be a RetryBudget');
    }
    this.budget = options.budget;
    this.random = options.random ?? systemRandom;
    this.attachMetrics();
    if (this.budget) this.attachShared(this.budget);
  }

  run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    this.budget?.recordRequest();
    // The first attempt runs in the caller's context (attempt 1) and, when it succeeds, costs no closure and no
    // async frame: that is almost every call. Retries take the slow path below.
    return invoke(fn, context).then(this.firstAttemptSucceeded, (error: unknown) => this.retryAfter(error, fn, context)) as Promise<T>;
  }

  private readonly firstAttemptSucceeded = (value: unknown): unknown => {
    this.outcomes.success++;
    return value;
  };

  private async retryAfter<T>(firstError: unknown, fn: PolicyFn<T>, context: CallContext): Promise<T> {
    let error = firstError;
    let previousDelay = 0;
    for (let attempt = 1; ; attempt++) {
      // Nobody is waiting for an answer the caller abandoned.
      if (context.aborted) throw error;
      const delay = this.nextDelay(error, attempt, previousDelay, context);
      if (typeof delay === 'string') {
        this.outcomes[delay]++;
        if (delay === 'budget_exhausted') throw new RetryBudgetExhaustedError(this.budget!.name, error);
        throw error;
      }
      previousDelay = delay;
      this.retries++;
      if (this.retrying.hasListeners) this.retrying.emit({ attempt: attempt + 1, delayMs: delay, error });
      if (delay > 0) await this.clock.sleep(delay, context.signal);
      const call = context.child(attempt + 1);
      try {
        const value = await invoke(fn, call);
        this.outcomes.success_after_retry++;
        return value;
      } catch (next) {
        error = next;
      } finally {
        call.release();
      }
    }
  }

  /** The delay before the next attempt, or why there will be none. */
  private nextDelay(error: unknown, attempt: number, previousDelay: number, context: CallContext): number | GiveUp {
    if (!this.retryOn(error, attempt)) return 'failure';
    if (attempt >= this.maxAttempts) return 'exhausted_attempts';
    const backoff = this.backoff(attempt, previousDelay, this.random);
    const delay = Math.max(backoff, this.delayFrom(error) ?? 0);
    if (this.clock.monotonic() + delay >= context.deadline) return 'deadline';
    // Checked last: a retry that will not happen must not spend the budget.
    if (this.budget && !this.budget.tryAcquire()) return 'budget_exhausted';
    return delay;
  }

  override collect(sink: SampleSink): void {
    sink('resilience_retry_attempts_total', { name: this.name }, this.retries);
  }
}

/**
 * A retry policy.
 *
 * @example
 * const budget = new RetryBudget({ name: 'catalog' });
 * const policy = retry({ maxAttempts: 3, backoff: { initialDelayMs: 50, jitter: 'decorrelated' }, budget });
 * await policy.execute(({ signal, attempt }) => fetchTitle(id, { signal }));
 */
export function retry(options: RetryOptions = {}): RetryPolicy {
  return new RetryPolicy(options);
}
