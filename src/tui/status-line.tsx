/**
 * @module
 * The line above the footer: the note being typed, else the outcome of the last action (a refused fault shows the
 * safety pipeline's reason), else where the SLIs come from and how the viewers fare.
 */
import type { DrillView } from '../engine/drill/drill-controls.js';
import type { ConsoleMode, StatusTone } from './console-mode.js';
import { formatPercent } from './format.js';
import { Line, seg, type Segment } from './segments.js';

/** A message for the status line. */
export interface StatusMessage {
  readonly text: string;
  readonly tone: StatusTone;
}

const TONE_COLORS: Readonly<Record<StatusTone, string | undefined>> = { info: undefined, ok: 'green', warn: 'yellow', error: 'red' };
const NOTE_PROMPT = 'note › ';

/** Props of {@link StatusLine}. */
export interface StatusLineProps {
  readonly view: DrillView;
  readonly mode: ConsoleMode;
  readonly status?: StatusMessage;
  readonly width: number;
}

/** The status line. */
export function StatusLine({ view, mode, status, width }: StatusLineProps) {
  return <Line segments={statusSegments(view, mode, status, width)} width={width} />;
}

function statusSegments(view: DrillView, mode: ConsoleMode, status: StatusMessage | undefined, width: number): Segment[] {
  if (mode.kind === 'note') {
    // The end of a long note stays in sight, where the typing happens.
    const room = Math.max(0, width - NOTE_PROMPT.length - 1);
    const chars = [...mode.text];
    return [seg(NOTE_PROMPT, { color: 'cyan', bold: true }), seg(chars.slice(Math.max(0, chars.length - room)).join('')), seg('▏', { color: 'cyan' })];
  }
  if (status) return [seg(status.text, { color: TONE_COLORS[status.tone], bold: status.tone !== 'info' })];
  const { viewers } = view;
  const traffic = viewers ? `viewers: ${viewers.sessions} sessions${viewers.successRatio === undefined ? '' : `, ${formatPercent(viewers.successRatio)} ok`}` : 'no viewers: the platform\'s own traffic';
  const experiment = view.experiment ? [seg(`experiment ${view.experiment.title}: ${view.experiment.status}`, { color: 'blue' }), seg('  ')] : [];
  return [...experiment, seg(`SLIs from ${view.sloSource}  ·  ${traffic}`, { dim: true })];
}
