/**
 * @module
 * AIMD, the loss-based concurrency limit (TCP Reno's rule, after Netflix concurrency-limits' `AIMDLimit`): grow by
 * one while calls succeed under load, cut by a ratio when one is dropped.
 */
import { OptionChecker } from '../options.js';
import type { ConcurrencyLimitAlgorithm, LimitBounds } from './limit-algorithm.js';

/** Options of {@link AimdLimit}. */
export interface AimdLimitOptions {
  /** Share of the limit kept after a drop, in [0.5, 1). @default 0.9 */
  backoffRatio?: number;
}

/**
 * Additive increase, multiplicative decrease:
 * - on a drop: `limit = max(minLimit, floor(limit * backoffRatio))` (always at least one lower, as limits are
 *   whole numbers and the ratio is below 1);
 * - on any other sample taken while `inflight * 2 >= limit`: `limit = min(maxLimit, limit + 1)`. Below half the
 *   limit the caller, not the dependency, is what limits traffic, so success there proves nothing about more.
 *
 * It reacts only to drops (timeouts), not to latency: simple and robust, but it finds the limit by overshooting.
 *
 * @example
 * const aimd = new AimdLimit({ initialLimit: 10, minLimit: 1, maxLimit: 100 });
 * aimd.onSample(12, 6, false); // aimd.limit === 11
 * aimd.onSample(5_000, 6, true); // aimd.limit === 9
 */
export class AimdLimit implements ConcurrencyLimitAlgorithm {
  readonly backoffRatio: number;
  private current: number;

  /**
   * @param bounds the starting limit and its range, as validated by `adaptiveConcurrency`
   * @param check names the policy in option errors
   */
  constructor(
    private readonly bounds: LimitBounds,
    options: AimdLimitOptions = {},
    check = new OptionChecker('aimdLimit'),
  ) {
    this.backoffRatio = check.number('backoffRatio', options.backoffRatio, 0.9, 0.5, 1);
    if (this.backoffRatio === 1) throw check.error('backoffRatio', 'must be below 1, or a drop would never lower the limit');
    this.current = bounds.initialLimit;
  }

  get limit(): number {
    return this.current;
  }

  onSample(_rttMs: number, inflight: number, didDrop: boolean): void {
    if (didDrop) {
      this.current = Math.max(this.bounds.minLimit, Math.floor(this.current * this.backoffRatio));
    } else if (inflight * 2 >= this.current) {
      this.current = Math.min(this.bounds.maxLimit, this.current + 1);
    }
  }
}
