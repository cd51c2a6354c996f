/**
 * @module
 * Burn-rate arithmetic (the SRE workbook's, as sloth generates it): how fast a window spends the error budget,
 * and what share of a period's budget it spent.
 */
import { errorBudget, type Slo } from './slo-spec.js';
import type { SliWindow } from './sli-source.js';

/** sloth's default SLO period: 30 days. */
export const DEFAULT_PERIOD_MS = 30 * 24 * 3_600_000;

/** The short windows reported as "current burn rate", ending at the evaluated window's end: the page-quick pair. */
export const DEFAULT_BURN_WINDOWS: Readonly<Record<string, number>> = { '5m': 300_000, '1h': 3_600_000 };

/**
 * The burn rate of an error ratio: 1 spends exactly the budget over the period, 14.4 spends 2% of a 30-day budget
 * in an hour.
 *
 * @example
 * burnRate(0.05, { objective: 99.9 }); // 50
 */
export function burnRate(errorRatio: number, slo: Pick<Slo, 'objective'>): number {
  const budget = errorBudget(slo);
  if (budget <= 0) return errorRatio > 0 ? Number.POSITIVE_INFINITY : 0;
  return errorRatio / budget;
}

/**
 * The share of a whole period's error budget that `windowMs` at `rate` consumed: `BR × W / P`.
 *
 * @example
 * periodBudgetConsumed(50, 600_000); // 10 min at 50× of 30 days ≈ 0.0116 (1.16% of the month's budget)
 */
export function periodBudgetConsumed(rate: number, windowMs: number, periodMs = DEFAULT_PERIOD_MS): number {
  return (rate * windowMs) / periodMs;
}

/**
 * The burn-rate factor that spends `budgetPercent` of the budget within `longWindowMs` over `periodMs` (sloth's
 * `getBurnRateFactor`): 2% in 1 h of 30 days is 14.4.
 */
export function burnRateFactor(budgetPercent: number, longWindowMs: number, periodMs = DEFAULT_PERIOD_MS): number {
  return ((budgetPercent / 100) * periodMs) / longWindowMs;
}

/**
 * The sub-window of `window` that a burn window of `lengthMs` covers, ending at `window.end`. When the window is
 * shorter than the burn window, it is the whole window (the most that was observed).
 */
export function trailingWindow(window: SliWindow, lengthMs: number): SliWindow {
  return { start: Math.max(window.start, window.end - lengthMs), end: window.end };
}

/** A duration as people write it: `5m`, `1h`, `90s`, `1h30m`, `250ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  let rest = Math.round(ms / 1000) * 1000;
  let text = '';
  for (const [unit, size] of units) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text;
}
