/**
 * @module
 * The shape every resilience policy shares: `execute(fn, { signal })`, an outcome variant that does not throw,
 * metrics through an injected registry, and `dispose()`.
 */
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { CallContext, type PolicyFn } from './context.js';
import { PolicyDisposedError } from './errors.js';
import { resilienceMetrics, type MetricSource, type ResilienceMetrics, type SampleSink } from './metrics/resilience-metrics.js';
import { OptionChecker } from './options.js';

/** Per-call options of {@link Policy.execute}. */
export interface ExecuteOptions {
  /** The caller's abort signal: aborting it aborts the call, its retries and its hedges. */
  signal?: AbortSignal;
  /**
   * How many milliseconds the caller is prepared to wait. Retries, backoffs and hedges that cannot finish in time
   * are not started. This informs policies; to enforce it, put a timeout policy outermost.
   */
  deadlineMs?: number;
}

/** The result of {@link Policy.executeOutcome}: a value or the error, never a throw. */
export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Options every policy accepts. */
export interface CommonPolicyOptions {
  /**
   * What the policy protects, used as the `name` label of its metrics (`catalog`, `billing-write`).
   * @default the policy kind
   */
  name?: string;
  /** The clock for timers and durations. @default the system clock */
  clock?: Clock;
  /** A prom-client Registry to report `resilience_*` metrics to. Without one, nothing is exported. */
  metrics?: Registry;
}

/** A resilience policy. Compose several with `pipeline(...)`, outermost first. */
export interface Policy {
  /** The kind of policy, the `policy` label of its metrics (`retry`, `circuit_breaker`, …). */
  readonly policy: string;
  /** What it protects, the `name` label of its metrics. */
  readonly name: string;
  /** Runs `fn` under this policy. Rejects with the policy's error (or `fn`'s) when the call does not succeed. */
  execute<T>(fn: PolicyFn<T>, options?: ExecuteOptions): Promise<T>;
  /** Like {@link Policy.execute} but resolves to an {@link Outcome}, which is cheaper than a throw when shedding load. */
  executeOutcome<T>(fn: PolicyFn<T>, options?: ExecuteOptions): Promise<Outcome<T>>;
  /**
   * Runs `fn` inside an existing call: how `pipeline` chains policies so that the signal, the attempt and the
   * deadline flow through every layer.
   */
  run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T>;
  /** Releases timers and metric registrations. Idempotent; later calls are rejected. */
  dispose(): void;
}

/** Shared plumbing of the built-in policies. */
export abstract class BasePolicy implements Policy, MetricSource {
  abstract readonly policy: string;
  readonly name: string;
  protected readonly clock: Clock;
  protected readonly check: OptionChecker;
  protected disposed = false;
  private readonly metrics: ResilienceMetrics | undefined;

  protected constructor(kind: string, options: CommonPolicyOptions) {
    this.check = new OptionChecker(kind);
    this.name = this.check.name(options.name, kind);
    this.clock = options.clock ?? systemClock;
    if (options.metrics !== undefined && (typeof options.metrics !== 'object' || typeof options.metrics.registerMetric !== 'function')) {
      throw this.check.error('metrics', 'must be a prom-client Registry');
    }
    this.metrics = options.metrics ? resilienceMetrics(options.metrics) : undefined;
  }

  /** Whether this policy reports metrics (and so should time its calls). */
  protected get measured(): boolean {
    return this.metrics !== undefined;
  }

  /** Starts reporting to the registry; subclasses call it once their counters exist. */
  protected attachMetrics(): void {
    this.metrics?.attach(this);
  }

  /** Reports another source (a shared retry budget) to this policy's registry, once. */
  protected attachShared(source: MetricSource): void {
    this.metrics?.attach(source);
  }

  collect?(sink: SampleSink): void;

  execute<T>(fn: PolicyFn<T>, options?: ExecuteOptions): Promise<T> {
    let context: CallContext;
    let running: Promise<T>;
    try {
      context = rootContext(this.clock, options);
      running = this.run(fn, context);
    } catch (error) {
      // Policies whose run() is not async may throw synchronously (a disposed policy); callers get a rejection.
      return Promise.reject(error);
    }
    // Only a context linked to the caller's signal holds a listener to release; others need no second promise.
    return options?.signal ? running.finally(() => context.release()) : running;
  }

  async executeOutcome<T>(fn: PolicyFn<T>, options?: ExecuteOptions): Promise<Outcome<T>> {
    try {
      return { ok: true, value: await this.execute(fn, options) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  abstract run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T>;

  /** Throws when the policy was disposed, so that nothing runs unprotected after shutdown. */
  protected assertLive(): void {
    if (this.disposed) throw new PolicyDisposedError(this.name);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.metrics?.detach(this);
    this.onDispose();
  }

  /** Releases what the subclass holds (timers, listeners). */
  protected onDispose(): void {}
}

/** The root context of one `execute` call. */
export function rootContext(clock: Clock, options: ExecuteOptions | undefined): CallContext {
  const deadlineMs = options?.deadlineMs;
  if (deadlineMs !== undefined && !(deadlineMs >= 0)) {
    throw new OptionChecker('execute').error('deadlineMs', `must be a number of milliseconds >= 0, got ${deadlineMs}`);
  }
  return CallContext.root(options?.signal, deadlineMs === undefined ? Number.POSITIVE_INFINITY : clock.monotonic() + deadlineMs);
}

/**
 * Calls `fn` with `context` and returns a promise of its result, whether `fn` returned a value, a promise or a
 * thenable, or threw. Not an async function on purpose: returning a promise from one costs two extra microtask
 * turns, and this runs once per layer per call.
 */
export function invoke<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
  try {
    const result = fn(context);
    return result instanceof Promise ? result : Promise.resolve(result);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Runs `fn` like {@link invoke}, counting its `success` or `failure` in `outcomes`. */
export async function invokeCounted<T>(
  fn: PolicyFn<T>,
  context: CallContext,
  outcomes: { success: number; failure: number },
): Promise<T> {
  try {
    const value = await invoke(fn, context);
    outcomes.success++;
    return value;
  } catch (error) {
    outcomes.failure++;
    throw error;
  }
}
