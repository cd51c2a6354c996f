/**
 * @module
 * Rate limiter: a token bucket that lets `ratePerSecond` calls through on average and bursts of up to `burst`.
 * The bucket refills from the clock on each call, so an idle limiter holds no timer; only a caller that chooses to
 * wait for a token sleeps.
 */
import { withoutStack } from '../core/errors.js';
import type { CallContext, PolicyFn } from './context.js';
import { PolicyDisposedError, RateLimitedError } from './errors.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import { BasePolicy, invokeCounted, type CommonPolicyOptions } from './policy.js';

/** Options of {@link rateLimiter}. */
export interface RateLimiterOptions extends CommonPolicyOptions {
  /** Tokens added per second: the sustained rate of calls. Required, > 0. */
  ratePerSecond: number;
  /** Size of the bucket: how many calls may pass at once after a quiet spell. @default max(1, ratePerSecond) */
  burst?: number;
  /**
   * How long a call may wait for its token. A call whose token is due later is rejected at once.
   * @default 0 (never wait)
   */
  maxWaitMs?: number;
}

// Refill arithmetic in floating point can leave 0.9999999 where a whole token is due.
const EPSILON = 1e-9;

/** Limits the rate of calls with a token bucket. */
export class RateLimiterPolicy extends BasePolicy {
  readonly policy = 'rate_limiter';
  /** `rejected`: the call never started (no token in time, aborted or disposed while waiting for one). */
  readonly outcomes = { success: 0, failure: 0, rejected: 0 };
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxWaitMs: number;
  /** May go below zero: tokens promised to callers still waiting for them. */
  private tokens: number;
  private refilledAt: number;
  private readonly waits = new Set<CallContext>();

  constructor(options: RateLimiterOptions) {
    super('rateLimiter', options);
    const rate = this.check.required('ratePerSecond', options.ratePerSecond, 'how many calls per second may pass?');
    this.ratePerSecond = this.check.positive('ratePerSecond', rate, 0);
    this.burst = this.check.positive('burst', this.check.number('burst', options.burst, Math.max(1, this.ratePerSecond), 1), 1);
    this.maxWaitMs = this.check.duration('maxWaitMs', options.maxWaitMs, 0);
    this.tokens = this.burst;
    this.refilledAt = this.clock.monotonic();
    this.attachMetrics();
  }

  /** Whole tokens in the bucket now: how many calls could pass at once without waiting. */
  get availableTokens(): number {
    this.refill();
    return Math.max(0, Math.floor(this.tokens + EPSILON));
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    const waitMs = this.acquire();
    if (waitMs > 0) await this.wait(waitMs, context);
    return invokeCounted(fn, context, this.outcomes);
  }

  override collect(sink: SampleSink): void {
    sink('resilience_ratelimit_available_tokens', { name: this.name }, this.availableTokens);
  }

  protected override onDispose(): void {
    const error = new PolicyDisposedError(this.name);
    for (const wait of this.waits) wait.abort(error);
  }

  /** Takes a token now (0), or reserves the next one and returns how long until it is due; throws when too late. */
  private acquire(): number {
    this.refill();
    if (this.tokens + EPSILON >= 1) {
      this.tokens -= 1;
      return 0;
    }
    const dueInMs = ((1 - this.tokens) * 1000) / this.ratePerSecond;
    if (dueInMs <= this.maxWaitMs) {
      this.tokens -= 1;
      return dueInMs;
    }
    this.outcomes.rejected++;
    throw withoutStack(() => new RateLimitedError(this.name, dueInMs));
  }

  private async wait(ms: number, context: CallContext): Promise<void> {
    // A child context, so that dispose() can cancel this wait without aborting the caller's other work.
    const wait = context.child();
    this.waits.add(wait);
    try {
      await this.clock.sleep(ms, wait.signal);
    } catch (error) {
      // Give the reserved token back: nobody will use it, and callers behind this one should not pay for it.
      this.refill();
      this.tokens = Math.min(this.burst, this.tokens + 1);
      this.outcomes.rejected++;
      throw error;
    } finally {
      this.waits.delete(wait);
      wait.release();
    }
  }

  private refill(): void {
    const now = this.clock.monotonic();
    if (now <= this.refilledAt) return;
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000);
    this.refilledAt = now;
  }

}

/**
 * A token-bucket rate limiter. Calls beyond the rate are rejected with a {@link RateLimitedError} whose
 * `retryAfterMs` says when the next token is due, or wait for it when it is due within `maxWaitMs`.
 *
 * @example
 * const search = rateLimiter({ name: 'search', ratePerSecond: 50, burst: 100, maxWaitMs: 20 });
 * const hits = await search.execute(({ signal }) => client.search(query, { signal }));
 */
export function rateLimiter(options: RateLimiterOptions): RateLimiterPolicy {
  return new RateLimiterPolicy(options);
}
