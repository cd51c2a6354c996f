/**
 * @module
 * A token bucket on the injected clock: how a webhook keeps to Slack's "1 message per second, short bursts
 * allowed". It only answers how long to wait; the caller sleeps, so an idle bucket holds no timer.
 */
import type { Clock } from '../../core/clock.js';

// Refill arithmetic in floating point can leave 0.9999999 where a whole token is due.
const EPSILON = 1e-9;

/** Tokens refilled at `perSecond`, at most `burst` held. */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
    this.refilledAt = clock.monotonic();
  }

  /** Takes a token and returns 0, or takes nothing and returns how many ms until one is due. */
  take(): number {
    const now = this.clock.monotonic();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens + EPSILON >= 1) {
      this.tokens = Math.max(0, this.tokens - 1);
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }
}
