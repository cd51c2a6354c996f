/**
 * @module
 * The drill's timeline, newest at the bottom, each entry stamped with the drill time and tagged with its kind.
 */
import type { TimelineEntry, TimelineKind } from '../engine/drill/drill-controls.js';
import { drillTime } from '../engine/drill/drill-report.js';
import { Section } from './panel-section.js';
import { seg, type Segment } from './segments.js';
import { cell } from './text-cells.js';

/** Each kind's tag and colour: the tag tells kinds apart without colour. */
export const TIMELINE_KINDS: Readonly<Record<TimelineKind, { readonly tag: string; readonly color: string }>> = {
  fault: { tag: 'fault', color: 'red' },
  revert: { tag: 'revert', color: 'green' },
  refused: { tag: 'refused', color: 'yellow' },
  instance: { tag: 'inst', color: 'blue' },
  slo: { tag: 'slo', color: 'magenta' },
  note: { tag: 'note', color: 'cyan' },
  experiment: { tag: 'exp', color: 'blue' },
  halt: { tag: 'HALT', color: 'red' },
  info: { tag: 'info', color: 'gray' },
  warning: { tag: 'warn', color: 'yellow' },
};

const TAG_WIDTH = 7;

/** Props of {@link TimelinePanel}. */
export interface TimelinePanelProps {
  readonly timeline: readonly TimelineEntry[];
  readonly startedAt: number;
  readonly width: number;
  readonly height: number;
}

/** The last entries of the timeline that fit. */
export function TimelinePanel({ timeline, startedAt, width, height }: TimelinePanelProps) {
  const room = Math.max(0, height - 1);
  const rows: Segment[][] = (room > 0 ? timeline.slice(-room) : []).map((entry) => {
    const kind = TIMELINE_KINDS[entry.kind];
    return [
      seg(drillTime(entry.at, startedAt), { dim: true }),
      seg(` ${cell(kind.tag, TAG_WIDTH)}`, { color: kind.color, bold: entry.kind === 'halt' || entry.kind === 'fault' }),
      seg(` ${entry.text}`),
    ];
  });
  return <Section title={[seg('TIMELINE', { bold: true })]} rows={rows} width={width} height={height} />;
}
