/**
 * @module
 * Text sparklines for the console's SLO rows: one block character per sample, scaled to the series itself so a
 * dip from 100% to 99.5% is visible, but never to a span so small that a flat or nearly flat line looks like a
 * crash.
 */

/** The eight heights, lowest first. */
export const SPARK_BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

/** Drawn for a sample without data (a gap in the series). */
export const SPARK_GAP = '·';

/** Options of {@link sparkline}. */
export interface SparklineOptions {
  /**
   * The smallest span the blocks cover, in the values' unit (default 0.01, one percentage point of a ratio). The
   * scale runs from `max − max(span, max − min)` to `max`: a flat line draws full blocks, and a wobble smaller than
   * the span stays near the top instead of filling the whole height.
   */
  readonly minSpan?: number;
}

/**
 * The last `width` samples of `values` as exactly `width` characters, oldest on the left. Missing samples show as
 * {@link SPARK_GAP}; a series shorter than `width` is padded with spaces on the left, where there is no history yet.
 *
 * @example
 * sparkline([1, 1, 0.98, undefined, 1], 6); // ' ██▁·█'
 */
export function sparkline(values: readonly (number | undefined)[], width: number, options: SparklineOptions = {}): string {
  if (width <= 0) return '';
  const shown = values.slice(-width);
  const known = shown.filter((v): v is number => v !== undefined && Number.isFinite(v));
  const max = known.length > 0 ? Math.max(...known) : 0;
  const min = known.length > 0 ? Math.min(...known) : 0;
  const span = Math.max(options.minSpan ?? 0.01, max - min);
  const low = max - span;
  const top = SPARK_BLOCKS.length - 1;
  const cells = shown.map((value) => {
    if (value === undefined || !Number.isFinite(value)) return SPARK_GAP;
    const level = Math.round(((value - low) / span) * top);
    return SPARK_BLOCKS[Math.min(top, Math.max(0, level))]!;
  });
  return ' '.repeat(width - cells.length) + cells.join('');
}
