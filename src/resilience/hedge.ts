/**
 * @module
 * Hedging: when an attempt is slower than usual, send another and take whichever answers first. A little extra
 * load, capped by a shared {@link RetryBudget}, buys a much shorter tail; the losers are cancelled through their
 * signal so they stop costing the dependency anything.
 */
import type { Timer } from '../core/clock.js';
import { withoutStack } from '../core/errors.js';
import { EventEmitter } from '../core/events.js';
import type { CallContext, PolicyFn } from './context.js';
import { HedgeCancelledError } from './errors.js';
import { LatencyWindow } from './latency-window.js';
import { LatencyHistogram } from './metrics/latency-histogram.js';
import type { SampleSink } from './metrics/resilience-metrics.js';
import { BasePolicy, invoke, type CommonPolicyOptions } from './policy.js';
import type { RetryBudget } from './retry-budget.js';


/** Percentile samples needed before the live delay is trusted; until then hedges wait `maxDelayMs`. */
const WARMUP_SAMPLES = 20;

/** Options of {@link hedge}. Give exactly one of `delayMs` and `percentile`. */
export interface HedgeOptions extends CommonPolicyOptions {
  /** A fixed wait, in milliseconds, before each hedge. */
  delayMs?: number;
  /**
   * Wait for this percentile (0.95 for p95) of recent answer times instead: hedge only the calls that are already
   * slower than nearly all others, whatever "slow" means for this dependency today.
   */
  percentile?: number;
  /** With `percentile`: the shortest delay, so a very fast dependency is not hedged on every blip. @default 0 */
  minDelayMs?: number;
  /**
   * With `percentile`: the longest delay, also used until 20 answers have been seen.
   * @default Infinity (no hedging until the percentile is known)
   */
  maxDelayMs?: number;
  /** Hedges allowed per call, besides the first attempt (0 to 10). @default 1 */
  maxHedges?: number;
  /** The dependency's shared budget: each call earns hedges, each hedge spends one. @default no limit */
  budget?: RetryBudget;
}

/** Payload of {@link HedgePolicy.onHedge}. */
export interface HedgeEvent {
  /** The hedge's attempt number (2 for the first hedge). */
  readonly attempt: number;
  /** `delay`: earlier attempts were still running after the delay; `failure`: every earlier attempt had failed. */
  readonly trigger: 'delay' | 'failure';
  /** Milliseconds since the call started. */
  readonly elapsedMs: number;
}

interface Attempt {
  readonly context: CallContext;
  readonly startedAt: number;
  failed: boolean;
}

/** Races extra attempts against slow ones; the first success wins. */
export class HedgePolicy extends BasePolicy {
  readonly policy = 'hedge';
  readonly outcomes = { success: 0, failure: 0 };
  /** `resilience_hedges_total` by result: launched, won (a hedge's answer was used), budget_exhausted. */
  readonly hedges = { launched: 0, won: 0, budget_exhausted: 0 };
  readonly durations: LatencyHistogram | undefined;
  readonly maxHedges: number;
  private readonly budget: RetryBudget | undefined;
  private readonly fixedDelayMs: number;
  private readonly minDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly window: LatencyWindow | undefined;
  private readonly hedged = new EventEmitter<HedgeEvent>();
  /** Fires when a hedge is launched. */
  readonly onHedge = this.hedged.event;

  constructor(options: HedgeOptions) {
    super('hedge', options);
    const fixed = options.delayMs !== undefined;
    if (fixed === (options.percentile !== undefined)) {
      throw fixed
        ? this.check.error('percentile', 'cannot be given together with "delayMs"; choose one')
        : this.check.error('delayMs', 'or "percentile" is required: how long before a hedge is sent?');
    }
    if (fixed) {
      for (const option of ['minDelayMs', 'maxDelayMs'] as const) {
        if (options[option] !== undefined) throw this.check.error(option, 'only applies with "percentile"');
      }
      this.fixedDelayMs = this.check.duration('delayMs', options.delayMs, 0);
      this.minDelayMs = this.maxDelayMs = this.fixedDelayMs;
    } else {
      this.window = new LatencyWindow(this.check.ratio('percentile', options.percentile, 0));
      this.minDelayMs = this.check.duration('minDelayMs', options.minDelayMs, 0);
      this.maxDelayMs = this.check.number('maxDelayMs', options.maxDelayMs, Number.POSITIVE_INFINITY, this.minDelayMs);
      this.fixedDelayMs = Number.NaN;
    }
    this.maxHedges = this.check.integer('maxHedges', options.maxHedges, 1, 0, 10);
    if (options.budget !== undefined && typeof options.budget?.tryAcquire !== 'function') {
      throw this.check.error('budget', 'must be a RetryBudget');
    }
    this.budget = options.budget;
    this.durations = this.measured ? new LatencyHistogram() : undefined;
    this.attachMetrics();
    if (this.budget) this.attachShared(this.budget);
  }

