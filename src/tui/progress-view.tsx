/**
 * @module
 * What the body shows while the drill starts or stops: what is happening, and a bar when the drill knows how far
 * along it is.
 */
import type { DrillView } from '../engine/drill/drill-controls.js';
import { Lines, seg, type Segment } from './segments.js';

/** Props of {@link ProgressView}. */
export interface ProgressViewProps {
  readonly view: DrillView;
  readonly width: number;
  readonly height: number;
}

/** The progress view. */
export function ProgressView({ view, width, height }: ProgressViewProps) {
  const title = view.phase === 'stopping' ? 'Stopping the drill: reverting faults and stopping the stack' : view.phase === 'stopped' ? 'The drill has stopped' : 'Starting the drill';
  const lines: Segment[][] = [[], [seg(`  ${title}`, { bold: true })], [seg(`  ${view.progress?.message ?? '…'}`)]];
  const fraction = view.progress?.fraction;
  if (fraction !== undefined && Number.isFinite(fraction)) lines.push([], progressBar(fraction, Math.min(50, width - 10)));
  return <Lines lines={lines} width={width} height={height} />;
}

/** `  ██████░░░░░░  45%` in `barWidth` cells. */
export function progressBar(fraction: number, barWidth: number): Segment[] {
  const share = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(share * barWidth);
  return [
    seg('  '),
    seg('█'.repeat(filled), { color: 'green' }),
    seg('░'.repeat(Math.max(0, barWidth - filled)), { dim: true }),
    seg(` ${Math.floor(share * 100)}%`),
  ];
}
