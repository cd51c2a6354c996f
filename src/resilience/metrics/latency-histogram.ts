/**
 * @module
 * A fixed-bucket latency histogram counted in plain numbers: observing costs a short loop, and prom-client only
 * sees the totals at scrape time.
 */

/** Default bucket upper bounds, in seconds: 1 ms to 10 s, enough for service-to-service calls. */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Cumulative-at-read histogram of durations. */
export class LatencyHistogram {
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[] = DEFAULT_DURATION_BUCKETS) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Records one duration given in milliseconds. */
  observeMs(ms: number): void {
    const seconds = ms / 1000;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i]!++;
    this.sum += seconds;
    this.count++;
  }

  /** Cumulative counts per bound, the Prometheus `le` convention; the last entry is +Inf. */
  cumulative(): number[] {
    const out: number[] = [];
    let running = 0;
    for (let i = 0; i < this.counts.length; i++) {
      running += this.counts[i]!;
      out.push(running);
    }
    return out;
  }
}
