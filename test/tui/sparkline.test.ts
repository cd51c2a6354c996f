import { describe, expect, it } from 'vitest';
import { SPARK_BLOCKS, SPARK_GAP, sparkline } from '../../src/tui/sparkline.js';

describe('sparkline', () => {
  it('scales to the series’ own range: its lowest sample is the lowest block, its highest the highest', () => {
    expect(sparkline([0.9, 1], 2)).toBe('▁█');
    expect(sparkline([0.2, 0.4, 0.6, 0.8], 4)).toBe('▁▃▆█');
  });

  it('draws a flat 100% line at full height, not as a crash', () => {
    expect(sparkline([1, 1, 1, 1], 4)).toBe('████');
  });

  it('keeps a wobble smaller than the floor near the top instead of stretching it over the whole height', () => {
    const line = sparkline([1, 0.999, 1], 3);
    expect(line[1]).not.toBe(SPARK_BLOCKS[0]);
    expect(SPARK_BLOCKS.indexOf(line[1] as (typeof SPARK_BLOCKS)[number])).toBeGreaterThanOrEqual(6);
    expect(sparkline([1, 0.999, 1], 3, { minSpan: 0.001 })).toBe('█▁█');
  });

  it('shows missing samples as gaps and ignores them for the scale', () => {
    expect(sparkline([0.5, undefined, 1], 3)).toBe(`▁${SPARK_GAP}█`);
    expect(sparkline([undefined, undefined], 2)).toBe(SPARK_GAP.repeat(2));
  });

  it('is always exactly `width` wide: the last samples when there are more, left-padded with spaces when fewer', () => {
    expect(sparkline([0, 0, 0, 0.5, 1], 2)).toBe('▁█');
    expect(sparkline([0.5, 1], 5)).toBe('   ▁█');
    expect(sparkline([], 3)).toBe('   ');
    expect(sparkline([1], 0)).toBe('');
  });
});
