/**
 * @module
 * SLIs without a Prometheus server (the embedded default): scrape the targets' `/metrics` periodically, keep the
 * counter samples, and compute each series' increase over the window the way `increase()` means it.
 *
 * A series' increase runs from its sample at or just before the window's start to its sample at or just after the
 * window's end, adding every step and treating a drop as a counter reset (a restarted process counts from 0, so
 * the new value is all increase). The two steps that straddle the window's edges count in proportion to the part
 * of their interval inside the window (linear interpolation). A series with no sample before the start appeared
 * mid-window and counts from 0; a series with no sample after the end (its instance died) counts up to its last
 * sample. Unlike Prometheus's `increase()`, nothing is extrapolated beyond the samples.
 *
 * The source must be running before the window starts: `start()` takes a sample at once and then one every
 * `intervalMs` of the injected clock. A window it did not observe from both ends is inconclusive.
 */
import { systemClock, type Clock, type Timer } from '../core/clock.js';
import { isSimianError } from '../core/errors.js';
import { parseExposition } from './exposition-parser.js';
import { evaluateSubsetQuery, matchesAll, parseSubsetQuery, type SubsetQuery, type SubsetTerm } from './promql-subset.js';
import type { SliResult, SliSource, SliWindow } from './sli-source.js';
import type { Slo } from './slo-spec.js';

/** Something to scrape. */
export interface ScrapeTarget {
  /** The full metrics URL: `http://127.0.0.1:41234/metrics`. */
  readonly url: string;
  /**
   * Labels added to every series of the target where the series does not carry them already (like Prometheus's
   * target labels with `honor_labels: true`), e.g. `{ job: 'simian' }`.
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Options of {@link ScrapeSliSource}. */
export interface ScrapeSliSourceOptions {
  readonly targets: readonly ScrapeTarget[];
  /** Times the sampling and stamps the samples. @default the system clock */
  readonly clock?: Clock;
  /** Time between samples. @default 1_000 */
  readonly intervalMs?: number;
  /** How long one scrape may take. @default 5_000 */
  readonly timeoutMs?: number;
  /** How long samples are kept (the newest older sample is always kept as a base). @default 3_600_000 */
  readonly retentionMs?: number;
  /** Keep only these metric names (the sample names the SLO queries read); default: every counter-like sample. */
  readonly metricNames?: readonly string[];
  readonly fetch?: typeof fetch;
}

/** One reading of one counter series. `at` is when the scrape was sent, `readBy` when its answer arrived. */
export interface CounterSample {
  readonly at: number;
  readonly readBy: number;
  readonly value: number;
}

interface StoredSeries {
  readonly labels: Readonly<Record<string, string>>;
  samples: CounterSample[];
}

/** Sample types that can be counters; gauges are dropped (`rate` over a gauge is meaningless). */
const COUNTER_LIKE = new Set(['counter', 'histogram', 'summary', 'untyped']);

/**
 * A {@link SliSource} over direct scrapes.
 *
 * @example
 * const source = new ScrapeSliSource({ targets: [{ url: 'http://127.0.0.1:41234/metrics' }] });
 * await source.start();                    // first sample now
 * const start = clock.now();
 * await clock.sleep(600_000);
 * await source.sampleNow();                // a sample at or after the end
 * await source.errorRatio(slo, { start, end: start + 600_000 });
 * await source.stop();
 */
export class ScrapeSliSource implements SliSource {
  readonly name = 'direct scrapes';
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly timeoutMs: number;
  private readonly retentionMs: number;
  private readonly metricNames: ReadonlySet<string> | undefined;
  private readonly fetchImpl: typeof fetch;
  private targetList: readonly ScrapeTarget[];
  private readonly series = new Map<string, StoredSeries>();
  /** Completed sampling rounds: when each was sent and when its last answer arrived. */
  private rounds: { at: number; readBy: number }[] = [];
  private timer: Timer | undefined;
  private inFlight: Promise<void> | undefined;
  private running = false;
  private lastErrors = new Map<string, string>();

  constructor(options: ScrapeSliSourceOptions) {
    this.targetList = options.targets;
    this.clock = options.clock ?? systemClock;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 3_600_000;
    this.metricNames = options.metricNames ? new Set(options.metricNames) : undefined;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
  }

  /** Replaces the targets (an instance was replaced at a new address); series already kept stay. */
  setTargets(targets: readonly ScrapeTarget[]): void {
    this.targetList = targets;
  }

