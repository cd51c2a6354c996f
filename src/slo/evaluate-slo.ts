/**
 * @module
 * The verdict on one SLO over one window: the SLI a source measured, held against the objective, with the error
 * budget the window consumed and the burn rates of its trailing short windows. Missing data is inconclusive,
 * never a pass.
 */
import { burnRate, DEFAULT_BURN_WINDOWS, DEFAULT_PERIOD_MS, periodBudgetConsumed, trailingWindow } from './burn-rate.js';
import type { SliResult, SliSource, SliWindow } from './sli-source.js';
import { errorBudget, type Slo } from './slo-spec.js';

/** The outcome of an SLO check. */
export type SloVerdict = 'pass' | 'fail' | 'inconclusive';

/** The burn rate over one trailing window, or why it could not be measured. */
export interface BurnRateReading {
  /** The length actually covered: the burn window's, or the whole window's when that is shorter. */
  readonly windowMs: number;
  readonly burnRate: number | null;
  readonly reason?: string;
}

/** Everything `evaluateSlo` found. Ratios are 0–1. */
export interface SloEvaluation {
  readonly slo: Slo;
  readonly window: SliWindow;
  /** The source's name (`direct scrapes`, `prometheus http://…`). */
  readonly source: string;
  /** The good ratio, `1 − errorRatio`; null when inconclusive. */
  readonly sli: number | null;
  /** The objective as a ratio: 99.9% → 0.999. */
  readonly objective: number;
  readonly errorRatio: number | null;
  /** The event counts behind the ratio, when the source knows them. */
  readonly events?: { readonly errors: number; readonly total: number };
  /**
   * The window's error ratio over the error budget: the share of the window's own budget it spent, which is also
   * its burn rate. Above 1 the window missed the objective.
   */
  readonly errorBudgetConsumed: number | null;
  /** The share of a whole period's budget (30 days unless told) this window spent: `burn rate × W / P`. */
  readonly periodBudgetConsumed: number | null;
  /** Burn rates over the trailing windows ending at the window's end, by label (`5m`, `1h`). */
  readonly burnRates: Readonly<Record<string, BurnRateReading>>;
  readonly verdict: SloVerdict;
  /** Why, in a sentence. */
  readonly reason: string;
}

/** Options of {@link evaluateSlo}. */
export interface EvaluateSloOptions {
  /** The present, epoch milliseconds: a window ending after it is inconclusive (not over yet). */
  readonly now?: number;
  /** Trailing windows for the burn rates, label → milliseconds. @default `{ '5m': 300_000, '1h': 3_600_000 }` */
  readonly burnWindows?: Readonly<Record<string, number>>;
  /** The SLO period for {@link SloEvaluation.periodBudgetConsumed}. @default 30 days */
  readonly periodMs?: number;
  /** Fewer events than this (when the source counts events) is inconclusive: a handful of requests proves nothing. @default 1 */
  readonly minEvents?: number;
  readonly signal?: AbortSignal;
}

/** Floating-point slack, so that exactly meeting the objective (1 − 99.9/100 is not exactly 0.001) passes. */
const EPSILON = 1e-12;

/**
 * Measures `slo` over `window` with `source` and decides.
 *
 * @example
 * const result = await evaluateSlo(slo, { start, end }, new PrometheusSliSource(client));
 * if (result.verdict !== 'pass') console.log(result.reason);
 */
export async function evaluateSlo(slo: Slo, window: SliWindow, source: SliSource, options: EvaluateSloOptions = {}): Promise<SloEvaluation> {
  // 99.9 / 100 is 0.9990000000000001 in floating point; reports should read 0.999.
  const objective = Number((slo.objective / 100).toPrecision(12));
  const budget = errorBudget(slo);
  const windowMs = window.end - window.start;
  const burnWindows = options.burnWindows ?? DEFAULT_BURN_WINDOWS;
  const base = { slo, window, source: source.name, objective };

  const measured = await source.errorRatio(slo, window, options.signal);
  const burnRates = await trailingBurnRates(slo, window, source, burnWindows, measured, options.signal);
  const inconclusive = (reason: string): SloEvaluation => ({
    ...base,
    sli: null,
    errorRatio: null,
    errorBudgetConsumed: null,
    periodBudgetConsumed: null,
    burnRates,
    verdict: 'inconclusive',
    reason,
  });

  if (options.now !== undefined && window.end > options.now) return inconclusive('the window has not ended yet');
  if (measured.outcome === 'inconclusive') return inconclusive(measured.reason);
  const minEvents = options.minEvents ?? 1;
  if (measured.events && measured.events.total < minEvents) {
    return inconclusive(`only ${formatCount(measured.events.total)} events in the window (at least ${minEvents} needed)`);
  }

  const rate = burnRate(measured.errorRatio, slo);
  const sli = 1 - measured.errorRatio;
  const pass = measured.errorRatio <= budget + EPSILON;
  const comparison = `SLI ${percent(sli)} ${pass ? '≥' : '<'} objective ${percent(objective)}`;
  return {
    ...base,
    sli,
    errorRatio: measured.errorRatio,
    ...(measured.events ? { events: measured.events } : {}),
    errorBudgetConsumed: rate,
    periodBudgetConsumed: periodBudgetConsumed(rate, windowMs, options.periodMs ?? DEFAULT_PERIOD_MS),
    burnRates,
    verdict: pass ? 'pass' : 'fail',
    reason: pass ? comparison : `${comparison}: the window spent ${rate.toFixed(2)}× its error budget`,
  };
}

async function trailingBurnRates(
  slo: Slo,
  window: SliWindow,
  source: SliSource,
  burnWindows: Readonly<Record<string, number>>,
  whole: SliResult,
  signal: AbortSignal | undefined,
): Promise<Record<string, BurnRateReading>> {
  const entries = await Promise.all(
    Object.entries(burnWindows).map(async ([label, lengthMs]): Promise<[string, BurnRateReading]> => {
      const sub = trailingWindow(window, lengthMs);
      // A burn window at least as long as the window is the window: no second query.
      const result = sub.start === window.start ? whole : await source.errorRatio(slo, sub, signal);
      const windowMs = sub.end - sub.start;
      if (result.outcome === 'inconclusive') return [label, { windowMs, burnRate: null, reason: result.reason }];
      return [label, { windowMs, burnRate: burnRate(result.errorRatio, slo) }];
    }),
  );
  return Object.fromEntries(entries);
}

function percent(ratio: number): string {
  return `${Number((ratio * 100).toFixed(4))}%`;
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
