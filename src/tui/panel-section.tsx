/**
 * @module
 * A titled block of the main panels: a title line, then rows, in exactly the lines the layout gave it.
 */
import { Lines, type Segment } from './segments.js';

/** Props of {@link Section}. */
export interface SectionProps {
  readonly title: readonly Segment[];
  readonly rows: readonly (readonly Segment[])[];
  readonly width: number;
  /** Lines, title included. */
  readonly height: number;
}

/** A title and as many rows as fit under it. */
export function Section({ title, rows, width, height }: SectionProps) {
  return <Lines lines={[title, ...rows]} width={width} height={height} />;
}

/** The rows to show when `rows` has more than `room`: the first `room − 1` and a line saying how many are left out. */
export function withOverflow(rows: readonly (readonly Segment[])[], room: number, more: (hidden: number) => Segment[]): (readonly Segment[])[] {
  if (rows.length <= room) return [...rows];
  if (room <= 0) return [];
  return [...rows.slice(0, room - 1), more(rows.length - room + 1)];
}
