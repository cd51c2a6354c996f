/**
 * @module
 * How the console writes numbers and times: short, fixed-ish widths, and never rounding a ratio that is not 1 up to
 * `100%` (an SLO at 99.996% has still failed some requests).
 */

/**
 * A ratio (0–1) as a percentage with the digits that matter: two decimals from 99% up (`99.95%`), one below
 * (`87.3%`), trailing zeros dropped (`99.9%`, `50%`), and exactly `100%` only for 1. Digits are cut, not rounded.
 *
 * @example
 * formatPercent(0.9995); // '99.95%'
 * formatPercent(0.99999); // '99.99%'
 */
export function formatPercent(ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  if (ratio >= 1) return ratio === 1 ? '100%' : `${trimZeros((ratio * 100).toFixed(1))}%`;
  const digits = ratio >= 0.99 ? 2 : 1;
  const scale = 10 ** digits;
  // The small epsilon keeps 0.999 (stored as 0.99899…) at 99.9 instead of cutting it to 99.89.
  const cut = Math.floor(ratio * 100 * scale + 1e-6) / scale;
  return `${trimZeros(cut.toFixed(digits))}%`;
}

/** An optional ratio: {@link formatPercent}, or `—` while there is no data. */
export function formatMaybePercent(ratio: number | undefined): string {
  return ratio === undefined ? '—' : formatPercent(ratio);
}

/** The share of an error budget left, as a whole percentage, or `spent` once there is none left: `82%`, `spent`. */
export function formatBudgetLeft(share: number | undefined): string {
  if (share === undefined || !Number.isFinite(share)) return '—';
  // Overspent is overspent: -1550% says nothing more than "none left" in a five-column cell.
  if (share <= 0) return 'spent';
  return `${Math.trunc(share * 100)}%`;
}

/** A burn rate: `0.4x`, `2.5x`, `14x` (one decimal below 10). */
export function formatBurnRate(rate: number | undefined): string {
  if (rate === undefined || !Number.isFinite(rate)) return '—';
  return rate < 10 ? `${rate.toFixed(1)}x` : `${Math.round(rate)}x`;
}

/** A rate per second: `0`, `0.4/s`, `12/s`. */
export function formatPerSecond(rate: number): string {
  if (!Number.isFinite(rate) || rate <= 0) return '0';
  return rate < 10 ? `${trimZeros(rate.toFixed(1))}/s` : `${Math.round(rate)}/s`;
}


/** The wall clock at `epochMs` as `hh:mm:ss` (24 h), in `timeZone` or the process's own zone. */
export function formatClock(epochMs: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23', timeZone })
    .formatToParts(new Date(epochMs));
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('hour')}:${part('minute')}:${part('second')}`;
}

/**
 * How long until `until`, for a fault's countdown: `1h05m`, `4m10s`, `45s`, and `0s` once due (it is reverting).
 *
 * @example
 * formatTimeLeft(0, 250_000); // '4m10s'
 */
export function formatTimeLeft(now: number, until: number): string {
  const seconds = Math.max(0, Math.ceil((until - now) / 1000));
  if (seconds >= 3600) return `${Math.floor(seconds / 3600)}h${pad2(Math.floor((seconds % 3600) / 60))}m`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m${pad2(seconds % 60)}s`;
  return `${seconds}s`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function trimZeros(fixed: string): string {
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}
