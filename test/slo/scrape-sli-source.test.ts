import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { ScrapeSliSource, type ScrapeTarget } from '../../src/slo/scrape-sli-source.js';
import type { SliResult } from '../../src/slo/sli-source.js';
import { startMetricsTarget, type MetricsTarget } from './metrics-target.js';
import { eventsSlo, rawSlo } from './slo-fixtures.js';
import { waitUntil } from '../support/processes.js';

const T0 = Date.UTC(2026, 0, 1);

describe('ScrapeSliSource (real loopback targets, a ManualClock)', () => {
  let targets: MetricsTarget[] = [];
  let source: ScrapeSliSource | undefined;
  let clock: ManualClock;

  afterEach(async () => {
    await source?.stop();
    source = undefined;
    await Promise.all(targets.map((t) => t.close()));
    targets = [];
  });

  async function setUp(count: number, intervalMs = 1_000): Promise<MetricsTarget[]> {
    targets = await Promise.all(Array.from({ length: count }, (_, i) => startMetricsTarget({ service: 'api', instance: `api-${i}` })));
    clock = new ManualClock(T0);
    source = new ScrapeSliSource({ targets: targets.map((t): ScrapeTarget => ({ url: t.metricsUrl, labels: { job: 'simian' } })), clock, intervalMs });
    await source.start();
    return targets;
  }

  /** One sampling interval: the clock's timer starts a sample, which is real HTTP, so wait for it to land. */
  async function tick(ms = 1_000): Promise<void> {
    await clock.advance(ms);
    await source!.idle();
  }

  /** The result's ratio (to 12 digits: rate() divides both sides by the window) and event counts. */
  function measured(result: SliResult): { errorRatio: number; errors: number; total: number } {
    if (result.outcome !== 'measured') throw new Error(`inconclusive: ${result.reason}`);
    return { errorRatio: Number(result.errorRatio.toFixed(12)), errors: result.events!.errors, total: result.events!.total };
  }

  it('counts exactly the increase between the samples bracketing the window, across targets', async () => {
    const [a, b] = await setUp(2);
    a!.record('200', 1_000); // before the window: not counted
    await tick(); // T0+1s: the window's base
    a!.record('200', 90);
    a!.record('500', 10);
    b!.record('200', 50);
    b!.record('503', 50); // a series that appears mid-window counts from 0
    await tick(); // T0+2s
    a!.record('200', 100);
    await tick(); // T0+3s: the window's end
    b!.record('500', 5_000); // after the window: not counted
    await tick();

    const result = measured(await source!.errorRatio(eventsSlo(), { start: T0 + 1_000, end: T0 + 3_000 }));
    expect(result).toEqual({ errorRatio: 0.2, errors: 60, total: 300 });
    // Matchers see the target's own labels and the target labels added to them.
    const onlyA = eventsSlo({
      errorQuery: 'sum(increase(http_requests_total{job="simian",instance="api-0",code!~"2.."}[{{.window}}]))',
      totalQuery: 'sum(increase(http_requests_total{instance="api-0"}[{{.window}}]))',
    });
    expect(measured(await source!.errorRatio(onlyA, { start: T0 + 1_000, end: T0 + 3_000 }))).toEqual({ errorRatio: 0.05, errors: 10, total: 200 });
  });

  it('takes the steps that straddle the window edges in proportion to the time inside the window', async () => {
    const [a] = await setUp(1);
    a!.record('200', 100);
    await tick(); // T0+1s: 100
    a!.record('200', 100);
    a!.record('500', 20);
    await tick(); // T0+2s: 200 / 20
    // Half of each step lies inside [T0+0.5s, T0+1.5s].
    const half = measured(await source!.errorRatio(eventsSlo(), { start: T0 + 500, end: T0 + 1_500 }));
    expect(half).toEqual({ errorRatio: Number((10 / 110).toFixed(12)), errors: 10, total: 110 });
  });

  it('counts across a counter reset (a restarted instance) as Prometheus increase() does', async () => {
    const [a] = await setUp(1);
    a!.record('200', 100);
    await tick(); // base: 100
    a!.record('200', 40);
    a!.record('500', 2);
    await tick(); // 140 / 2
    a!.restart(); // the process restarts: counters back to 0
    a!.record('200', 30);
    a!.record('500', 1);
    await tick(); // 30 / 1: dropped, so all of it is increase
    a!.record('200', 20);
    await tick(); // 50 / 3

    const result = measured(await source!.errorRatio(eventsSlo({ errorQuery: 'sum(increase(http_requests_total{code="500"}[{{.window}}]))', totalQuery: 'sum(increase(http_requests_total[{{.window}}]))' }), { start: T0 + 1_000, end: T0 + 4_000 }));
    // 200: +40, reset +30, +20 = 90; 500: +2, reset +1 = 3. (As with Prometheus, a reset is seen only as a drop:
    // had the restarted process counted past the old value before the next sample, the reset would be invisible.)
    expect(result).toEqual({ errorRatio: Number((3 / 93).toFixed(12)), errors: 3, total: 93 });
  });

  it('follows a replaced instance at a new address (counted from 0) and keeps what a dead one counted', async () => {
    const [a] = await setUp(1);
    await tick(); // base
    a!.record('200', 10);
    a!.record('500', 10);
    await tick();
    const replacement = await startMetricsTarget({ service: 'api', instance: 'api-0' });
    targets.push(replacement);
    a!.setDown(true); // the old one no longer answers
    source!.setTargets([{ url: replacement.metricsUrl }]);
    replacement.record('200', 30);
    await tick();
    replacement.record('200', 50);
    await tick(); // the end

    expect(source!.scrapeErrors.size).toBe(0); // the dead target is no longer a target
    const result = measured(await source!.errorRatio(eventsSlo(), { start: T0 + 1_000, end: T0 + 4_000 }));
    expect(result).toEqual({ errorRatio: 10 / 100, errors: 10, total: 100 });
  });

  it('records a target that does not answer and uses the samples it has', async () => {
    const [a] = await setUp(1);
    await tick();
    a!.record('200', 5);
    await tick();
    a!.setDown(true);
    await tick();
    expect(source!.scrapeErrors.get(a!.metricsUrl)).toBe('HTTP 503');
    const result = measured(await source!.errorRatio(eventsSlo(), { start: T0 + 1_000, end: T0 + 3_000 }));
    expect(result.total).toBe(5);
  });

  it('is inconclusive when the window was not observed from both ends, has no events, or cannot be computed', async () => {
    const [a] = await setUp(1);
    a!.record('200', 10);
    await tick();
    await tick();
    const inconclusive = async (result: Promise<SliResult>) => {
      const r = await result;
      expect(r.outcome).toBe('inconclusive');
      return r.outcome === 'inconclusive' ? r.reason : '';
    };
    expect(await inconclusive(source!.errorRatio(eventsSlo(), { start: T0 - 1_000, end: T0 + 2_000 }))).toMatch(/began at .* after the window start/);
    expect(await inconclusive(source!.errorRatio(eventsSlo(), { start: T0, end: T0 + 5_000 }))).toMatch(/no direct scrape at or after the window end/);
    expect(await inconclusive(source!.errorRatio(eventsSlo(), { start: T0 + 1_000, end: T0 + 2_000 }))).toMatch(/no events in the window/);
    expect(await inconclusive(source!.errorRatio(eventsSlo({ totalQuery: 'sum(rate(nope_total[{{.window}}]))' }), { start: T0, end: T0 + 2_000 }))).toMatch(/no scraped series match the total query/);
    expect(await inconclusive(source!.errorRatio(eventsSlo({ totalQuery: 'sum(rate(a[5m])) / 2' }), { start: T0, end: T0 + 2_000 }))).toMatch(/slo\.unsupportedQuery/);
    expect(await inconclusive(source!.errorRatio(rawSlo('x'), { start: T0, end: T0 + 2_000 }))).toMatch(/needs Prometheus/);
    expect(await inconclusive(source!.errorRatio(eventsSlo(), { start: T0 + 2_000, end: T0 + 2_000 }))).toMatch(/empty/);
  });

  it('counts no errors when the error query matches no series but there are events', async () => {
    const [a] = await setUp(1);
    a!.record('200', 10);
    await tick();
    const slo = eventsSlo({ errorQuery: 'sum(rate(http_requests_total{code="504"}[{{.window}}]))' });
    expect(measured(await source!.errorRatio(slo, { start: T0, end: T0 + 1_000 }))).toEqual({ errorRatio: 0, errors: 0, total: 10 });
  });

  it('samples on the clock every interval, skips a tick while a sample is in flight, and leaves no timer after stop', async () => {
    const [a] = await setUp(1, 500);
    expect(clock.pendingTimers).toBe(1);
    a!.record('200', 1);
    await tick(500);
    a!.record('200', 1);
    await tick(500);
    // Two samples after the first: a window from the first to the last sees both increments.
    expect(measured(await source!.errorRatio(eventsSlo(), { start: T0, end: T0 + 1_000 })).total).toBe(2);
    // A slow target: the next tick comes while the sample is still in flight, and is skipped.
    a!.setDelay(100);
    const before = a!.scrapes;
    await clock.advance(500);
    await clock.advance(500);
    await source!.idle();
    expect(a!.scrapes - before).toBe(1);
    await source!.stop();
    expect(clock.pendingTimers).toBe(0);
    a!.record('200', 1);
    await clock.advance(5_000);
    expect(measured(await source!.errorRatio(eventsSlo(), { start: T0, end: T0 + 1_000 })).total).toBe(2);
  });
});