  /** The wait before the next call's first hedge, in milliseconds (`Infinity`: no hedge). */
  get delayMs(): number {
    const window = this.window;
    if (!window) return this.fixedDelayMs;
    if (window.count < WARMUP_SAMPLES) return this.maxDelayMs;
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, window.value()));
  }

  async run<T>(fn: PolicyFn<T>, context: CallContext): Promise<T> {
    this.assertLive();
    this.budget?.recordRequest();
    const startedAt = this.clock.monotonic();
    const delayMs = this.delayMs;
    const attempts: Attempt[] = [];
    let running = 0;
    let timer: Timer | undefined;
    let settled = false;

    return new Promise<T>((resolve, reject) => {
      const settle = (winner: Attempt | undefined): void => {
        settled = true;
        timer?.cancel();
        let reason: HedgeCancelledError | undefined;
        for (const attempt of attempts) {
          if (attempt !== winner && !attempt.failed) {
            // Only built when there is a loser to cancel, which is the rare, hedged path.
            reason ??= withoutStack(() => new HedgeCancelledError(this.name));
            attempt.context.abort(reason);
          }
          attempt.context.release();
        }
        this.durations?.observeMs(this.clock.monotonic() - startedAt);
      };

      // Every hedge passes the same gates, cheapest first; the budget comes last so that it is only spent (or
      // counted as exhausted) for a hedge that would otherwise go out.
      const mayHedge = (): boolean => {
        if (this.disposed || attempts.length > this.maxHedges) return false;
        if (context.aborted || this.clock.monotonic() >= context.deadline) return false;
        if (this.budget && !this.budget.tryAcquire()) {
          this.hedges.budget_exhausted++;
          return false;
        }
        return true;
      };

      const launch = (trigger?: HedgeEvent['trigger']): void => {
        const now = this.clock.monotonic();
        const attempt: Attempt = { context: context.child(attempts.length + 1), startedAt: now, failed: false };
        attempts.push(attempt);
        running++;
        if (trigger) {
          this.hedges.launched++;
          if (this.hedged.hasListeners) this.hedged.emit({ attempt: attempts.length, trigger, elapsedMs: now - startedAt });
        }
        if (attempts.length <= this.maxHedges && delayMs !== Number.POSITIVE_INFINITY) {
          // The call holds the process open; a pending hedge alone must not.
          timer = this.clock.setTimer(onDelay, delayMs, { keepAlive: false });
        }
        invoke(fn, attempt.context).then(
          (value) => onSuccess(attempt, value),
          (error: unknown) => onFailure(attempt, error),
        );
      };

      const onDelay = (): void => {
        timer = undefined;
        if (!settled && mayHedge()) launch('delay');
      };

      const onSuccess = (attempt: Attempt, value: T): void => {
        if (settled) return;
        settle(attempt);
        this.outcomes.success++;
        if (attempt !== attempts[0]) this.hedges.won++;
        this.window?.observe(this.clock.monotonic() - censoredStart(attempts));
        resolve(value);
      };

      const onFailure = (attempt: Attempt, error: unknown): void => {
        if (settled) return;
        attempt.failed = true;
        if (--running > 0) return;
        timer?.cancel();
        timer = undefined;
        if (mayHedge()) return launch('failure');
        settle(undefined);
        this.outcomes.failure++;
        reject(error);
      };

      launch();
    });
  }

  override collect(sink: SampleSink): void {
    for (const [result, value] of Object.entries(this.hedges)) {
      sink('resilience_hedges_total', { name: this.name, result }, value);
    }
  }
}

/**
 * When the answer's clock started, for the latency window. A hedge that wins was launched because the attempt
 * before it was slow; timing only the hedge would drop exactly the slow answers the percentile is about, and the
 * delay would shrink call after call. So the sample runs from the oldest attempt still alive: a lower bound of
 * how long the dependency was taking. Attempts that had already failed say nothing about that.
 */
function censoredStart(attempts: readonly Attempt[]): number {
  let start = Number.POSITIVE_INFINITY;
  for (const attempt of attempts) if (!attempt.failed && attempt.startedAt < start) start = attempt.startedAt;
  return start;
}

/**
 * A hedging policy: if an attempt has not answered after the delay, another is sent (up to `maxHedges`, within
 * the budget and the caller's deadline), and the first success is used while the others are aborted. When every
 * attempt in flight has failed, the next hedge is sent at once; when none may be sent, the last error is thrown.
 *
 * @example
 * const budget = new RetryBudget({ name: 'catalog' });
 * const catalog = hedge({ name: 'catalog', percentile: 0.95, minDelayMs: 5, maxDelayMs: 500, budget });
 * const title = await catalog.execute(({ signal }) => fetch(url, { signal }).then((r) => r.json()));
 */
export function hedge(options: HedgeOptions): HedgePolicy {
  return new HedgePolicy(options);
}
