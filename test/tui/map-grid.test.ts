import { describe, expect, it } from 'vitest';
import { mapGrid } from '../../src/tui/map-grid.js';
import type { DrillView } from '../../src/engine/drill/drill-controls.js';
import { columnsOf } from '../../src/tui/text-cells.js';
import { drillView, frontDoors, SERVICES, withFrontDoors } from '../support/fake-drill.js';

const text = (line: readonly { text: string }[]): string => line.map((s) => s.text).join('');

/** Four regions of three zones, two services each: too wide for 36 columns side by side. */
function fourRegions(): DrillView {
  const base = drillView();
  const regions = ['eu', 'us', 'ap', 'sa'].map((name) => ({ name, zones: [`${name}-1a`, `${name}-1b`, `${name}-1c`] }));
  const instances = regions.flatMap((r) => r.zones.flatMap((zone) => ['gateway', 'edge'].map((service) => ({ id: `${service}-${zone}`, service, region: r.name, zone, condition: 'up' as const, restarts: 0 }))));
  return { ...base, regions, services: ['gateway', 'edge'], instances };
}

describe('mapGrid', () => {
  it('sets regions side by side when they fit, one glyph per instance under its zone', () => {
    const grid = mapGrid(drillView(), 36);
    expect(grid.lines.map(text).slice(0, 3)).toEqual(['MAP         us-east   us-west ', '            1a 1b 1c  2a 2b 2c', 'gateway     ●  ●  ●   ●  ●  ● ']);
    expect(grid.lines).toHaveLength(2 + SERVICES.length);
    expect(grid.width).toBe(30);
  });

  it('stacks the regions when side by side would be wider than allowed, names cut to the longest service', () => {
    const grid = mapGrid(fourRegions(), 36);
    expect(grid.lines.map(text).slice(0, 6)).toEqual(['eu      1a 1b 1c', 'gateway ●  ●  ● ', 'edge    ●  ●  ● ', 'us      1a 1b 1c', 'gateway ●  ●  ● ', 'edge    ●  ●  ● ']);
    expect(grid.lines).toHaveLength(4 * 3);
  });

  it('draws several instances of a zone side by side, and a dot where a service has none', () => {
    const base = drillView();
    const playback = base.instances.filter((i) => i.service === 'playback' && i.zone === 'us-east-1a')[0]!;
    const instances = [...base.instances.filter((i) => i.service !== 'origin'), { ...playback, id: 'playback-us-east-1a-1', condition: 'down' as const }];
    const lines = mapGrid({ ...base, instances }, 40).lines.map(text);
    expect(lines.find((l) => l.startsWith('playback'))).toBe('playback    ●✕ ●  ●   ●  ●  ● ');
    expect(lines.find((l) => l.startsWith('origin'))).toBe('origin      ·  ·  ·   ·  ·  · ');
  });

  it('draws the front doors as a frontdoor row under a global heading, one glyph per instance in its condition, not as a zone column', () => {
    const grid = mapGrid(withFrontDoors(drillView(), frontDoors(['up', 'down'])), 36);
    const lines = grid.lines.map(text);
    // The regions keep their one-glyph cells and stand side by side in 36 columns, as without the front doors.
    expect(lines.slice(0, 3)).toEqual(['MAP         us-east   us-west ', '            1a 1b 1c  2a 2b 2c', 'gateway     ●  ●  ●   ●  ●  ● ']);
    expect(lines.slice(-2)).toEqual(['global      ', 'frontdoor   ●✕']);
    expect(grid.lines).toHaveLength(2 + SERVICES.length + 2);
    expect(lines.filter((l) => l.startsWith('frontdoor'))).toHaveLength(1);
    // A dead front door differs from a running one in glyph and colour.
    const glyphs = grid.lines.at(-1)!.slice(1);
    expect(glyphs.map((s) => [s.text, s.color])).toEqual([
      ['●', 'green'],
      ['✕', 'red'],
    ]);
    expect(grid.width).toBe(30);
  });

  it('puts the front doors first when the regions are stacked, so a panel that cuts the map off keeps them', () => {
    const grid = mapGrid(withFrontDoors(fourRegions(), frontDoors(['replacing', 'up'])), 36);
    expect(grid.lines.map(text).slice(0, 5)).toEqual(['global    ', 'frontdoor ↻●', 'eu        1a 1b 1c', 'gateway   ●  ●  ● ', 'edge      ●  ●  ● ']);
    expect(grid.lines).toHaveLength(2 + 4 * 3);
    expect(grid.width).toBe(18);
  });

  it('keeps every line within the width it reports, and side by side within the width allowed, front doors or not', () => {
    for (const view of [drillView(), withFrontDoors(drillView()), withFrontDoors(fourRegions()), withFrontDoors(drillView(), frontDoors(Array(40).fill('up')))]) {
      for (let maxWidth = 20; maxWidth <= 120; maxWidth++) {
        const grid = mapGrid(view, maxWidth);
        for (const line of grid.lines) expect(columnsOf(text(line))).toBeLessThanOrEqual(grid.width);
        // Side by side, the header names every region: several of them stand so only when they fit.
        if (text(grid.lines[0]!).startsWith('MAP') && view.regions.filter((r) => !r.global).length > 1) expect(columnsOf(text(grid.lines[0]!))).toBeLessThanOrEqual(maxWidth);
      }
    }
  });

  it('takes no more columns for two front doors than the regions take without them (whose names are longer than frontdoor)', () => {
    for (let maxWidth = 20; maxWidth <= 120; maxWidth++) expect(mapGrid(withFrontDoors(drillView()), maxWidth).width).toBe(mapGrid(drillView(), maxWidth).width);
  });
});
