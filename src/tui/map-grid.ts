/**
 * @module
 * The map's lines: a row per service, a column per zone grouped by region, one glyph per instance. Regions stand
 * side by side when they fit the width they are given, one under the other when they do not.
 */
import type { DrillView, InstanceView, RegionView } from '../engine/drill/drill-controls.js';
import { CONDITION_STYLES, CONDITIONS } from './instance-glyphs.js';
import { seg, type Segment } from './segments.js';
import { cell, columnsOf } from './text-cells.js';

/** The map as lines, and the width they need. */
export interface MapGrid {
  readonly width: number;
  readonly lines: readonly (readonly Segment[])[];
}

/** Service names are cut to this, so the zones keep their room; to the wider one when the map may take 45 columns. */
const NAME_WIDTH = 11;
const WIDE_NAME_WIDTH = 16;
/** A zone's label is cut to this (`1a` from `us-east-1a`). */
const LABEL_WIDTH = 4;
const REGION_GAP = '  ';

/**
 * The map of `view` in at most `maxWidth` columns if the regions fit side by side, else stacked (which may still
 * be wider, in which case the lines are truncated where they are drawn).
 */
export function mapGrid(view: DrillView, maxWidth: number): MapGrid {
  const regions = view.regions.filter((r) => r.zones.length > 0);
  const services = [...new Set([...view.services, ...view.instances.map((i) => i.service)])];
  const byCell = groupByCell(view.instances);
  const perCell = Math.max(1, ...[...byCell.values()].map((list) => list.length));
  const labels = new Map(regions.map((r) => [r.name, r.zones.map((z) => zoneLabel(r.name, z))]));
  const labelWidth = Math.min(LABEL_WIDTH, Math.max(1, ...[...labels.values()].flat().map(columnsOf)));
  const cellWidth = Math.max(perCell, labelWidth);
  const nameWidth = Math.min(maxWidth >= 45 ? WIDE_NAME_WIDTH : NAME_WIDTH, Math.max(3, ...services.map(columnsOf))) + 1;
  const blockWidth = (r: RegionView): number => r.zones.length * (cellWidth + 1) - 1;

  const serviceRow = (service: string, shown: readonly RegionView[]): Segment[] => [
    seg(`${cell(service, nameWidth - 1)} `),
    ...shown.flatMap((region, ri) => [
      ...(ri > 0 ? [seg(REGION_GAP)] : []),
      ...region.zones.flatMap((zone, zi) => [
        ...(zi > 0 ? [seg(' ')] : []),
        ...instanceCell(byCell.get(cellKey(service, region.name, zone)) ?? [], cellWidth),
      ]),
    ]),
  ];
  const zoneRow = (first: Segment, shown: readonly RegionView[]): Segment[] => [
    first,
    seg(shown.map((r) => labels.get(r.name)!.map((l) => cell(l, cellWidth)).join(' ')).join(REGION_GAP), { dim: true }),
  ];

  const sideBySide = nameWidth + regions.reduce((sum, r) => sum + blockWidth(r), 0) + REGION_GAP.length * Math.max(0, regions.length - 1);
  if (regions.length <= 1 || sideBySide <= maxWidth) {
    const header: Segment[] = [
      seg(cell('MAP', nameWidth), { bold: true }),
      seg(regions.map((r) => cell(r.name, blockWidth(r))).join(REGION_GAP), { bold: true }),
    ];
    return {
      width: sideBySide,
      lines: [header, zoneRow(seg(' '.repeat(nameWidth)), regions), ...services.map((s) => serviceRow(s, regions))],
    };
  }
  return {
    width: nameWidth + Math.max(...regions.map(blockWidth)),
    lines: regions.flatMap((r) => [zoneRow(seg(`${cell(r.name, nameWidth - 1)} `, { bold: true }), [r]), ...services.map((s) => serviceRow(s, [r]))]),
  };
}

/** The legend, wrapped into lines of at most `width` columns. */
export function mapLegend(width: number): Segment[][] {
  const lines: Segment[][] = [];
  let line: Segment[] = [];
  let used = 0;
  for (const condition of CONDITIONS) {
    const { glyph, color, label } = CONDITION_STYLES[condition];
    const needed = (used > 0 ? 1 : 0) + columnsOf(glyph) + 1 + columnsOf(label);
    if (used > 0 && used + needed > width) {
      lines.push(line);
      line = [];
      used = 0;
    }
    if (used > 0) line.push(seg(' '));
    line.push(seg(glyph, { color }), seg(` ${label}`, { dim: true }));
    used += (used > 0 ? 1 : 0) + columnsOf(glyph) + 1 + columnsOf(label);
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

function instanceCell(instances: readonly InstanceView[], width: number): Segment[] {
  if (instances.length === 0) return [seg(cell('·', width), { dim: true })];
  const glyphs = instances.slice(0, width).map((i) => {
    const style = CONDITION_STYLES[i.condition];
    return seg(style.glyph, { color: style.color });
  });
  return [...glyphs, seg(' '.repeat(width - glyphs.length))];
}

function zoneLabel(region: string, zone: string): string {
  return zone.startsWith(`${region}-`) ? zone.slice(region.length + 1) : zone;
}

function cellKey(service: string, region: string, zone: string): string {
  return `${service}\u0000${region}\u0000${zone}`;
}

function groupByCell(instances: readonly InstanceView[]): Map<string, InstanceView[]> {
  const cells = new Map<string, InstanceView[]>();
  for (const instance of [...instances].sort((a, b) => a.id.localeCompare(b.id))) {
    const key = cellKey(instance.service, instance.region, instance.zone);
    cells.set(key, [...(cells.get(key) ?? []), instance]);
  }
  return cells;
}
