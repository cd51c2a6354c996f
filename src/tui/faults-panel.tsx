/**
 * @module
 * The faults in force, each with the time left before it reverts on its own.
 */
import type { ActiveFaultView } from '../engine/drill/drill-controls.js';
import { formatTimeLeft } from './format.js';
import { Section, withOverflow } from './panel-section.js';
import { seg } from './segments.js';
import { cell } from './text-cells.js';

/** Props of {@link FaultsPanel}. */
export interface FaultsPanelProps {
  readonly faults: readonly ActiveFaultView[];
  readonly now: number;
  readonly width: number;
  readonly height: number;
}

/** The active faults, soonest to revert first; with none, just its title line. */
export function FaultsPanel({ faults, now, width, height }: FaultsPanelProps) {
  const sorted = [...faults].sort((a, b) => a.expiresAt - b.expiresAt);
  const rows = sorted.map((f) => [seg(cell(formatTimeLeft(now, f.expiresAt), 6, 'right'), { color: 'yellow' }), seg(` ${f.description}`)]);
  const title = [seg('FAULTS', { bold: true }), faults.length > 0 ? seg(` ${faults.length} active`, { color: 'yellow', bold: true }) : seg(' none in force', { dim: true })];
  const shown = withOverflow(rows, height - 1, (hidden) => [seg(`… ${hidden} more`, { dim: true })]);
  return <Section title={title} rows={shown} width={width} height={height} />;
}
