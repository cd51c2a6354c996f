import { describe, expect, it } from 'vitest';
import { PROGRESS_LINE_EVERY_MS, progressOutput } from '../../src/cli/progress-output.js';

const record = (terminal: boolean, lineEveryMs?: number) => {
  const written: string[] = [];
  const progress = progressOutput({ write: (t) => written.push(t), terminal, ...(lineEveryMs === undefined ? {} : { lineEveryMs }) });
  return { written, progress };
};

describe('progress output', () => {
  it('on a terminal redraws one line for every update, and ends it when done', () => {
    const { written, progress } = record(true);
    progress.update(1000, '10 sessions');
    progress.update(2000, '20 sessions');
    progress.done();
    expect(written).toEqual(['\r10 sessions   ', '\r20 sessions   ', '\n']);
  });

  it('on a log prints a line, no carriage return, at most once per interval', () => {
    const { written, progress } = record(false);
    for (let elapsed = 1000; elapsed <= 25_000; elapsed += 1000) progress.update(elapsed, `${elapsed / 100} sessions`);
    progress.done();
    expect(PROGRESS_LINE_EVERY_MS).toBe(10_000);
    expect(written).toEqual(['1 s: 10 sessions\n', '11 s: 110 sessions\n', '21 s: 210 sessions\n']);
  });

  it('writes nothing for work that reported no progress', () => {
    for (const terminal of [true, false]) {
      const { written, progress } = record(terminal, 5000);
      progress.done();
      expect(written).toEqual([]);
    }
  });
});
