import { describe, expect, it } from 'vitest';
import {
  formatBudgetLeft,
  formatBurnRate,
  formatClock,
  formatPercent,
  formatPerSecond,
  formatTimeLeft,
} from '../../src/tui/format.js';

describe('formatPercent', () => {
  it('gives two decimals from 99% up, one below, without trailing zeros', () => {
    expect(formatPercent(0.9995)).toBe('99.95%');
    expect(formatPercent(0.999)).toBe('99.9%');
    expect(formatPercent(0.99)).toBe('99%');
    expect(formatPercent(0.8734)).toBe('87.3%');
    expect(formatPercent(0.5)).toBe('50%');
    expect(formatPercent(0)).toBe('0%');
  });

  it('never rounds a ratio below 1 up to 100%', () => {
    expect(formatPercent(0.99999)).toBe('99.99%');
    expect(formatPercent(1)).toBe('100%');
  });
});

describe('the other numbers', () => {
  it('writes budget left as a whole percentage that can go negative', () => {
    expect(formatBudgetLeft(0.826)).toBe('82%');
    expect(formatBudgetLeft(-0.35)).toBe('spent');
    expect(formatBudgetLeft(0)).toBe('spent');
    expect(formatBudgetLeft(undefined)).toBe('—');
  });

  it('writes burn rates and per-second rates short', () => {
    expect(formatBurnRate(0.42)).toBe('0.4x');
    expect(formatBurnRate(14.4)).toBe('14x');
    expect(formatBurnRate(undefined)).toBe('—');
    expect(formatPerSecond(0)).toBe('0');
    expect(formatPerSecond(0.4)).toBe('0.4/s');
    expect(formatPerSecond(12.2)).toBe('12/s');
  });
});

describe('times', () => {
  it('writes the clock as hh:mm:ss in the given zone', () => {
    expect(formatClock(Date.UTC(2026, 2, 1, 9, 5, 7), 'UTC')).toBe('09:05:07');
    expect(formatClock(Date.UTC(2026, 2, 1, 23, 59, 59), 'UTC')).toBe('23:59:59');
  });

  it('counts a fault down as 4m10s, 45s, 1h05m, and 0s once due', () => {
    expect(formatTimeLeft(0, 250_000)).toBe('4m10s');
    expect(formatTimeLeft(0, 44_100)).toBe('45s');
    expect(formatTimeLeft(0, 3_900_000)).toBe('1h05m');
    expect(formatTimeLeft(10_000, 5_000)).toBe('0s');
  });
});
