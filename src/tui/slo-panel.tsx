/**
 * @module
 * The SLO rows: `name  now  objective  budget-left  burn  sparkline`, breached ones marked with `!` and in red.
 */
import type { SloView } from '../engine/drill/drill-controls.js';
import { formatBudgetLeft, formatBurnRate, formatMaybePercent, formatPercent } from './format.js';
import { Section, withOverflow } from './panel-section.js';
import { seg, type Segment } from './segments.js';
import { sparkline } from './sparkline.js';
import { cell } from './text-cells.js';

/** Props of {@link SloPanel}. */
export interface SloPanelProps {
  readonly slos: readonly SloView[];
  readonly width: number;
  readonly height: number;
  readonly nameWidth: number;
  readonly sparklineWidth: number;
}

/** The SLO panel. When not every SLO fits, the breached ones come first. */
export function SloPanel({ slos, width, height, nameWidth, sparklineWidth }: SloPanelProps) {
  const room = height - 1;
  const ordered = slos.length > room ? [...slos.filter((s) => s.breached), ...slos.filter((s) => !s.breached)] : slos;
  const rows = ordered.map((slo) => sloRow(slo, nameWidth, sparklineWidth));
  const title: Segment[] = [
    seg(cell(slos.length > room ? `SLOS ${Math.max(0, room - 1)}/${slos.length}` : 'SLOS', 2 + nameWidth), { bold: true }),
    seg(` ${cell('now', 6, 'right')} ${cell('obj', 6, 'right')} ${cell('left', 5, 'right')} ${cell('burn', 5, 'right')} `, { dim: true }),
  ];
  const shown = rows.length === 0 ? [[seg('  no SLOs to watch', { dim: true })]] : withOverflow(rows, room, (hidden) => [seg(`  … ${hidden} more`, { dim: true })]);
  return <Section title={title} rows={shown} width={width} height={height} />;
}

function sloRow(slo: SloView, nameWidth: number, sparklineWidth: number): Segment[] {
  const budgetColor = slo.budgetLeft === undefined ? undefined : slo.budgetLeft <= 0 ? 'red' : slo.budgetLeft < 0.25 ? 'yellow' : undefined;
  const burnColor = slo.burnRate === undefined ? undefined : slo.burnRate >= 2 ? 'red' : slo.burnRate > 1 ? 'yellow' : undefined;
  return [
    slo.breached ? seg('! ', { color: 'red', bold: true }) : seg('  '),
    seg(cell(slo.name, nameWidth), slo.breached ? { color: 'red', bold: true } : {}),
    seg(` ${cell(formatMaybePercent(slo.current), 6, 'right')}`, slo.breached ? { color: 'red', bold: true } : {}),
    seg(` ${cell(formatPercent(slo.objective), 6, 'right')}`, { dim: true }),
    seg(` ${cell(formatBudgetLeft(slo.budgetLeft), 5, 'right')}`, { color: budgetColor }),
    seg(` ${cell(formatBurnRate(slo.burnRate), 5, 'right')}`, { color: burnColor }),
    // The floor is the error budget's allowance: a dip to the objective reaches the bottom, a flat 100% stays on top.
    seg(` ${sparkline(slo.history, sparklineWidth, { minSpan: Math.max(1e-4, 1 - slo.objective) })}`, { color: slo.breached ? 'red' : 'cyan' }),
  ];
}
