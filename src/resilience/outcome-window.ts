/**
 * @module
 * Sliding windows of call outcomes that a circuit breaker trips on: the last N calls (count-based) or the calls
 * of the last T milliseconds (time-based). Both keep running totals, so recording and reading are O(1).
 */
import type { Clock } from '../core/clock.js';

/** Totals of recorded calls in a window; ignored calls (capacity rejections, aborts) are never recorded. */
export interface OutcomeWindow {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
  record(failed: boolean, slow: boolean): void;
  reset(): void;
}

const FAILED = 1;
const SLOW = 2;

/** The last `size` calls. */
export class CountWindow implements OutcomeWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  private readonly ring: Uint8Array;
  private next = 0;

  constructor(readonly size: number) {
    this.ring = new Uint8Array(size);
  }

  record(failed: boolean, slow: boolean): void {
    if (this.calls === this.size) {
      const evicted = this.ring[this.next]!;
      if (evicted & FAILED) this.failures--;
      if (evicted & SLOW) this.slowCalls--;
    } else {
      this.calls++;
    }
    this.ring[this.next] = (failed ? FAILED : 0) | (slow ? SLOW : 0);
    if (failed) this.failures++;
    if (slow) this.slowCalls++;
    this.next = (this.next + 1) % this.size;
  }

  reset(): void {
    this.ring.fill(0);
    this.calls = this.failures = this.slowCalls = this.next = 0;
  }
}

/** The calls of the last `durationMs`, in `buckets` slices that expire one at a time. */
export class TimeWindow implements OutcomeWindow {
  calls = 0;
  failures = 0;
  slowCalls = 0;
  private readonly bucketCalls: Float64Array;
  private readonly bucketFailures: Float64Array;
  private readonly bucketSlow: Float64Array;
  private readonly bucketMs: number;
  private lastBucket: number;

  constructor(
    private readonly clock: Clock,
    durationMs: number,
    private readonly buckets: number,
  ) {
    this.bucketMs = durationMs / buckets;
    this.bucketCalls = new Float64Array(buckets);
    this.bucketFailures = new Float64Array(buckets);
    this.bucketSlow = new Float64Array(buckets);
    this.lastBucket = this.currentBucket();
  }

  record(failed: boolean, slow: boolean): void {
    const slot = this.rotate();
    this.bucketCalls[slot]!++;
    this.calls++;
    if (failed) {
      this.bucketFailures[slot]!++;
      this.failures++;
    }
    if (slow) {
      this.bucketSlow[slot]!++;
      this.slowCalls++;
    }
  }

  reset(): void {
    this.bucketCalls.fill(0);
    this.bucketFailures.fill(0);
    this.bucketSlow.fill(0);
    this.calls = this.failures = this.slowCalls = 0;
  }

  /** Expires the slices that slid out of the window. Done on record, so the window needs no timer. */
  private rotate(): number {
    const bucket = this.currentBucket();
    const stale = Math.min(bucket - this.lastBucket, this.buckets);
    for (let i = 1; i <= stale; i++) {
      const slot = (this.lastBucket + i) % this.buckets;
      this.calls -= this.bucketCalls[slot]!;
      this.failures -= this.bucketFailures[slot]!;
      this.slowCalls -= this.bucketSlow[slot]!;
      this.bucketCalls[slot] = this.bucketFailures[slot] = this.bucketSlow[slot] = 0;
    }
    if (bucket > this.lastBucket) this.lastBucket = bucket;
    return this.lastBucket % this.buckets;
  }

  private currentBucket(): number {
    return Math.floor(this.clock.monotonic() / this.bucketMs);
  }
}
