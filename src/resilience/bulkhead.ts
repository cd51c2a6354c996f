/**
 * @module
 * Bulkhead: caps how many calls run at once against one dependency, so that a slow dependency ties up a bounded
 * share of the service (sockets, memory, event-loop time) instead of all of it. Excess calls wait in a short FIFO
 * queue, or are shed at once when the queue is full.
 */
import { withoutStack } from '../core/errors.js';
import { EventEmitter } from '../core/events.js';
import type { CallContext, PolicyFn } from './context.js';
import { BulkheadRejectedError, PolicyDisposedError } from './errors.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import { BasePolicy, invokeCounted, type CommonPolicyOptions } from './policy.js';

/** Options of {@link bulkhead}. */
export interface BulkheadOptions extends CommonPolicyOptions {
  /** Calls allowed to run at once. Required: the right number depends on what the dependency can take. */
  maxConcurrent: number;
  /**
   * Calls allowed to wait for a slot, first in first out; beyond that calls are rejected at once.
   * @default 0 (no queue)
   */
  maxQueue?: number;
}

/** Payload of {@link BulkheadPolicy.onReject}: the state that made the bulkhead shed a call. */
export interface BulkheadRejection {
  readonly name: string;
  readonly inflight: number;
  readonly queued: number;
}

interface Waiter {
  /** Hands the caller a slot that a finishing call gave up. */
  start(): void;
  /** Takes the caller out of the queue and rejects it. */
  cancel(reason: unknown): void;
}

/** Limits concurrent calls, with an optional bounded queue. */
export class BulkheadPolicy extends BasePolicy {
  readonly policy = 'bulkhead';
  /** `rejected`: the call never started (queue full, aborted while queued, or queued when the policy was disposed). */
  readonly outcomes = { success: 0, failure: 0, rejected: 0 };
  readonly maxConcurrent: number;
  readonly maxQueue: number;
  private readonly rejected = new EventEmitter<BulkheadRejection>();
  /** Fires when a call is shed because every slot and every queue place is taken. */
  readonly onReject = this.rejected.event;
  private running = 0;
  // A Set is a FIFO with O(1) removal, which a waiter aborting from the middle of the queue needs.
  private readonly waiting = new Set<Waiter>();

  constructor(options: BulkheadOptions) {
    super('bulkhead', options);
    const maxConcurrent = this.check.required('maxConcurrent', options.maxConcurrent, 'how many calls may run at once?');
    this.maxConcurrent = this.check.integer('maxConcurrent', maxConcurrent, 1, 1);
    this.maxQueue = this.check.integer('maxQueue', options.maxQueue, 0, 0);
    this.attachMetrics();
  }

  /** Calls running now. */
  get inflight(): number {
    return this.running;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiting.size;
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    if (this.running < this.maxConcurrent) this.running++;
    else if (this.waiting.size < this.maxQueue) await this.enqueue(context);
    else throw this.reject();
    try {
      return await invokeCounted(fn, context, this.outcomes);
    } finally {
      this.release();
    }
  }

  override collect(sink: SampleSink): void {
    sink('resilience_bulkhead_inflight', { name: this.name }, this.running);
    sink('resilience_bulkhead_queued', { name: this.name }, this.waiting.size);
  }

  protected override onDispose(): void {
    const error = new PolicyDisposedError(this.name);
    for (const waiter of [...this.waiting]) waiter.cancel(error);
    this.rejected.clear();
  }

  private reject(): BulkheadRejectedError {
    this.outcomes.rejected++;
    if (this.rejected.hasListeners) this.rejected.emit({ name: this.name, inflight: this.running, queued: this.waiting.size });
    return withoutStack(() => new BulkheadRejectedError(this.name, this.maxConcurrent));
  }

  /** Resolves once a finishing call hands this one its slot; the slot is never returned to the pool in between. */
  private enqueue(context: CallContext): Promise<void> {
    if (context.aborted) {
      this.outcomes.rejected++;
      return Promise.reject(context.abortReason);
    }
    return new Promise<void>((resolve, reject) => {
      // Only a queued call pays for the signal, which CallContext creates on first read.
      const signal = context.signal;
      const onAbort = (): void => waiter.cancel(signal.reason);
      const waiter: Waiter = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: (reason) => {
          this.waiting.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          this.outcomes.rejected++;
          reject(reason);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(waiter);
    });
  }

  /** Passes the slot straight to the first waiter, so a newcomer cannot overtake the queue. */
  private release(): void {
    const next = this.waiting.values().next();
    if (next.done) {
      this.running--;
      return;
    }
    this.waiting.delete(next.value);
    next.value.start();
  }
}

/**
 * A bulkhead: at most `maxConcurrent` calls run at once, up to `maxQueue` more wait their turn, and the rest are
 * rejected at once with a {@link BulkheadRejectedError} (a capacity rejection, not a failure of the dependency).
 *
 * @example
 * const db = bulkhead({ name: 'db', maxConcurrent: 10, maxQueue: 20, metrics: registry });
 * db.onReject(({ inflight, queued }) => log.warn({ inflight, queued }, 'db bulkhead full'));
 * const rows = await db.execute(({ signal }) => pool.query(sql, { signal }));
 */
export function bulkhead(options: BulkheadOptions): BulkheadPolicy {
  return new BulkheadPolicy(options);
}
