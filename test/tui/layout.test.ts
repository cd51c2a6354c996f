import { describe, expect, it } from 'vitest';
import { planLayout, type LayoutDemand, type PanelLayout } from '../../src/tui/layout.js';

const demand = (d: Partial<LayoutDemand> = {}): LayoutDemand => ({ mapWidth: () => 30, slos: 4, dependencies: 4, faults: 2, ...d });
const panels = (columns: number, rows: number, d?: Partial<LayoutDemand>): PanelLayout => {
  const layout = planLayout({ columns, rows }, demand(d));
  if (layout.kind !== 'panels') throw new Error(`${columns}×${rows} is too small`);
  return layout;
};

describe('planLayout', () => {
  it('fills rows − 1 lines and exactly the columns, whatever the panels ask for', () => {
    for (const columns of [80, 81, 100, 133, 200]) {
      for (const rows of [24, 25, 31, 40, 60]) {
        for (const [slos, dependencies, faults] of [[0, 0, 0], [4, 4, 2], [50, 80, 30]]) {
          const l = panels(columns, rows, { slos, dependencies, faults, mapWidth: (max) => Math.min(max + 10, 60) });
          expect(l.height).toBe(rows - 1);
          expect(1 + l.body + 2).toBe(l.height);
          expect(l.slos + l.dependencies + l.faults + l.timeline).toBe(l.body);
          expect(l.map).toBe(l.body);
          expect(l.leftWidth + 1 + l.rightWidth).toBe(columns);
          expect(l.timeline).toBeGreaterThanOrEqual(4);
          expect(l.sloNameWidth + l.sparklineWidth).toBeLessThanOrEqual(l.rightWidth);
        }
      }
    }
  });

  it('gives the panels what they ask for when it fits: a title line and a row each', () => {
    const l = panels(80, 24, { slos: 4, dependencies: 3, faults: 0 });
    expect([l.slos, l.dependencies, l.faults]).toEqual([5, 4, 1]);
    expect(l.timeline).toBe(20 - 10);
  });

  it('gives a larger terminal more timeline lines, wider sparklines and a wider map', () => {
    const small = panels(80, 24, { mapWidth: (max) => Math.min(max, 40) });
    const large = panels(160, 50, { mapWidth: (max) => Math.min(max, 40) });
    expect(large.timeline).toBeGreaterThan(small.timeline);
    expect(large.sparklineWidth).toBeGreaterThan(small.sparklineWidth);
    expect(large.leftWidth).toBeGreaterThan(small.leftWidth);
    expect(large.map).toBeGreaterThan(small.map);
  });

  it('is one line below 80×24', () => {
    expect(planLayout({ columns: 79, rows: 24 }, demand())).toEqual({ kind: 'too-small', columns: 79, message: 'terminal too small: needs 80×24, have 79×24' });
    expect(planLayout({ columns: 300, rows: 23 }, demand())).toMatchObject({ kind: 'too-small', message: 'terminal too small: needs 80×24, have 300×23' });
  });
});
