import { describe, expect, it } from 'vitest';
import { SeededRandom, randomInt } from '../../src/core/index.js';

describe('SeededRandom', () => {
  it('replays the same sequence from the same seed and a different one from another', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const c = new SeededRandom(43);
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
  });

  it('draws in [0, 1) and covers the range evenly', () => {
    const random = new SeededRandom(7);
    const buckets = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = random.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      buckets[Math.floor(x * 10)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    for (const count of buckets) expect(count).toBeGreaterThan(850);
  });

  it('rejects a seed that is not a number', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(/seed/);
  });

  it('randomInt stays within bounds', () => {
    const random = new SeededRandom(1);
    const seen = new Set<number>();
    for (let i = 0; i < 200; i++) seen.add(randomInt(random, 4));
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});
