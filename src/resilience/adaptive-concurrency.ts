/**
 * @module
 * Adaptive concurrency limit: a bulkhead whose size is learned from the dependency's own answers (latency and
 * drops) instead of hand-tuned, in the manner of Netflix concurrency-limits. Calls over the limit are shed at once.
 */
import { withoutStack } from '../core/errors.js';
import { EventEmitter } from '../core/events.js';
import type { CallContext, PolicyFn } from './context.js';
import { BulkheadRejectedError, isCapacityRejection, isCircuitOpenError, isTimeoutError } from './errors.js';
import { AimdLimit, type AimdLimitOptions } from './limits/aimd-limit.js';
import { GradientLimit, type GradientLimitOptions } from './limits/gradient-limit.js';
import type { ConcurrencyLimitAlgorithm, LimitBounds } from './limits/limit-algorithm.js';
import { LatencyHistogram } from './metrics/latency-histogram.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import type { OptionChecker } from './options.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';

export type { ConcurrencyLimitAlgorithm, LimitBounds } from './limits/limit-algorithm.js';

/** Options of {@link adaptiveConcurrency} whatever the algorithm. */
export interface AdaptiveConcurrencyBaseOptions extends CommonPolicyOptions {
  /** Which failures mean "overloaded", besides a `TimeoutError` (an HTTP 503, a 429). @default none */
  isDrop?: (error: unknown) => boolean;
}

/**
 * Options of {@link adaptiveConcurrency}: a built-in algorithm by name, with its bounds (`initialLimit` 20,
 * `minLimit` 1, `maxLimit` 200 by default) and its own options; or an algorithm object, which owns all of those.
 */
export type AdaptiveConcurrencyOptions =
  | (AdaptiveConcurrencyBaseOptions & Partial<LimitBounds> & AimdLimitOptions & { algorithm: 'aimd' })
  | (AdaptiveConcurrencyBaseOptions & Partial<LimitBounds> & GradientLimitOptions & { algorithm: 'gradient' })
  | (AdaptiveConcurrencyBaseOptions & { algorithm: ConcurrencyLimitAlgorithm });

/** Payload of {@link AdaptiveConcurrencyPolicy.onLimitChange}. */
export interface LimitChangeEvent {
  readonly previous: number;
  readonly limit: number;
}

/** Options that belong to one built-in algorithm; an algorithm object owns these and the bounds itself. */
const OWN_OPTIONS = {
  aimd: ['backoffRatio'],
  gradient: ['smoothing', 'queueSize', 'longWindow', 'rttTolerance'],
} as const;
const BOUNDS = ['initialLimit', 'minLimit', 'maxLimit'] as const;
/** A sanity cap on configured limits: far above any real concurrency, far below where arithmetic gets odd. */
const MAX_LIMIT = 1_000_000;

/** Sheds calls beyond a concurrency limit that adapts to the dependency. */
export class AdaptiveConcurrencyPolicy extends BasePolicy {
  readonly policy = 'adaptive_concurrency';
  readonly outcomes = { success: 0, failure: 0, rejected: 0 };
  readonly durations: LatencyHistogram | undefined;
  readonly algorithm: ConcurrencyLimitAlgorithm;
  private readonly isDrop: ((error: unknown) => boolean) | undefined;
  private running = 0;
  private admitted: number;
  private readonly changed = new EventEmitter<LimitChangeEvent>();
  /** Fires when the whole-number limit changes. */
  readonly onLimitChange = this.changed.event;

  constructor(options: AdaptiveConcurrencyOptions) {
    super('adaptiveConcurrency', options);
    this.algorithm = buildAlgorithm(options, this.check);
    this.isDrop = this.check.fn('isDrop', options.isDrop);
    this.admitted = this.effectiveLimit();
    this.durations = this.measured ? new LatencyHistogram() : undefined;
    this.attachMetrics();
  }

  /** Calls admitted at most at once, now. */
  get limit(): number {
    return this.admitted;
  }

  /** Calls running now. */
  get inflight(): number {
    return this.running;
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    if (this.running >= this.admitted) {
      this.outcomes.rejected++;
      throw withoutStack(() => new BulkheadRejectedError(this.name, this.admitted));
    }
    const inflight = ++this.running;
    const startedAt = this.clock.monotonic();
    let didDrop = false;
    let informative = true;
    try {
      const value = await invoke(fn, context);
      this.outcomes.success++;
      return value;
    } catch (error) {
      this.outcomes.failure++;
      didDrop = isTimeoutError(error) || this.isDrop?.(error) === true;
      // A call the caller abandoned, or that never reached the dependency, has an RTT that says nothing about it.
      informative = didDrop || !(context.aborted || isCapacityRejection(error) || isCircuitOpenError(error));
      throw error;
    } finally {
      // In `finally`, so that a throwing `isDrop` cannot leak a slot.
      this.finish(startedAt, inflight, didDrop, informative);
    }
  }

