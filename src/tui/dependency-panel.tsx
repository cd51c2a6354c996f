/**
 * @module
 * The dependencies' resilience: circuit state (`closed`, `2/4 open`), retries and fallbacks per second.
 */
import type { DependencyView } from '../engine/drill/drill-controls.js';
import { formatPerSecond } from './format.js';
import { Section, withOverflow } from './panel-section.js';
import { seg, type Segment } from './segments.js';
import { cell } from './text-cells.js';

/** Props of {@link DependencyPanel}. */
export interface DependencyPanelProps {
  readonly dependencies: readonly DependencyView[];
  readonly width: number;
  readonly height: number;
}

const CIRCUIT = 9;
const RATE = 9;

/** The dependencies panel. When not all fit, those with open circuits, retries or fallbacks come first. */
export function DependencyPanel({ dependencies, width, height }: DependencyPanelProps) {
  const nameWidth = Math.max(8, width - CIRCUIT - 2 * RATE - 3);
  const room = height - 1;
  const ordered = dependencies.length > room ? [...dependencies.filter(isTroubled), ...dependencies.filter((d) => !isTroubled(d))] : dependencies;
  const title: Segment[] = [
    seg(cell('DEPENDENCIES', nameWidth), { bold: true }),
    seg(` ${cell('circuit', CIRCUIT)} ${cell('retries', RATE, 'right')} ${cell('fallbacks', RATE, 'right')}`, { dim: true }),
  ];
  const rows = ordered.map((d) => dependencyRow(d, nameWidth));
  const shown = rows.length === 0 ? [[seg('no circuit breakers, retries or fallbacks seen', { dim: true })]] : withOverflow(rows, room, (hidden) => [seg(`… ${hidden} more`, { dim: true })]);
  return <Section title={title} rows={shown} width={width} height={height} />;
}

/** `closed`, `2/4 open`, `1/4 half`, or `—` without a breaker, with its colour. */
export function circuitState(dependency: DependencyView): Segment {
  const c = dependency.circuits;
  if (c === undefined) return seg('—', { dim: true });
  if (c.open > 0) return seg(`${c.open}/${c.total} open`, { color: 'red', bold: true });
  if (c.halfOpen > 0) return seg(`${c.halfOpen}/${c.total} half`, { color: 'yellow' });
  return seg('closed', { color: 'green' });
}

function dependencyRow(d: DependencyView, nameWidth: number): Segment[] {
  const circuit = circuitState(d);
  return [
    seg(cell(d.name, nameWidth)),
    seg(' '),
    { ...circuit, text: cell(circuit.text, CIRCUIT) },
    seg(` ${cell(formatPerSecond(d.retriesPerSecond), RATE, 'right')}`, { color: d.retriesPerSecond > 0 ? 'yellow' : undefined, dim: d.retriesPerSecond <= 0 }),
    seg(` ${cell(formatPerSecond(d.fallbacksPerSecond), RATE, 'right')}`, { color: d.fallbacksPerSecond > 0 ? 'yellow' : undefined, dim: d.fallbacksPerSecond <= 0 }),
  ];
}

function isTroubled(d: DependencyView): boolean {
  return (d.circuits?.open ?? 0) > 0 || (d.circuits?.halfOpen ?? 0) > 0 || d.retriesPerSecond > 0 || d.fallbacksPerSecond > 0;
}
