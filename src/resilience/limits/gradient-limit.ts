/**
 * @module
 * Gradient, the latency-based concurrency limit (Netflix concurrency-limits' `Gradient2Limit`): compare each call's
 * RTT with a slow long-term average, and shrink the limit when calls start queueing.
 */
import { OptionChecker } from '../options.js';
import type { ConcurrencyLimitAlgorithm, LimitBounds } from './limit-algorithm.js';

/** Options of {@link GradientLimit}. */
export interface GradientLimitOptions {
  /** Weight of each new estimate, in (0, 1]: lower is steadier, higher reacts faster. @default 0.2 */
  smoothing?: number;
  /** How many calls the limit may grow by per step while latency stays normal. @default 4 */
  queueSize?: number;
  /** Samples the long-term RTT average spans (its smoothing factor is `2 / (longWindow + 1)`). @default 600 */
  longWindow?: number;
  /** How much slower than the long-term average a call may be before it counts as queueing (>= 1). @default 1.5 */
  rttTolerance?: number;
}

/** The long-term average is a plain mean over its first samples, so one early outlier does not anchor it. */
const WARMUP_SAMPLES = 10;
/** Beyond this ratio of long to short RTT, latency has dropped for good (load is over): let the average follow. */
const RECOVERY_RATIO = 2;
const RECOVERY_DECAY = 0.95;
/** RTTs are floored at 1 µs so that instant calls (or a coarse clock) give a ratio of 1, not a division by zero. */
const MIN_RTT_MS = 0.001;

/**
 * Gradient2, per sample, with `shortRtt` the sample's RTT and `longRtt` the exponential average of RTTs:
 *
 * ```text
 * if longRtt / shortRtt > 2:  longRtt = longRtt * 0.95        (recovery: the baseline follows latency down)
 * if inflight < limit / 2:    stop                             (app-limited: the sample says nothing)
 * gradient = clamp(rttTolerance * longRtt / shortRtt, 0.5, 1)  (1: no queueing; never below half, to damp outliers)
 * newLimit = gradient * limit + queueSize
 * limit    = clamp(limit * (1 - smoothing) + newLimit * smoothing, minLimit, maxLimit)
 * ```
 *
 * The ratio uses the average before the recovery decay, as the reference does. Drops carry no special weight: a
 * timed-out call reports a long RTT, which already lowers the limit. The limit is fractional; the policy admits
 * `floor(limit)` calls.
 *
 * @example
 * const gradient = new GradientLimit({ initialLimit: 20, minLimit: 1, maxLimit: 200 }, { smoothing: 0.2 });
 * gradient.onSample(10, 15, false); // steady latency under load: the limit creeps up (20.8)
 */
export class GradientLimit implements ConcurrencyLimitAlgorithm {
  readonly smoothing: number;
  readonly queueSize: number;
  readonly longWindow: number;
  readonly rttTolerance: number;
  private estimate: number;
  private longRtt = 0;
  private samples = 0;
  private readonly longFactor: number;

  /**
   * @param bounds the starting limit and its range, as validated by `adaptiveConcurrency`
   * @param check names the policy in option errors
   */
  constructor(
    private readonly bounds: LimitBounds,
    options: GradientLimitOptions = {},
    check = new OptionChecker('gradientLimit'),
  ) {
    this.smoothing = check.number('smoothing', options.smoothing, 0.2, 0, 1);
    if (this.smoothing === 0) throw check.error('smoothing', 'must be above 0, or the limit would never move');
    this.queueSize = check.number('queueSize', options.queueSize, 4, 0);
    this.longWindow = check.integer('longWindow', options.longWindow, 600, 1, 1_000_000);
    this.rttTolerance = check.number('rttTolerance', options.rttTolerance, 1.5, 1, 100);
    this.longFactor = 2 / (this.longWindow + 1);
    this.estimate = bounds.initialLimit;
  }

  get limit(): number {
    return this.estimate;
  }

  /** The long-term average RTT, in milliseconds (0 before the first sample). */
  get longRttMs(): number {
    return this.longRtt;
  }

  onSample(rttMs: number, inflight: number, _didDrop: boolean): void {
    const shortRtt = rttMs > MIN_RTT_MS ? rttMs : MIN_RTT_MS;
    const longRtt = this.average(shortRtt);
    if (longRtt / shortRtt > RECOVERY_RATIO) this.longRtt = longRtt * RECOVERY_DECAY;
    if (inflight < this.estimate / 2) return;

    const gradient = Math.max(0.5, Math.min(1, (this.rttTolerance * longRtt) / shortRtt));
    const target = gradient * this.estimate + this.queueSize;
    const next = this.estimate * (1 - this.smoothing) + target * this.smoothing;
    this.estimate = Math.max(this.bounds.minLimit, Math.min(this.bounds.maxLimit, next));
  }

  private average(rtt: number): number {
    if (this.samples < WARMUP_SAMPLES) {
      this.samples++;
      this.longRtt += (rtt - this.longRtt) / this.samples;
    } else {
      this.longRtt += (rtt - this.longRtt) * this.longFactor;
    }
    return this.longRtt;
  }
}
