import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { firingAlertsQuery, SloOutageCheck } from '../../../src/monkeys/safety/slo-outage-check.js';
import type { SliResult, SliSource, SliWindow } from '../../../src/slo/sli-source.js';
import type { Slo } from '../../../src/slo/slo-spec.js';
import { harness } from './harness.js';

const slo = (name: string): Slo => ({
  name,
  objective: 99.9,
  labels: {},
  sli: { kind: 'events', errorQuery: 'e', totalQuery: 't' },
  alerting: { labels: {}, annotations: {}, pageAlert: { disable: true, labels: {}, annotations: {} }, ticketAlert: { disable: true, labels: {}, annotations: {} } },
});

/** Answers per SLO name; records every window asked. */
function source(answers: Record<string, SliResult | Error>): SliSource & { windows: SliWindow[] } {
  const windows: SliWindow[] = [];
  return {
    name: 'fake',
    windows,
    errorRatio: async (s: Slo, window: SliWindow) => {
      windows.push(window);
      const answer = answers[s.name]!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
}

const measured = (errorRatio: number): SliResult => ({ outcome: 'measured', errorRatio });

describe('SloOutageCheck', () => {
  it('is clear while every SLO burns below maxBurnRate over the window ending now', async () => {
    const clock = new ManualClock();
    const sli = source({ a: measured(0.0005), b: measured(0) });
    const check = new SloOutageCheck({ clock, slos: [slo('a'), slo('b')], sli, windowMs: 300_000, maxBurnRate: 14.4 });
    expect(await check.inOutage()).toEqual({ state: 'clear' });
    expect(sli.windows[0]).toEqual({ start: clock.now() - 300_000, end: clock.now() });
  });

  it('is an outage when one SLO burns too fast, naming it, the rate, the window and the setting', async () => {
    const check = new SloOutageCheck({ clock: new ManualClock(), slos: [slo('a'), slo('b')], sli: source({ a: measured(0), b: measured(0.05) }), windowMs: 300_000, maxBurnRate: 14.4 });
    expect(await check.inOutage()).toEqual({ state: 'outage', detail: 'SLO b burns its error budget 50.0x over the last 5m (outageCheck.maxBurnRate 14.4)' });
  });

  it('cannot tell without data, or when the source fails; an outage elsewhere still wins', async () => {
    const inconclusive: SliResult = { outcome: 'inconclusive', reason: 'no series' };
    const none = new SloOutageCheck({ clock: new ManualClock(), slos: [slo('a')], sli: source({ a: inconclusive }), windowMs: 60_000, maxBurnRate: 1 });
    expect(await none.inOutage()).toEqual({ state: 'unknown', detail: 'no data for SLO a over the last 1m (no series)' });
    const down = new SloOutageCheck({ clock: new ManualClock(), slos: [slo('a')], sli: source({ a: new Error('ECONNREFUSED') }), windowMs: 60_000, maxBurnRate: 1 });
    expect(await down.inOutage()).toMatchObject({ state: 'unknown', detail: expect.stringContaining('ECONNREFUSED') });
    const both = new SloOutageCheck({ clock: new ManualClock(), slos: [slo('a'), slo('b')], sli: source({ a: inconclusive, b: measured(1) }), windowMs: 60_000, maxBurnRate: 1 });
    expect((await both.inOutage()).state).toBe('outage');
  });

  it('reads firing alerts: any match is an outage, and a failed query cannot tell', async () => {
    const queries: string[] = [];
    const firing = new SloOutageCheck({
      clock: new ManualClock(),
      slos: [],
      windowMs: 60_000,
      maxBurnRate: 1,
      alerts: { matchers: '{severity="page"}', query: async (expr) => (queries.push(expr), [{ labels: { alertname: 'GatewayDown' } }]) },
    });
    expect(await firing.inOutage()).toEqual({ state: 'outage', detail: 'alert(s) firing: GatewayDown (ALERTS{alertstate="firing", severity="page"})' });
    expect(queries).toEqual(['ALERTS{alertstate="firing", severity="page"}']);
    const quiet = new SloOutageCheck({ clock: new ManualClock(), slos: [], windowMs: 60_000, maxBurnRate: 1, alerts: { matchers: '{}', query: async () => [] } });
    expect(await quiet.inOutage()).toEqual({ state: 'clear' });
    const broken = new SloOutageCheck({ clock: new ManualClock(), slos: [], windowMs: 60_000, maxBurnRate: 1, alerts: { matchers: '{}', query: () => Promise.reject(new Error('503')) } });
    expect(await broken.inOutage()).toMatchObject({ state: 'unknown', detail: expect.stringContaining('503') });
    expect(firingAlertsQuery('{}')).toBe('ALERTS{alertstate="firing"}');
    expect(firingAlertsQuery('team="core"')).toBe('ALERTS{alertstate="firing", team="core"}');
  });

  it('with a source that keeps no history, waits until it has watched minObservedMs and scores only what it watched', async () => {
    const clock = new ManualClock();
    const startedAt = clock.now();
    const sli = source({ a: measured(0) });
    const check = new SloOutageCheck({ clock, slos: [slo('a')], sli, windowMs: 300_000, maxBurnRate: 14.4, observedSince: () => startedAt, minObservedMs: 10_000 });
    let verdict: unknown;
    void check.inOutage().then((v) => (verdict = v));
    await clock.advance(9_999);
    expect(verdict).toBeUndefined();
    await clock.advance(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(verdict).toEqual({ state: 'clear' });
    expect(sli.windows[0]).toEqual({ start: startedAt, end: startedAt + 10_000 });
  });

  it('through the pipeline: an outage skips the fault, cannot-tell skips it with its own reason', async () => {
    const burning = new SloOutageCheck({ clock: new ManualClock(), slos: [slo('a')], sli: source({ a: measured(1) }), windowMs: 60_000, maxBurnRate: 14.4 });
    const blind = new SloOutageCheck({ clock: new ManualClock(), slos: [slo('a')], sli: source({ a: new Error('prometheus is down') }), windowMs: 60_000, maxBurnRate: 14.4 });
    for (const [check, reason] of [[burning, 'outage'], [blind, 'outage-unknown']] as const) {
      const h = harness({ outage: () => check.inOutage() });
      const decision = await h.pipeline.terminate({ monkey: 'chaos', group: 'api' });
      expect(decision).toMatchObject({ outcome: 'skipped', reason });
      expect(h.memory.calls).toEqual([]);
    }
  });
});
