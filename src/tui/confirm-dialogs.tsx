/**
 * @module
 * The dialogs that stand between a key and the drill: a fault's confirmation (what it hits, how much, what stays
 * healthy, for how long, or why it is refused), the halt and quit questions, and the wait for a preview.
 */
import type { FaultPreview } from '../engine/drill/drill-controls.js';
import { OverlayBox } from './overlay-box.js';
import { seg, type Segment } from './segments.js';
import { cell } from './text-cells.js';

/** The room a dialog may take. */
export interface DialogRoom {
  readonly width: number;
  readonly height: number;
}

/** Props of {@link FaultConfirmation}. */
export interface FaultConfirmationProps extends DialogRoom {
  readonly preview: FaultPreview;
}

const LABEL = 15;

/** The confirmation before a fault; a refused one says why and offers no confirmation. */
export function FaultConfirmation({ preview, width, height }: FaultConfirmationProps) {
  const field = (label: string, value: string, style: Omit<Segment, 'text'> = {}): Segment[] => [seg(cell(label, LABEL), { dim: true }), seg(value, style)];
  const lines: Segment[][] = [
    [seg(preview.title, { bold: true })],
    [],
    field('target', preview.target, { bold: true }),
    field('blast radius', preview.blastRadius, { color: 'yellow' }),
    field('stays healthy', preview.healthyLeft, { color: 'green' }),
    ...(preview.duration === undefined ? [] : [field('reverts after', preview.duration)]),
    [],
    preview.refusal === undefined
      ? [seg('Enter', { bold: true, color: 'cyan' }), seg(' confirm   '), seg('Esc', { bold: true, color: 'cyan' }), seg(' cancel')]
      : [seg(`refused: ${preview.refusal}`, { color: 'red', bold: true })],
  ];
  return <OverlayBox lines={lines} width={width} maxHeight={height} borderColor={preview.refusal === undefined ? 'yellow' : 'red'} />;
}

/** Props of {@link Question}. */
export interface QuestionProps extends DialogRoom {
  readonly title: string;
  readonly detail: readonly string[];
  readonly confirm: string;
  readonly cancel: string;
  readonly color: string;
}

/** A yes-or-no question: Enter does `confirm`, Esc does `cancel`. */
export function Question({ title, detail, confirm, cancel, color, width, height }: QuestionProps) {
  const lines: Segment[][] = [
    [seg(title, { bold: true, color })],
    ...detail.map((d) => [seg(d)]),
    [],
    [seg('Enter', { bold: true, color: 'cyan' }), seg(` ${confirm}   `), seg('Esc', { bold: true, color: 'cyan' }), seg(` ${cancel}`)],
  ];
  return <OverlayBox lines={lines} width={width} maxHeight={height} borderColor={color} />;
}

/** Props of {@link Waiting}. */
export interface WaitingProps extends DialogRoom {
  readonly text: string;
}

/** A dialog that waits for the drill. */
export function Waiting({ text, width, height }: WaitingProps) {
  return <OverlayBox lines={[[seg(text)], [], [seg('Esc', { bold: true, color: 'cyan' }), seg(' cancel')]]} width={width} maxHeight={height} />;
}
