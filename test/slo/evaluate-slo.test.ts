import { describe, expect, it } from 'vitest';
import { burnRate, burnRateFactor, DEFAULT_PERIOD_MS, formatDuration, periodBudgetConsumed, trailingWindow } from '../../src/slo/burn-rate.js';
import { evaluateSlo } from '../../src/slo/evaluate-slo.js';
import type { SliResult, SliSource, SliWindow } from '../../src/slo/sli-source.js';
import { eventsSlo } from './slo-fixtures.js';

const END = Date.UTC(2026, 0, 1, 12);
const TEN_MINUTES = { start: END - 600_000, end: END };

/** A source that answers by window length, and records what it was asked. */
function scriptedSource(answer: (window: SliWindow) => SliResult): SliSource & { asked: SliWindow[] } {
  const asked: SliWindow[] = [];
  return {
    name: 'scripted',
    asked,
    errorRatio: (_slo, window) => {
      asked.push(window);
      return Promise.resolve(answer(window));
    },
  };
}

const measured = (errorRatio: number, total = 10_000): SliResult => ({ outcome: 'measured', errorRatio, events: { errors: errorRatio * total, total } });

describe('burn-rate math', () => {
  it('follows the SRE workbook and sloth', () => {
    expect(burnRate(0.05, { objective: 99.9 })).toBeCloseTo(50, 9);
    expect(burnRate(0.001, { objective: 99.9 })).toBeCloseTo(1, 9);
    expect(burnRate(0, { objective: 100 })).toBe(0);
    expect(burnRate(0.1, { objective: 100 })).toBe(Number.POSITIVE_INFINITY);
    expect(burnRateFactor(2, 3_600_000)).toBeCloseTo(14.4, 9);
    expect(burnRateFactor(5, 6 * 3_600_000)).toBeCloseTo(6, 9);
    expect(burnRateFactor(10, 24 * 3_600_000)).toBeCloseTo(3, 9);
    expect(burnRateFactor(2, 3_600_000, 28 * 24 * 3_600_000)).toBeCloseTo(13.44, 9);
    // A 10-minute fault at 5% errors against 99.9% spends 1.16% of the month's budget.
    expect(periodBudgetConsumed(50, 600_000)).toBeCloseTo(0.011574, 5);
    expect(trailingWindow(TEN_MINUTES, 300_000)).toEqual({ start: END - 300_000, end: END });
    expect(trailingWindow(TEN_MINUTES, 3_600_000)).toEqual(TEN_MINUTES);
    expect([formatDuration(300_000), formatDuration(5_400_000), formatDuration(250), formatDuration(90_000)]).toEqual(['5m', '1h30m', '250ms', '1m30s']);
  });
});

describe('evaluateSlo', () => {
  it('passes within the objective and reports the budget consumed and the trailing burn rates', async () => {
    const source = scriptedSource((w) => measured(w.end - w.start === 300_000 ? 0.002 : 0.0005));
    const result = await evaluateSlo(eventsSlo({ objective: 99.9 }), TEN_MINUTES, source, { now: END + 1 });
    expect(result).toMatchObject({ verdict: 'pass', source: 'scripted', objective: 0.999, errorRatio: 0.0005, events: { errors: 5, total: 10_000 } });
    expect(result.sli).toBeCloseTo(0.9995, 12);
    expect(result.errorBudgetConsumed).toBeCloseTo(0.5, 9);
    expect(result.periodBudgetConsumed).toBeCloseTo((0.5 * 600_000) / DEFAULT_PERIOD_MS, 12);
    expect(result.burnRates['5m']!.windowMs).toBe(300_000);
    expect(result.burnRates['5m']!.burnRate).toBeCloseTo(2, 9);
    // The 1h window is longer than the window: it is the window, and not asked for again.
    expect(result.burnRates['1h']).toMatchObject({ windowMs: 600_000 });
    expect(result.burnRates['1h']!.burnRate).toBeCloseTo(0.5, 9);
    expect(source.asked).toEqual([TEN_MINUTES, { start: END - 300_000, end: END }]);
    expect(result.reason).toBe('SLI 99.95% ≥ objective 99.9%');
  });

  it('passes exactly at the objective, despite 1 − 99.9/100 not being exactly 0.001', async () => {
    const result = await evaluateSlo(eventsSlo({ objective: 99.9 }), TEN_MINUTES, scriptedSource(() => measured(0.001)));
    expect(result.verdict).toBe('pass');
  });

  it('fails beyond the objective, saying how many times over budget the window went', async () => {
    const result = await evaluateSlo(eventsSlo({ objective: 99.9 }), TEN_MINUTES, scriptedSource(() => measured(0.05)));
    expect(result.verdict).toBe('fail');
    expect(result.errorBudgetConsumed).toBeCloseTo(50, 9);
    expect(result.reason).toBe('SLI 95% < objective 99.9%: the window spent 50.00× its error budget');
  });

  it('is inconclusive, never a pass, when the source cannot tell, with the reason and no numbers', async () => {
    const source = scriptedSource(() => ({ outcome: 'inconclusive', reason: 'total query: the query returned no series (empty result)' }));
    const result = await evaluateSlo(eventsSlo(), TEN_MINUTES, source);
    expect(result).toMatchObject({ verdict: 'inconclusive', sli: null, errorRatio: null, errorBudgetConsumed: null, reason: 'total query: the query returned no series (empty result)' });
    expect(result.burnRates['5m']).toEqual({ windowMs: 300_000, burnRate: null, reason: 'total query: the query returned no series (empty result)' });
  });

  it('is inconclusive below the minimum number of events, and for a window that has not ended', async () => {
    const few = await evaluateSlo(eventsSlo(), TEN_MINUTES, scriptedSource(() => measured(0, 12)), { minEvents: 100 });
    expect(few).toMatchObject({ verdict: 'inconclusive', reason: 'only 12 events in the window (at least 100 needed)' });
    const early = await evaluateSlo(eventsSlo(), TEN_MINUTES, scriptedSource(() => measured(0)), { now: END - 1 });
    expect(early).toMatchObject({ verdict: 'inconclusive', reason: 'the window has not ended yet' });
  });

  it('uses the whole window for burn windows longer than it, and custom burn windows', async () => {
    const short = { start: END - 60_000, end: END };
    const source = scriptedSource(() => measured(0.02));
    const result = await evaluateSlo(eventsSlo(), short, source, { burnWindows: { '30s': 30_000, '5m': 300_000 } });
    expect(Object.keys(result.burnRates)).toEqual(['30s', '5m']);
    expect(result.burnRates['30s']!.windowMs).toBe(30_000);
    expect(result.burnRates['5m']!.windowMs).toBe(60_000);
    expect(result.burnRates['5m']!.burnRate).toBeCloseTo(2, 9);
    expect(source.asked).toHaveLength(2);
  });
});
