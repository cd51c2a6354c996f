/**
 * @module
 * Fixed-width cells for the console's aligned columns. Widths count code points: every character the console
 * draws itself (block elements, geometric shapes, arrows) is one column wide in a Western terminal.
 */

/** `text` cut to `width` (ending in `…` when cut) or padded with spaces to exactly `width`. */
export function cell(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  const fitted = cut(text, width);
  const padding = ' '.repeat(width - [...fitted].length);
  return align === 'left' ? fitted + padding : padding + fitted;
}

/** `text` cut to at most `width` columns, ending in `…` when anything was cut. */
export function cut(text: string, width: number): string {
  const chars = [...text];
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return chars.slice(0, width - 1).join('') + '…';
}

/** How many columns `text` takes (see the module note on widths). */
export function columnsOf(text: string): number {
  return [...text].length;
}
