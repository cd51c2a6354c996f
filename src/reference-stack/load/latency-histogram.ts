/**
 * @module
 * Latencies of a whole load run in a fixed amount of memory: a log-bucketed histogram (the idea behind
 * HdrHistogram), so an hour-long run costs what a second-long one does, and its percentiles stay close to exact.
 */

/** The smallest latency told apart from zero, ms: everything at or below it shares the first bucket. */
const LOWEST_MS = 0.01;
/** The largest latency told apart, ms (one hour): anything slower shares the last bucket. */
const HIGHEST_MS = 3_600_000;
/** Each bucket's upper bound is this much above the previous one's: a relative error of 1%. */
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(HIGHEST_MS / LOWEST_MS) / LOG_GROWTH) + 1;

/**
 * Counts latencies in {@link LatencyHistogram.bucketCount} buckets (about 2,000, 16 KB), whose bounds grow by 1%
 * from 0.01 ms to one hour. A percentile is reported as the upper bound of the bucket holding the nearest-rank
 * sample, clamped to the smallest and largest latency seen (both kept exactly): it is never below the exact value,
 * and at most 1% above it (0.01 ms above it for latencies under 0.01 ms; latencies beyond an hour count as an hour,
 * except for the exact maximum).
 *
 * @example
 * const latencies = new LatencyHistogram();
 * for (const ms of [12, 15, 11, 240]) latencies.record(ms);
 * latencies.percentile(0.5); // 12.07 (within 1% above 12, the exact median)
 * latencies.max; // 240
 */
export class LatencyHistogram {
  /** How many buckets every histogram holds, whatever it has counted. */
  static readonly bucketCount = BUCKETS;
  /** The largest relative error of a reported percentile (above the exact value). */
  static readonly relativeError = GROWTH - 1;

  private readonly counts = new Float64Array(BUCKETS);
  private total = 0;
  private lowest = Number.POSITIVE_INFINITY;
  private highest = 0;

  /** How many latencies were recorded. */
  get count(): number {
    return this.total;
  }

  /** The largest latency recorded, exactly; 0 when none was. */
  get max(): number {
    return this.highest;
  }

  /** Counts one latency in ms; a negative or non-finite one counts as 0. */
  record(latencyMs: number): void {
    const ms = Number.isFinite(latencyMs) && latencyMs > 0 ? latencyMs : 0;
    this.counts[bucketOf(ms)]!++;
    this.total++;
    if (ms < this.lowest) this.lowest = ms;
    if (ms > this.highest) this.highest = ms;
  }

  /** The `quantile` (0.95 for p95) by nearest rank, within the documented error; 0 when nothing was recorded. */
  percentile(quantile: number): number {
    if (this.total === 0) return 0;
    const rank = Math.min(this.total, Math.max(1, Math.ceil(quantile * this.total)));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return Math.min(this.highest, Math.max(this.lowest, upperBound(bucket)));
    }
    return this.highest;
  }
}

function bucketOf(ms: number): number {
  if (ms <= LOWEST_MS) return 0;
  const bucket = Math.ceil(Math.log(ms / LOWEST_MS) / LOG_GROWTH);
  // The logarithm can round a latency on a bound into the bucket below it: move it up, so no bound is below its samples.
  return Math.min(BUCKETS - 1, upperBound(bucket) < ms ? bucket + 1 : bucket);
}

function upperBound(bucket: number): number {
  return LOWEST_MS * GROWTH ** bucket;
}