  override collect(sink: SampleSink): void {
    sink('resilience_concurrency_limit', { name: this.name }, this.admitted);
    sink('resilience_concurrency_inflight', { name: this.name }, this.running);
  }

  private finish(startedAt: number, inflight: number, didDrop: boolean, informative: boolean): void {
    this.running--;
    const rttMs = this.clock.monotonic() - startedAt;
    this.durations?.observeMs(rttMs);
    if (!informative) return;
    this.algorithm.onSample(rttMs, inflight, didDrop);
    const previous = this.admitted;
    this.admitted = this.effectiveLimit();
    if (this.admitted !== previous && this.changed.hasListeners) this.changed.emit({ previous, limit: this.admitted });
  }

  /** At least 1: with nothing admitted, no sample would ever come to raise the limit again. */
  private effectiveLimit(): number {
    const limit = Math.floor(this.algorithm.limit);
    return limit >= 1 ? limit : 1;
  }
}

/** What a caller may have passed, typed loosely: the options come from JavaScript and config files too. */
type GivenOptions = AdaptiveConcurrencyBaseOptions &
  Partial<LimitBounds> &
  AimdLimitOptions &
  GradientLimitOptions & { algorithm?: unknown };

function buildAlgorithm(options: GivenOptions, check: OptionChecker): ConcurrencyLimitAlgorithm {
  const { algorithm } = options;
  if (typeof algorithm === 'object' && algorithm !== null) {
    const owned = [...BOUNDS, ...OWN_OPTIONS.aimd, ...OWN_OPTIONS.gradient];
    rejectGiven(options, check, owned, 'belongs to the algorithm object: configure it there');
    const custom = algorithm as Partial<ConcurrencyLimitAlgorithm>;
    if (typeof custom.onSample !== 'function' || typeof custom.limit !== 'number') {
      throw check.error('algorithm', 'must be "aimd", "gradient" or an object with a numeric `limit` and `onSample()`');
    }
    return custom as ConcurrencyLimitAlgorithm;
  }
  if (algorithm === undefined) throw check.error('algorithm', 'is required: "aimd", "gradient" or a ConcurrencyLimitAlgorithm');
  const kind = check.choice('algorithm', algorithm, 'aimd', ['aimd', 'gradient']);
  rejectGiven(options, check, OWN_OPTIONS[kind === 'aimd' ? 'gradient' : 'aimd'], `does not apply to algorithm "${kind}"`);
  const bounds = limitBounds(options, check);
  return kind === 'aimd' ? new AimdLimit(bounds, options, check) : new GradientLimit(bounds, options, check);
}

/** Options given to the wrong algorithm would be silently ignored; a typo'd config deserves an error instead. */
function rejectGiven(
  options: GivenOptions,
  check: OptionChecker,
  names: ReadonlyArray<keyof GivenOptions>,
  detail: string,
): void {
  for (const name of names) if (options[name] !== undefined) throw check.error(name, detail);
}

function limitBounds(options: GivenOptions, check: OptionChecker): LimitBounds {
  const minLimit = check.integer('minLimit', options.minLimit, 1, 1, MAX_LIMIT);
  const maxLimit = check.integer('maxLimit', options.maxLimit, Math.max(200, minLimit), minLimit, MAX_LIMIT);
  const defaultInitial = Math.min(Math.max(20, minLimit), maxLimit);
  const initialLimit = check.integer('initialLimit', options.initialLimit, defaultInitial, minLimit, maxLimit);
  return { initialLimit, minLimit, maxLimit };
}

/**
 * An adaptive concurrency limit. A call is admitted while fewer than `limit` run, else rejected at once with a
 * stackless {@link BulkheadRejectedError} (a capacity rejection: circuit breakers ignore it). Each admitted call's
 * RTT feeds the algorithm: `aimd` backs off on drops (timeouts), `gradient` on rising latency.
 *
 * @example
 * const catalogLimit = adaptiveConcurrency({ name: 'catalog', algorithm: 'gradient', maxLimit: 100 });
 * const titles = await catalogLimit.execute(({ signal }) => catalogClient.titles({ signal }));
 */
export function adaptiveConcurrency(options: AdaptiveConcurrencyOptions): AdaptiveConcurrencyPolicy {
  return new AdaptiveConcurrencyPolicy(options);
}