  /** The targets scraped now. */
  get targets(): readonly ScrapeTarget[] {
    return this.targetList;
  }

  /** The last scrape error per target URL, for diagnostics; a target that answered has none. */
  get scrapeErrors(): ReadonlyMap<string, string> {
    return this.lastErrors;
  }

  /** Takes a sample now and then every `intervalMs`; resolves once the first sample is in. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.schedule();
    await this.sampleNow();
  }

  /** Stops sampling; resolves once a sample in flight has landed. Kept samples stay readable. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.inFlight;
  }

  /** Takes one sample of every target now (after one in flight, if any), and resolves when it is in. */
  async sampleNow(): Promise<void> {
    // Chained, so that two callers never sample at once.
    const previous = this.inFlight;
    const round = (async () => {
      await previous;
      await this.round();
    })();
    this.inFlight = round;
    try {
      await round;
    } finally {
      if (this.inFlight === round) this.inFlight = undefined;
    }
  }

  /** Resolves when no sample is in flight (tests step a ManualClock, then wait for the sample it started). */
  async idle(): Promise<void> {
    while (this.inFlight) await this.inFlight;
  }

  async errorRatio(slo: Slo, window: SliWindow): Promise<SliResult> {
    if (!(window.end > window.start)) return { outcome: 'inconclusive', reason: 'the window is empty' };
    if (slo.sli.kind === 'raw') {
      return { outcome: 'inconclusive', reason: 'a raw error-ratio SLI needs Prometheus: direct scrapes compute event SLIs (error and total queries) only' };
    }
    let errorQuery: SubsetQuery;
    let totalQuery: SubsetQuery;
    try {
      errorQuery = parseSubsetQuery(slo.sli.errorQuery);
      totalQuery = parseSubsetQuery(slo.sli.totalQuery);
    } catch (error) {
      if (isSimianError(error, 'slo.unsupportedQuery')) return { outcome: 'inconclusive', reason: `${error.message} [${error.code}]` };
      throw error;
    }
    const coverage = this.coverage(window);
    if (coverage) return { outcome: 'inconclusive', reason: coverage };
    const seconds = (window.end - window.start) / 1000;
    const sum = (term: SubsetTerm): number | undefined => this.sumOfIncreases(term, window);
    const total = evaluateSubsetQuery(totalQuery, seconds, sum);
    if (total === undefined) return { outcome: 'inconclusive', reason: `no scraped series match the total query: ${slo.sli.totalQuery}` };
    if (!(total > 0)) return { outcome: 'inconclusive', reason: 'no events in the window (total is 0)' };
    // An error query matching no series means no errors (its series were never created), as with Prometheus.
    const errors = Math.max(0, evaluateSubsetQuery(errorQuery, seconds, sum) ?? 0);
    // In events, so that a rate over an increase (or the reverse) still gives a ratio.
    const toEvents = (value: number, query: SubsetQuery): number => (isRate(query) ? value * seconds : value);
    const events = { errors: toEvents(errors, errorQuery), total: toEvents(total, totalQuery) };
    return { outcome: 'measured', errorRatio: Math.min(1, events.errors / events.total), events };
  }

  /** Why the samples do not bracket `window`, or undefined when they do. */
  private coverage(window: SliWindow): string | undefined {
    const first = this.rounds[0];
    if (!first) return 'no direct scrapes were taken';
    if (!this.rounds.some((r) => r.readBy <= window.start)) {
      return `direct scrapes began at ${new Date(first.at).toISOString()}, after the window start ${new Date(window.start).toISOString()}`;
    }
    if (!this.rounds.some((r) => r.at >= window.end)) return `no direct scrape at or after the window end ${new Date(window.end).toISOString()} yet`;
    return undefined;
  }

  private sumOfIncreases(term: SubsetTerm, window: SliWindow): number | undefined {
    let matched = false;
    let sum = 0;
    for (const series of this.series.values()) {
      if (!matchesAll(term.matchers, series.labels)) continue;
      matched = true;
      sum += increaseOver(series.samples, window);
    }
    return matched ? sum : undefined;
  }

  private schedule(): void {
    this.timer = this.clock.setTimer(
      () => {
        if (!this.running) return;
        this.schedule();
        // Like Prometheus, a sample still in flight when the next is due makes that one skip.
        if (this.inFlight) return;
        void this.sampleNow();
      },
      this.intervalMs,
      { keepAlive: false },
    );
  }

