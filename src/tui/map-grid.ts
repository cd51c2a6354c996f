/**
 * @module
 * The map's lines: a row per service, a column per zone grouped by region, one glyph per instance. Regions stand
 * side by side when they fit the width they are given, one under the other when they do not. The front doors'
 * `global` placement, which belongs to no region, gets rows of its own under its name.
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
 * be wider, in which case the lines are truncated where they are drawn). A {@link RegionView.global} placement (the
 * front doors) is no column: its name heads a row per service it runs, one glyph per instance.
 */
export function mapGrid(view: DrillView, maxWidth: number): MapGrid {
  const globals = view.regions.filter((r) => r.global);
  const globalNames = new Set(globals.map((r) => r.name));
  const regions = view.regions.filter((r) => !r.global && r.zones.length > 0);
  const zoned = view.instances.filter((i) => !globalNames.has(i.region));
  const allServices = [...new Set([...view.services, ...view.instances.map((i) => i.service)])];
  // A service only the global placement runs gets its row there, not a row of dots under every zone.
  const zonedServices = new Set(zoned.map((i) => i.service));
  const globalOnly = new Set(view.instances.filter((i) => globalNames.has(i.region) && !zonedServices.has(i.service)).map((i) => i.service));
  const services = allServices.filter((s) => !globalOnly.has(s));
  const byCell = groupByCell(zoned);
  const perCell = Math.max(1, ...[...byCell.values()].map((list) => list.length));
  const labels = new Map(regions.map((r) => [r.name, r.zones.map((z) => zoneLabel(r.name, z))]));
  const labelWidth = Math.min(LABEL_WIDTH, Math.max(1, ...[...labels.values()].flat().map(columnsOf)));
  const cellWidth = Math.max(perCell, labelWidth);
  const nameWidth = Math.min(maxWidth >= 45 ? WIDE_NAME_WIDTH : NAME_WIDTH, Math.max(3, ...allServices.map(columnsOf))) + 1;
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
  const global = globalRows(globals, allServices, view.instances, nameWidth);

  const sideBySide = nameWidth + regions.reduce((sum, r) => sum + blockWidth(r), 0) + REGION_GAP.length * Math.max(0, regions.length - 1);
  if (regions.length <= 1 || sideBySide <= maxWidth) {
    const header: Segment[] = [
      seg(cell('MAP', nameWidth), { bold: true }),
      seg(regions.map((r) => cell(r.name, blockWidth(r))).join(REGION_GAP), { bold: true }),
    ];
    return {
      width: Math.max(sideBySide, global.width),
      lines: [header, zoneRow(seg(' '.repeat(nameWidth)), regions), ...services.map((s) => serviceRow(s, regions)), ...global.lines],
    };
  }
  // Stacked, the map is taller than most panels and loses its last lines: the front doors, which every viewer goes
  // through, come first so they stay in sight.
  return {
    width: Math.max(nameWidth + Math.max(...regions.map(blockWidth)), global.width),
    lines: [...global.lines, ...regions.flatMap((r) => [zoneRow(seg(`${cell(r.name, nameWidth - 1)} `, { bold: true }), [r]), ...services.map((s) => serviceRow(s, [r]))])],
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

/** Each global placement's name in bold, then a row per service it runs: its instances' glyphs, in id order. */
function globalRows(globals: readonly RegionView[], services: readonly string[], instances: readonly InstanceView[], nameWidth: number): MapGrid {
  const lines: Segment[][] = [];
  let width = 0;
  for (const region of globals) {
    const placed = instances.filter((i) => i.region === region.name).sort((a, b) => a.id.localeCompare(b.id));
    const rows = services
      .map((service) => ({ service, members: placed.filter((i) => i.service === service) }))
      .filter((row) => row.members.length > 0);
    if (rows.length === 0) continue;
    lines.push([seg(cell(region.name, nameWidth), { bold: true })]);
    for (const { service, members } of rows) {
      lines.push([seg(`${cell(service, nameWidth - 1)} `), ...members.map(glyphOf)]);
      width = Math.max(width, nameWidth + members.length);
    }
  }
  return { width, lines };
}

function glyphOf(instance: InstanceView): Segment {
  const style = CONDITION_STYLES[instance.condition];
  return seg(style.glyph, { color: style.color });
}

function instanceCell(instances: readonly InstanceView[], width: number): Segment[] {
  if (instances.length === 0) return [seg(cell('·', width), { dim: true })];
  const glyphs = instances.slice(0, width).map(glyphOf);
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
