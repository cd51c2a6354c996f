/**
 * @module
 * A retry budget shared by every caller of one dependency: retries (and hedges) may add at most a fixed share of
 * extra load, so that when the dependency is down, clients back off instead of multiplying its traffic. The
 * shape is Finagle's: a ratio of recent requests plus a small floor per second, over a sliding window.
 */
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { resilienceMetrics, type MetricSource, type SampleSink } from './metrics/resilience-metrics.js';
import { OptionChecker } from './options.js';

/** Options of {@link RetryBudget}. */
export interface RetryBudgetOptions {
  /** Names the dependency; the `name` label of `resilience_retry_budget_exhausted_total`. @default 'default' */
  name?: string;
  /** Retries allowed as a share of requests in the window. @default 0.2 (20% extra load at most) */
  ratio?: number;
  /** Retries always allowed per second, so a quiet service can still retry a blip. @default 10 */
  minRetriesPerSecond?: number;
  /** Length of the sliding window. @default 10_000 */
  windowMs?: number;
  clock?: Clock;
  /** A prom-client Registry to report to; policies that use the budget also attach it to theirs. */
  metrics?: Registry;
}

const BUCKETS = 10;

/**
 * Shared per dependency: create one and pass it to every retry and hedge policy that calls that dependency.
 *
 * @example
 * const catalogBudget = new RetryBudget({ name: 'catalog', ratio: 0.2 });
 * const policy = retry({ maxAttempts: 3, budget: catalogBudget });
 */
export class RetryBudget implements MetricSource {
  readonly policy = 'retry_budget';
  readonly name: string;
  readonly ratio: number;
  readonly minRetriesPerSecond: number;
  readonly windowMs: number;
  /** Retries refused since creation. */
  exhausted = 0;
  private readonly clock: Clock;
  private readonly bucketMs: number;
  private readonly requests = new Float64Array(BUCKETS);
  private readonly retries = new Float64Array(BUCKETS);
  private requestTotal = 0;
  private retryTotal = 0;
  private lastBucket: number;

  constructor(options: RetryBudgetOptions = {}) {
    const check = new OptionChecker('retryBudget');
    this.name = check.name(options.name, 'default');
    this.ratio = check.number('ratio', options.ratio, 0.2, 0);
    this.minRetriesPerSecond = check.number('minRetriesPerSecond', options.minRetriesPerSecond, 10, 0);
    this.windowMs = check.duration('windowMs', options.windowMs, 10_000, BUCKETS);
    this.clock = options.clock ?? systemClock;
    this.bucketMs = this.windowMs / BUCKETS;
    this.lastBucket = Math.floor(this.clock.monotonic() / this.bucketMs);
    if (options.metrics) resilienceMetrics(options.metrics).attach(this);
  }

  /** Counts a first attempt: each one earns `ratio` of a retry. */
  recordRequest(): void {
    const slot = this.rotate();
    this.requests[slot]!++;
    this.requestTotal++;
  }

  /** Takes one retry from the budget; `false` (and a count of exhaustion) when it is spent. */
  tryAcquire(): boolean {
    const slot = this.rotate();
    if (this.retryTotal + 1 > this.allowance()) {
      this.exhausted++;
      return false;
    }
    this.retries[slot]!++;
    this.retryTotal++;
    return true;
  }

  /** Retries still allowed in the current window. */
  get available(): number {
    this.rotate();
    return Math.max(0, Math.floor(this.allowance() - this.retryTotal));
  }

  collect(sink: SampleSink): void {
    sink('resilience_retry_budget_exhausted_total', { name: this.name }, this.exhausted);
  }

  private allowance(): number {
    return (this.minRetriesPerSecond * this.windowMs) / 1000 + this.ratio * this.requestTotal;
  }

  /** Drops buckets that slid out of the window; done on access, so the budget needs no timer. */
  private rotate(): number {
    const bucket = Math.floor(this.clock.monotonic() / this.bucketMs);
    const stale = Math.min(bucket - this.lastBucket, BUCKETS);
    for (let i = 1; i <= stale; i++) {
      const slot = (this.lastBucket + i) % BUCKETS;
      this.requestTotal -= this.requests[slot]!;
      this.retryTotal -= this.retries[slot]!;
      this.requests[slot] = 0;
      this.retries[slot] = 0;
    }
    if (bucket > this.lastBucket) this.lastBucket = bucket;
    return this.lastBucket % BUCKETS;
  }
}
