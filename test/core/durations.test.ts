import { describe, expect, it } from 'vitest';
import { formatDuration, MAX_DURATION_MS, readDuration } from '../../src/core/durations.js';

const ZERO_OK = { zero: true };
const POSITIVE = { zero: false };

describe('readDuration', () => {
  it.each([
    ['250ms', 250],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1.5s', 1500],
    ['1.5h', 5_400_000],
    ['0.25s', 250],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1h 30m', 5_400_000],
    ['500 ms', 500],
    [' 2m ', 120_000],
  ])('reads %j as %d ms', (text, ms) => {
    expect(readDuration(text, POSITIVE)).toEqual({ ms });
  });

  it('takes zero without a unit where zero is allowed, as a number or a string, and with a unit too', () => {
    for (const zero of [0, '0', '00', '0.0', '0ms', '0s', '0m']) expect(readDuration(zero, ZERO_OK)).toEqual({ ms: 0 });
  });

  it('refuses zero, with or without a unit, where a duration must be longer than 0', () => {
    expect(readDuration(0, POSITIVE)).toEqual({ problem: 'must be longer than 0, got 0' });
    expect(readDuration('0', POSITIVE)).toEqual({ problem: 'must be longer than 0, got "0"' });
    expect(readDuration('0s', POSITIVE)).toEqual({ problem: 'must be longer than 0, got "0s"' });
  });

  it.each([
    ['300', '"300" has no unit: write 300ms, 300s or 5m'],
    [300, '300 has no unit: write 300ms, 300s or 5m'],
    [3_600_000, '3600000 has no unit: write 3600000ms or 1h'],
    [30, '30 has no unit: write 30ms or 30s'],
    [1500, '1500 has no unit: write 1500ms, 1500s or 25m'],
    [1.5, '1.5 has no unit: write 1.5s'],
    ['2.5', '"2.5" has no unit: write 2.5s'],
    [86_400, '86400 has no unit: write 86400ms, 86400s or 1d'],
    [1e300, '1e+300 has no unit: write it as a duration with a unit (ms, s, m, h, d) such as 500ms, 30s or 5m'],
  ])('refuses the bare number %j, showing what it could have meant: %s', (value, problem) => {
    expect(readDuration(value, ZERO_OK)).toEqual({ problem });
  });

  it.each(['soon', '5 minutes', '1w', '5M', 'ms', '', '   ', '1s1h', '1m1m', '.5s', '1e3ms', '+5s', '5s!', 'NaN'])('refuses %j as no duration at all', (text) => {
    expect(readDuration(text, ZERO_OK)).toEqual({ problem: `expected a duration with a unit (ms, s, m, h, d) such as 500ms, 30s or 5m, got ${JSON.stringify(text)}` });
  });

  it.each([true, null, undefined, [1], { s: 1 }, Number.NaN, Number.POSITIVE_INFINITY])('refuses %j, which is not even text', (value) => {
    expect(readDuration(value, ZERO_OK)).toMatchObject({ problem: expect.stringMatching(/^expected a duration with a unit \(ms, s, m, h, d\) such as 500ms, 30s or 5m, got /) });
  });

  it('refuses negatives, with or without a unit', () => {
    expect(readDuration('-5s', ZERO_OK)).toEqual({ problem: 'expected a duration of 0 or more, got "-5s"' });
    expect(readDuration(-1, ZERO_OK)).toEqual({ problem: 'expected a duration of 0 or more, got -1' });
    expect(readDuration('-0', ZERO_OK)).toEqual({ problem: 'expected a duration of 0 or more, got "-0"' });
  });

  it('refuses what is no whole number of milliseconds', () => {
    expect(readDuration('0.5ms', ZERO_OK)).toEqual({ problem: 'expected a whole number of milliseconds, got "0.5ms"' });
    expect(readDuration('1.0005s', ZERO_OK)).toEqual({ problem: 'expected a whole number of milliseconds, got "1.0005s"' });
    expect(readDuration('1.001s', ZERO_OK)).toEqual({ ms: 1001 });
  });

  it('refuses durations beyond the largest exact number of milliseconds', () => {
    expect(readDuration(`${MAX_DURATION_MS}ms`, POSITIVE)).toEqual({ ms: Number.MAX_SAFE_INTEGER });
    const problem = `expected a duration of at most ${Number.MAX_SAFE_INTEGER}ms (about 285 000 years), got `;
    expect(readDuration(`${MAX_DURATION_MS + 1}ms`, POSITIVE)).toEqual({ problem: `${problem}"9007199254740992ms"` });
    expect(readDuration('200000000d', POSITIVE)).toEqual({ problem: `${problem}"200000000d"` });
    expect(readDuration(`1${'0'.repeat(400)}s`, POSITIVE)).toMatchObject({ problem: expect.stringContaining(problem) });
  });
});

describe('formatDuration', () => {
  it.each([
    [3_600_000, '1h'],
    [300_000, '5m'],
    [90_000, '90s'],
    [1500, '1500ms'],
    [86_400_000, '1d'],
    [250, '250ms'],
    [0, '0ms'],
  ])('writes %d ms as %s, which reads back the same', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(readDuration(text, ZERO_OK)).toEqual({ ms });
  });
});
