/**
 * @module
 * Plain aligned tables for terminal output: columns padded to their widest cell, two spaces apart.
 */

/** Renders `rows` under `header`, one line each, with a trailing newline. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  return [header, ...rows].map((r) => r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}
