/**
 * @module
 * The console's first line: what the drill runs against, the time, and the states that change what a key does
 * (leashed, read-only, kill switch), with the active faults and the viewers' rate.
 */
import type { DrillView } from '../engine/drill/drill-controls.js';
import { drillTime } from '../engine/drill/drill-report.js';
import { formatClock } from './format.js';
import { Line, seg, type Segment } from './segments.js';
import { columnsOf, cut } from './text-cells.js';

/** Props of {@link Header}. */
export interface HeaderProps {
  readonly view: DrillView;
  readonly width: number;
  /** The clock's time zone; the process's own by default. */
  readonly timeZone?: string;
}

/** The header line. */
export function Header({ view, width, timeZone }: HeaderProps) {
  return <Line segments={headerSegments(view, width, timeZone)} width={width} />;
}

/** The header's pieces, the stack's name cut first so the states always show. */
export function headerSegments(view: DrillView, width: number, timeZone?: string): Segment[] {
  const states: Segment[] = [
    view.leashed ? seg('LEASHED', { color: 'green', bold: true }) : seg('UNLEASHED', { color: 'red', bold: true, inverse: true }),
    ...(view.readonly ? [seg('READ-ONLY', { color: 'yellow', bold: true, inverse: true })] : []),
    ...(view.killSwitch ? [seg('KILL SWITCH', { color: 'red', bold: true, inverse: true })] : []),
    view.faults.length > 0
      ? seg(`${view.faults.length} ${view.faults.length === 1 ? 'fault' : 'faults'}`, { color: 'yellow', bold: true })
      : seg('no faults', { dim: true }),
    ...(view.viewers ? [seg(`viewers ${view.viewers.rate}/s`)] : []),
  ];
  const elapsed = view.phase === 'starting' ? seg(view.phase, { color: 'yellow' }) : seg(drillTime(view.now, view.startedAt), { bold: true });
  const clock = seg(formatClock(view.now, timeZone), { dim: true });
  for (const rest of [[clock, elapsed, ...states], [elapsed, ...states]]) {
    const restWidth = rest.reduce((sum, s) => sum + columnsOf(s.text) + 2, 0);
    const room = width - restWidth;
    if (room >= 8 || rest.length === states.length + 1) {
      return [seg(cut(view.stack, Math.max(0, room)), { bold: true }), ...rest.flatMap((s) => [seg('  '), s])];
    }
  }
  return [];
}
