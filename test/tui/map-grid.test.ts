import { describe, expect, it } from 'vitest';
import { mapGrid } from '../../src/tui/map-grid.js';
import { drillView, SERVICES } from '../support/fake-drill.js';

const text = (line: readonly { text: string }[]): string => line.map((s) => s.text).join('');

describe('mapGrid', () => {
  it('sets regions side by side when they fit, one glyph per instance under its zone', () => {
    const grid = mapGrid(drillView(), 36);
    expect(grid.lines.map(text).slice(0, 3)).toEqual(['MAP         us-east   us-west ', '            1a 1b 1c  2a 2b 2c', 'gateway     ●  ●  ●   ●  ●  ● ']);
    expect(grid.lines).toHaveLength(2 + SERVICES.length);
    expect(grid.width).toBe(30);
  });

  it('stacks the regions when side by side would be wider than allowed, names cut to the longest service', () => {
    const base = drillView();
    const regions = ['eu', 'us', 'ap', 'sa'].map((name) => ({ name, zones: [`${name}-1a`, `${name}-1b`, `${name}-1c`] }));
    const instances = regions.flatMap((r) => r.zones.flatMap((zone) => ['gateway', 'edge'].map((service) => ({ id: `${service}-${zone}`, service, region: r.name, zone, condition: 'up' as const, restarts: 0 }))));
    const grid = mapGrid({ ...base, regions, services: ['gateway', 'edge'], instances }, 36);
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
});
