/**
 * The bar: SLI math from direct scrapes agrees with Prometheus on the same window within 1%.
 *
 * Three loopback targets export prom-client counters that timers drive at different rates and error shares (so the
 * combined ratio depends on how each target's traffic is weighed). A real Prometheus scrapes them every second and
 * a ScrapeSliSource samples them every 250 ms. Once both have observed them, a 12 s window well inside that time is
 * scored by both, through the same SLO (`sum(rate(…{code=~"5.."}[{{.window}}])) / sum(rate(…[{{.window}}]))`).
 *
 * Why the traffic mix is steady here: on a burst of errors inside the window, Prometheus's own estimate is off by
 * about scrape interval / window (it extrapolates the scrapes inside the window, ~11 s of traffic, to 12 s), about
 * 2% at a 1 s scrape, so no method could agree with it within 1% there; the direct source's accuracy on such a
 * burst is checked against exact counts in scrape-sli-source.test.ts. Here every increment is also logged, and both
 * sources are held to the exact ratio as well.
 *
 * "Within 1%" is relative to the ratio: |direct − prometheus| ≤ 0.01 × prometheus (with a ~10% error ratio that is
 * ±0.001 absolute, stricter than 1 percentage point). Where they differ: Prometheus extrapolates each series from its
 * scrapes inside the window to the window's edges; direct scrapes take the samples just outside it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { PrometheusClient, singleValue } from '../../src/slo/prometheus-client.js';
import { startPrometheusServer, type PrometheusServer } from '../../src/slo/prometheus-server.js';
import { PrometheusSliSource } from '../../src/slo/prometheus-sli-source.js';
import { ScrapeSliSource } from '../../src/slo/scrape-sli-source.js';
import { waitUntil } from '../support/processes.js';
import { startMetricsTarget, type MetricsTarget } from './metrics-target.js';
import { eventsSlo } from './slo-fixtures.js';

/** Each target: a timer period, and the requests it answers per tick. */
const TRAFFIC = [
  { everyMs: 10, ok: 9, errors: 1 },
  { everyMs: 13, ok: 19, errors: 1 },
  { everyMs: 17, ok: 3, errors: 2 },
];
/** A bound on each driver, far beyond the test's length (about 40 s at the fastest timer). */
const MAX_TICKS = 4_000;
const WINDOW_MS = 12_000;

describe('direct scrapes and Prometheus on the same window', () => {
  const cleanups: (() => Promise<void> | void)[] = [];

  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    cleanups.length = 0;
  });

  it('agree on the error ratio within 1%', async ({ annotate }) => {
    const targets: MetricsTarget[] = [];
    for (const [i] of TRAFFIC.entries()) {
      const target = await startMetricsTarget({ service: 'api', instance: `api-${i}` });
      cleanups.push(() => target.close());
      targets.push(target);
    }
    const log: { at: number; ok: number; errors: number }[] = [];
    for (const [i, traffic] of TRAFFIC.entries()) {
      let ticks = 0;
      const driver = setInterval(() => {
        if (++ticks > MAX_TICKS) return clearInterval(driver);
        targets[i]!.record('200', traffic.ok);
        targets[i]!.record('500', traffic.errors);
        log.push({ at: systemClock.now(), ok: traffic.ok, errors: traffic.errors });
      }, traffic.everyMs);
      cleanups.push(() => clearInterval(driver));
    }

    const prometheus: PrometheusServer = await startPrometheusServer({ targets: targets.map((t) => ({ address: t.address })), scrapeIntervalMs: 1_000 });
    cleanups.push(() => prometheus.stop());
    const direct = new ScrapeSliSource({ targets: targets.map((t) => ({ url: t.metricsUrl, labels: { job: 'simian' } })), clock: systemClock, intervalMs: 250 });
    cleanups.push(() => direct.stop());
    await direct.start();

    const client = new PrometheusClient({ url: prometheus.url });
    const scalar = async (query: string): Promise<number> => {
      const reading = singleValue(await client.query(query));
      return reading.kind === 'value' ? reading.value : Number.NaN;
    };
    // Both have observed every target once Prometheus holds two scrapes of each (the first lands ~5 s after start).
    await waitUntil(async () => (await scalar('count(count_over_time(up{job="simian"}[10s]) >= 2)')) === targets.length, 'Prometheus has scraped every target twice', {
      timeoutMs: 20_000,
      intervalMs: 200,
    });
    const start = systemClock.now();
    const window = { start, end: start + WINDOW_MS };
    // Over when Prometheus holds a scrape of every target at or after the end (and so does the direct source).
    await waitUntil(async () => (await scalar('min(timestamp(up{job="simian"}))')) * 1000 >= window.end, 'both sources observed the window end', {
      timeoutMs: WINDOW_MS + 10_000,
      intervalMs: 200,
    });
    await direct.sampleNow();

    const slo = eventsSlo({ objective: 99 });
    const fromPrometheus = await new PrometheusSliSource(client).errorRatio(slo, window);
    const fromScrapes = await direct.errorRatio(slo, window);
    if (fromPrometheus.outcome !== 'measured' || fromScrapes.outcome !== 'measured') {
      throw new Error(`inconclusive: ${JSON.stringify({ fromPrometheus, fromScrapes })}`);
    }
    const inside = log.filter((e) => e.at > window.start && e.at <= window.end);
    const truth = { errors: inside.reduce((sum, e) => sum + e.errors, 0), total: inside.reduce((sum, e) => sum + e.ok + e.errors, 0) };
    const trueRatio = truth.errors / truth.total;
    const apart = (a: number, b: number) => Math.abs(a - b) / b;
    const relative = apart(fromScrapes.errorRatio, fromPrometheus.errorRatio);
    await annotate(
      `error ratio: prometheus ${fromPrometheus.errorRatio.toFixed(6)} (${fromPrometheus.events?.total.toFixed(0)} events), ` +
        `direct ${fromScrapes.errorRatio.toFixed(6)} (${fromScrapes.events?.total.toFixed(0)} events), ` +
        `exact ${trueRatio.toFixed(6)} (${truth.total} events); direct vs prometheus ${(relative * 100).toFixed(3)}% apart`,
    );
    expect(fromPrometheus.errorRatio).toBeGreaterThan(0.05);
    expect(relative).toBeLessThanOrEqual(0.01);
    expect(apart(fromScrapes.errorRatio, trueRatio)).toBeLessThanOrEqual(0.01);
    expect(apart(fromPrometheus.errorRatio, trueRatio)).toBeLessThanOrEqual(0.01);
    // The counts agree less closely (Prometheus extrapolates, the driver's timers jitter), but they do agree.
    expect(apart(fromScrapes.events!.total, truth.total)).toBeLessThanOrEqual(0.03);
    expect(apart(fromPrometheus.events!.total, truth.total)).toBeLessThanOrEqual(0.1);
  }, 60_000);
});
