/**
 * @module
 * A live percentile over the most recent durations: a fixed ring buffer, sorted only every few observations, so an
 * adaptive policy can ask "what is p95 right now?" on every call without sorting on every call.
 */

/**
 * The `quantile` of the last `capacity` observed durations (nearest-rank). Sorting 100 numbers costs a few
 * microseconds, so the value is refreshed at most once per `refreshEvery` observations and cached in between;
 * a percentile that lags by a few samples is as good as an exact one for choosing a delay.
 *
 * @example
 * const p95 = new LatencyWindow(0.95);
 * for (const ms of [12, 15, 11, 240]) p95.observe(ms);
 * p95.value(); // 240
 */
export class LatencyWindow {
  private readonly ring: Float64Array;
  private readonly scratch: Float64Array;
  private size = 0;
  private next = 0;
  private sinceRefresh = 0;
  private cached = Number.NaN;

  /**
   * @param quantile which percentile to track, in [0, 1] (0.95 for p95)
   * @param capacity how many recent durations to keep
   * @param refreshEvery how many observations may arrive before the percentile is recomputed
   */
  constructor(
    readonly quantile: number,
    readonly capacity = 100,
    private readonly refreshEvery = 10,
  ) {
    this.ring = new Float64Array(capacity);
    this.scratch = new Float64Array(capacity);
  }

  /** How many durations the window holds (at most `capacity`). */
  get count(): number {
    return this.size;
  }

  /** Records one duration in milliseconds, replacing the oldest once the window is full. */
  observe(ms: number): void {
    this.ring[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
    this.sinceRefresh++;
  }

  /** The tracked percentile of the window, in milliseconds; `NaN` while it is empty. */
  value(): number {
    if (this.size === 0) return Number.NaN;
    if (this.sinceRefresh >= this.refreshEvery || Number.isNaN(this.cached)) this.refresh();
    return this.cached;
  }

  private refresh(): void {
    // Until the ring wraps, its first `size` slots are exactly the samples; after, all of them are.
    const sorted = this.scratch.subarray(0, this.size);
    sorted.set(this.ring.subarray(0, this.size));
    sorted.sort();
    const rank = Math.min(this.size, Math.max(1, Math.ceil(this.quantile * this.size)));
    this.cached = sorted[rank - 1]!;
    this.sinceRefresh = 0;
  }
}