  private async round(): Promise<void> {
    const at = this.clock.now();
    const targets = this.targetList;
    const readBy = await Promise.all(targets.map((target) => this.scrape(target, at)));
    this.rounds.push({ at, readBy: Math.max(at, ...readBy) });
    this.prune();
  }

  /** Scrapes one target; returns when its answer was read. A failing target is recorded, not thrown. */
  private async scrape(target: ScrapeTarget, at: number): Promise<number> {
    const controller = new AbortController();
    const timer = this.clock.setTimer(() => controller.abort(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs, { keepAlive: false });
    try {
      const response = await this.fetchImpl(target.url, { signal: controller.signal, headers: { accept: 'text/plain;version=0.0.4' } });
      const text = await response.text();
      const readBy = this.clock.now();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      this.ingest(target, parseExposition(text), at, readBy);
      this.lastErrors.delete(target.url);
      return readBy;
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      this.lastErrors.set(target.url, cause ?? (controller.signal.aborted ? String((controller.signal.reason as Error).message) : (error as Error).message));
      return this.clock.now();
    } finally {
      timer.cancel();
    }
  }

  private ingest(target: ScrapeTarget, samples: ReturnType<typeof parseExposition>, at: number, readBy: number): void {
    for (const sample of samples) {
      if (!COUNTER_LIKE.has(sample.type) || Number.isNaN(sample.value)) continue;
      if (this.metricNames && !this.metricNames.has(sample.name)) continue;
      const labels = { ...target.labels, ...sample.labels, __name__: sample.name };
      // The target URL is part of the identity: two instances may export identical label sets.
      const key = `${target.url}\u0000${seriesKey(labels)}`;
      let series = this.series.get(key);
      if (!series) {
        series = { labels, samples: [] };
        this.series.set(key, series);
      }
      series.samples.push({ at, readBy, value: sample.value });
    }
  }

  /** Drops samples older than the retention, keeping the newest of them as the base of a window starting there. */
  private prune(): void {
    const cutoff = this.clock.now() - this.retentionMs;
    for (const [key, series] of this.series) {
      const index = series.samples.findIndex((s) => s.at >= cutoff);
      // Nothing recent: the series is gone (its instance was replaced long ago).
      if (index === -1) this.series.delete(key);
      else if (index > 1) series.samples = series.samples.slice(index - 1);
    }
    const round = this.rounds.findIndex((r) => r.at >= cutoff);
    if (round > 1) this.rounds = this.rounds.slice(round - 1);
  }
}

/**
 * The increase of one counter series over `window`. It walks the steps from the series' last sample read by the
 * start (or from 0, if the series appeared later) to its first sample sent at or after the end (or its last one, if
 * it stopped). A step that rises is taken in the share of its interval that lies inside the window (linear
 * interpolation, so a 15 s sampling interval does not add up to 15 s of traffic at each edge); a step that drops
 * is a counter reset, whose new value is all increase and cannot be placed in time, so it counts whole.
 */
export function increaseOver(samples: readonly CounterSample[], window: SliWindow): number {
  let baseIndex = -1;
  for (let i = 0; i < samples.length && samples[i]!.readBy <= window.start; i++) baseIndex = i;
  // A series that appeared mid-window started from 0: its first value is all increase.
  let increase = baseIndex === -1 && samples.length > 0 ? samples[0]!.value : 0;
  for (let i = Math.max(1, baseIndex + 1); i < samples.length; i++) {
    const previous = samples[i - 1]!;
    const current = samples[i]!;
    if (current.value < previous.value) increase += current.value;
    else increase += (current.value - previous.value) * shareInside(midpoint(previous), midpoint(current), window);
    if (current.at >= window.end) break;
  }
  return increase;
}

/** The best estimate of when a sample was read: between sending the scrape and reading the answer. */
function midpoint(sample: CounterSample): number {
  return (sample.at + sample.readBy) / 2;
}

/** The share of the interval [from, to] inside the window. */
function shareInside(from: number, to: number, window: SliWindow): number {
  if (to <= from) return to >= window.start && to <= window.end ? 1 : 0;
  const overlap = Math.min(to, window.end) - Math.max(from, window.start);
  return Math.max(0, overlap) / (to - from);
}

function isRate(query: SubsetQuery): boolean {
  return query.kind === 'term' ? query.term.fn === 'rate' : query.minuend.fn === 'rate';
}

function seriesKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join('\u0001');
}
