import { describe, expect, it } from 'vitest';
import { LIVE_WINDOW_MS, LiveSlos } from '../../../src/engine/drill/live-slos.js';
import type { SliResult, SliSource, SliWindow } from '../../../src/slo/sli-source.js';
import { eventsSlo } from '../../slo/slo-fixtures.js';

const T0 = Date.UTC(2026, 0, 1);
const S = 1000;

/**
 * A source whose answers a test sets: `recent` for the last minute, `whole` for the drill so far (told apart by
 * the window's start, which is the drill's start only for the whole drill).
 */
function fakeSli(drillStart: number) {
  const answers: { recent: SliResult; whole: SliResult } = { recent: { outcome: 'inconclusive', reason: 'unset' }, whole: { outcome: 'inconclusive', reason: 'unset' } };
  const asked: SliWindow[] = [];
  const source: SliSource = {
    name: 'fake',
    errorRatio: async (_slo, window) => {
      asked.push(window);
      return window.start === drillStart ? answers.whole : answers.recent;
    },
  };
  return { source, answers, asked };
}

const measured = (errorRatio: number): SliResult => ({ outcome: 'measured', errorRatio });

describe('LiveSlos', () => {
  it('reads the last minute and the whole drill, clipped to what was watched', async () => {
    const { source, answers, asked } = fakeSli(T0);
    answers.recent = measured(0);
    answers.whole = measured(0);
    const live = new LiveSlos([eventsSlo()], source);
    await live.update(T0 + 30 * S, T0 + 10 * S, T0);
    await live.update(T0 + 120 * S, T0 - 10 * S, T0);
    expect(asked).toEqual([
      { start: T0 + 10 * S, end: T0 + 30 * S },
      { start: T0 + 10 * S, end: T0 + 30 * S },
      { start: T0 + 120 * S - LIVE_WINDOW_MS, end: T0 + 120 * S },
      { start: T0, end: T0 + 120 * S },
    ]);
  });

  it('gives the current ratio, the burn rate it means and the budget left of the drill', async () => {
    const { source, answers } = fakeSli(T0);
    answers.recent = measured(0.005);
    answers.whole = measured(0.002);
    const live = new LiveSlos([eventsSlo({ name: 'gateway-availability', objective: 99 })], source);
    expect(await live.update(T0 + 120 * S, T0, T0)).toEqual([]);
    const [view] = live.views();
    expect(view).toMatchObject({ name: 'gateway-availability', objective: 0.99, breached: false });
    expect(view!.current).toBeCloseTo(0.995);
    expect(view!.burnRate).toBeCloseTo(0.5);
    expect(view!.budgetLeft).toBeCloseTo(0.8);
    expect(view!.history).toHaveLength(1);
    expect(view!.history[0]).toBeCloseTo(0.995);
  });

  it('tells a breach once and a recovery once, with the ratio that crossed the objective', async () => {
    const { source, answers } = fakeSli(T0);
    answers.whole = measured(0);
    const live = new LiveSlos([eventsSlo({ name: 'a', objective: 99 }), eventsSlo({ name: 'b', objective: 90 })], source);
    const at = (s: number) => live.update(T0 + s * S, T0, T0);
    answers.recent = measured(0.001);
    expect(await at(61)).toEqual([]);
    // 2% errors: under a's 99%, within b's 90%.
    answers.recent = measured(0.02);
    const breach = await at(62);
    expect(breach).toHaveLength(1);
    expect(breach[0]).toMatchObject({ slo: 'a', breached: true, objective: 0.99 });
    expect(breach[0]!.current).toBeCloseTo(0.98);
    expect(live.views().map((v) => v.breached)).toEqual([true, false]);
    expect(await at(63)).toEqual([]);
    answers.recent = measured(0.005);
    const recovery = await at(64);
    expect(recovery).toHaveLength(1);
    expect(recovery[0]).toMatchObject({ slo: 'a', breached: false });
    expect(recovery[0]!.current).toBeCloseTo(0.995);
    expect(await at(65)).toEqual([]);
    expect(live.views().map((v) => v.breached)).toEqual([false, false]);
  });

  it('shows no current value nor burn rate while the source cannot tell, and keeps a gap in the history', async () => {
    const { source, answers } = fakeSli(T0);
    answers.recent = measured(0.001);
    answers.whole = measured(0.001);
    const live = new LiveSlos([eventsSlo({ objective: 99 })], source);
    await live.update(T0 + 61 * S, T0, T0);
    answers.recent = { outcome: 'inconclusive', reason: 'no events in the window (total is 0)' };
    answers.whole = { outcome: 'inconclusive', reason: 'no events in the window (total is 0)' };
    expect(await live.update(T0 + 62 * S, T0, T0)).toEqual([]);
    const [view] = live.views();
    expect(view).not.toHaveProperty('current');
    expect(view).not.toHaveProperty('burnRate');
    // The drill's budget so far is still what it was last told.
    expect(view!.budgetLeft).toBeCloseTo(0.9);
    expect(view!.history).toHaveLength(2);
    expect(view!.history[1]).toBeUndefined();
  });

  it('has nothing to show before the first answer', () => {
    const { source } = fakeSli(T0);
    expect(new LiveSlos([eventsSlo({ name: 'a', objective: 99.5 })], source).views()).toEqual([{ name: 'a', objective: 0.995, history: [], breached: false }]);
  });

  it('keeps only as much history as it was told, oldest first', async () => {
    const { source, answers } = fakeSli(T0);
    answers.whole = measured(0);
    const live = new LiveSlos([eventsSlo({ objective: 50 })], source, 3);
    for (const [i, ratio] of [0.1, 0.2, 0.3, 0.4, 0.25].entries()) {
      answers.recent = measured(ratio);
      await live.update(T0 + (61 + i) * S, T0, T0);
    }
    const history = live.views()[0]!.history;
    expect(history).toHaveLength(3);
    expect(history.map((h) => Number(h!.toFixed(6)))).toEqual([0.7, 0.6, 0.75]);
  });
});