describe('ScrapeSliSource against the exact counts (real time)', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  it('measures a burst of errors inside the window within 1% of the true ratio', async ({ annotate }) => {
    const target = await startMetricsTarget({ service: 'api' });
    cleanups.push(() => target.close());
    // Every increment is logged with its time, so the exact count inside any window is known.
    const log: { at: number; ok: number; errors: number }[] = [];
    let burst: { from: number; to: number } | undefined = undefined;
    let ticks = 0;
    const driver = setInterval(() => {
      if (++ticks > 1_000) return clearInterval(driver);
      const at = systemClock.now();
      const errors = burst && at >= burst.from && at < burst.to ? 10 : 1;
      target.record('200', 19);
      target.record('500', errors);
      log.push({ at, ok: 19, errors });
    }, 5);
    cleanups.push(() => clearInterval(driver));
    const source = new ScrapeSliSource({ targets: [{ url: target.metricsUrl }], clock: systemClock, intervalMs: 100 });
    cleanups.push(() => source.stop());
    await source.start();
    await waitUntil(() => log.length > 20, 'traffic flows');
    const start = systemClock.now();
    const window = { start, end: start + 2_000 };
    burst = { from: start + 700, to: start + 1_200 };
    await waitUntil(() => systemClock.now() >= window.end + 150, 'the window is over');
    await source.sampleNow();

    const inside = log.filter((e) => e.at > window.start && e.at <= window.end);
    const truth = inside.reduce((sum, e) => sum + e.errors, 0) / inside.reduce((sum, e) => sum + e.ok + e.errors, 0);
    const result = await source.errorRatio(eventsSlo(), window);
    if (result.outcome !== 'measured') throw new Error(result.reason);
    const relative = Math.abs(result.errorRatio - truth) / truth;
    await annotate(`true ratio ${truth.toFixed(6)}, direct ${result.errorRatio.toFixed(6)}: ${(relative * 100).toFixed(3)}% apart`);
    expect(relative).toBeLessThanOrEqual(0.01);
  });
});
