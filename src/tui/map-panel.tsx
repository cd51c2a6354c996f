/**
 * @module
 * The map panel: {@link mapGrid}'s lines over the legend, cut to the lines the layout gave it.
 */
import type { DrillView } from '../engine/drill/drill-controls.js';
import { mapGrid, mapLegend } from './map-grid.js';
import { withOverflow } from './panel-section.js';
import { Lines, seg } from './segments.js';

/** Props of {@link MapPanel}. */
export interface MapPanelProps {
  readonly view: DrillView;
  readonly width: number;
  readonly height: number;
}

/** The map and its legend; when the map does not fit, its last shown line says how many are left out. */
export function MapPanel({ view, width, height }: MapPanelProps) {
  const legend = mapLegend(width);
  const grid = mapGrid(view, width).lines;
  const gridRoom = Math.max(0, height - legend.length);
  const lines = [...withOverflow(grid, gridRoom, (hidden) => [seg(`… ${hidden} more lines: a taller terminal shows them`, { dim: true })]), ...legend];
  return <Lines lines={lines.slice(0, height)} width={width} height={height} />;
}

/** How many columns the map needs within `maxWidth` (more when even its stacked form is wider). */
export function mapWidth(view: DrillView, maxWidth: number): number {
  return mapGrid(view, maxWidth).width;
}
