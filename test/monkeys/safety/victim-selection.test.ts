import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../../src/core/random.js';
import { selectVictims, victimCount, type VictimSelection } from '../../../src/monkeys/safety/victim-selection.js';
import { instance } from './harness.js';

const ten = Array.from({ length: 10 }, (_, i) => instance(`i${i}`, 'g'));

describe('victim selection', () => {
  it('one / fixed / percent pick the documented counts, never more than there are', () => {
    const r = new SeededRandom(1);
    expect(victimCount(r, 10, { mode: 'one' })).toBe(1);
    expect(victimCount(r, 0, { mode: 'one' })).toBe(0);
    expect(victimCount(r, 10, { mode: 'fixed', count: 3 })).toBe(3);
    expect(victimCount(r, 2, { mode: 'fixed', count: 3 })).toBe(2);
    expect(victimCount(r, 10, { mode: 'percent', percent: 25 })).toBe(2);
    expect(victimCount(r, 100, { mode: 'percent', percent: 57 })).toBe(57);
    expect(victimCount(r, 3, { mode: 'percent', percent: 10 })).toBe(0);
    expect(victimCount(r, 10, { mode: 'percent', percent: 100 })).toBe(10);
  });

  it('max-percent ranges over 0..floor(percent% of n), reaching both ends', () => {
    const r = new SeededRandom(2);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) seen.add(victimCount(r, 10, { mode: 'max-percent', percent: 40 }));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('picks distinct eligible instances, uniformly, reproducibly from a seed', () => {
    const selections: VictimSelection[] = [{ mode: 'one' }, { mode: 'fixed', count: 4 }, { mode: 'percent', percent: 50 }];
    const hits = new Map<string, number>();
    for (let seed = 0; seed < 2000; seed++) {
      for (const selection of selections) {
        const victims = selectVictims(new SeededRandom(seed), ten, selection);
        expect(selectVictims(new SeededRandom(seed), ten, selection)).toEqual(victims);
        expect(new Set(victims.map((v) => v.id)).size).toBe(victims.length);
        for (const v of victims) expect(ten).toContain(v);
        if (selection.mode === 'one') hits.set(victims[0]!.id, (hits.get(victims[0]!.id) ?? 0) + 1);
      }
    }
    // 2000 single picks over 10: each near 200.
    expect(hits.size).toBe(10);
    for (const count of hits.values()) expect(count).toBeGreaterThan(140);
  });

  it('does not reorder the caller’s array', () => {
    const copy = [...ten];
    selectVictims(new SeededRandom(5), ten, { mode: 'fixed', count: 5 });
    expect(ten).toEqual(copy);
  });
});

describe('victim selection: instances mode', () => {
  it('picks exactly the named eligible instances, in eligible order, whatever the random draws', () => {
    const selection: VictimSelection = { mode: 'instances', ids: ['i7', 'i2', 'i4'] };
    for (let seed = 0; seed < 50; seed++) {
      expect(selectVictims(new SeededRandom(seed), ten, selection).map((v) => v.id)).toEqual(['i2', 'i4', 'i7']);
    }
  });

  it('drops ids that are not eligible and never substitutes another instance', () => {
    const eligible = ten.slice(0, 5);
    expect(selectVictims(new SeededRandom(1), eligible, { mode: 'instances', ids: ['i1', 'i8', 'gone'] }).map((v) => v.id)).toEqual(['i1']);
    expect(selectVictims(new SeededRandom(1), eligible, { mode: 'instances', ids: ['i9'] })).toEqual([]);
    expect(selectVictims(new SeededRandom(1), eligible, { mode: 'instances', ids: [] })).toEqual([]);
  });

  it('counts the named ids, never more than are eligible', () => {
    const r = new SeededRandom(3);
    expect(victimCount(r, 10, { mode: 'instances', ids: ['a', 'b'] })).toBe(2);
    expect(victimCount(r, 1, { mode: 'instances', ids: ['a', 'b'] })).toBe(1);
  });
});
