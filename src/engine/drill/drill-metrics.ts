/**
 * @module
 * One scrape of every instance per tick, read twice: the SLO counters go to a direct-scrape SLI source (which keeps
 * them for the report's windows), and the `resilience_*` families become the console's dependency panel (circuit
 * breakers open, retries and fallbacks per second). An instance whose `/metrics` does not answer is reported, so the
 * map can show it sick.
 */
import type { Clock } from '../../core/clock.js';
import { parseExposition } from '../../slo/exposition-parser.js';
import { ScrapeSliSource, type ScrapeTarget } from '../../slo/scrape-sli-source.js';
import type { Slo } from '../../slo/slo-spec.js';
import { sloMetricNames } from '../stack-sli.js';
import type { DependencyView } from './drill-controls.js';

/** What one instance's resilience families said at one scrape. */
interface ResilienceReading {
  readonly at: number;
  /** Circuit breaker name → its state (`closed`, `open`, `half_open`, …). */
  readonly circuits: ReadonlyMap<string, string>;
  /** Name → retry attempts so far. */
  readonly retries: ReadonlyMap<string, number>;
  /** Name → fallbacks served so far. */
  readonly fallbacks: ReadonlyMap<string, number>;
}

/** Reads the resilience families of one exposition (only its `resilience_` lines are parsed). */
export function readResilience(text: string, at: number): ResilienceReading {
  const lines = text.split('\n').filter((line) => line.startsWith('resilience_') || line.startsWith('# TYPE resilience_'));
  const circuits = new Map<string, string>();
  const retries = new Map<string, number>();
  const fallbacks = new Map<string, number>();
  const add = (map: Map<string, number>, name: string, value: number) => map.set(name, (map.get(name) ?? 0) + value);
  for (const sample of parseExposition(lines.join('\n'))) {
    const name = sample.labels.name;
    if (name === undefined || Number.isNaN(sample.value)) continue;
    if (sample.name === 'resilience_circuit_state' && sample.value === 1 && sample.labels.state) circuits.set(name, sample.labels.state);
    else if (sample.name === 'resilience_retry_attempts_total') add(retries, name, sample.value);
    else if (sample.name === 'resilience_calls_total' && sample.labels.policy === 'fallback' && sample.labels.outcome === 'fallback') add(fallbacks, name, sample.value);
  }
  return { at, circuits, retries, fallbacks };
}

/** Per second between two readings of a counter; a drop is a restarted process counting from 0. */
function perSecond(before: number | undefined, after: number | undefined, seconds: number): number {
  if (after === undefined || !(seconds > 0)) return 0;
  const increase = before === undefined || after < before ? after : after - before;
  return before === undefined ? 0 : increase / seconds;
}

/** Sums the instances' last two readings into one row per dependency name: open breakers first, then the busiest, then by name. */
export function dependencyViews(readings: Iterable<readonly ResilienceReading[]>): DependencyView[] {
  const rows = new Map<string, { open: number; halfOpen: number; total: number; retries: number; fallbacks: number }>();
  const row = (name: string) => {
    let found = rows.get(name);
    if (!found) rows.set(name, (found = { open: 0, halfOpen: 0, total: 0, retries: 0, fallbacks: 0 }));
    return found;
  };
  for (const pair of readings) {
    const last = pair[pair.length - 1];
    if (!last) continue;
    const previous = pair.length > 1 ? pair[pair.length - 2] : undefined;
    const seconds = previous ? (last.at - previous.at) / 1000 : 0;
    for (const [name, state] of last.circuits) {
      const r = row(name);
      r.total += 1;
      if (state === 'open' || state === 'forced_open') r.open += 1;
      if (state === 'half_open') r.halfOpen += 1;
    }
    for (const [name, value] of last.retries) row(name).retries += perSecond(previous?.retries.get(name), value, seconds);
    for (const [name, value] of last.fallbacks) row(name).fallbacks += perSecond(previous?.fallbacks.get(name), value, seconds);
  }
  // Trouble first: the panel has room for a few rows, and a busy fallback matters more than a quiet name.
  const trouble = (r: { open: number; halfOpen: number }) => r.open + r.halfOpen;
  const activity = (r: { retries: number; fallbacks: number }) => r.retries + r.fallbacks;
  return [...rows.entries()]
    .sort(([a, ra], [b, rb]) => trouble(rb) - trouble(ra) || activity(rb) - activity(ra) || a.localeCompare(b))
    .map(([name, r]) => ({
      name,
      ...(r.total > 0 ? { circuits: { open: r.open, halfOpen: r.halfOpen, total: r.total } } : {}),
      retriesPerSecond: r.retries,
      fallbacksPerSecond: r.fallbacks,
    }));
}

/** What {@link DrillMetrics} needs. */
export interface DrillMetricsOptions {
  /** The instances to scrape now (replaced instances listen on new ports); `labels.instance` names each. */
  readonly targets: () => Promise<ScrapeTarget[]>;
  /** The SLOs whose counters to keep. */
  readonly slos: readonly Slo[];
  readonly clock: Clock;
  readonly fetch?: typeof fetch;
}

/** The drill's scrapes: call {@link DrillMetrics.sample} once per tick. */
export class DrillMetrics {
  /** The SLO counters, kept for an hour: live values and the report's windows read them. */
  readonly sli: ScrapeSliSource;
  private readonly readings = new Map<string, ResilienceReading[]>();
  private readonly instanceOf = new Map<string, string>();

  constructor(private readonly options: DrillMetricsOptions) {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    // The SLI source reads the body; a clone of the same answer feeds the dependency panel, so each tick scrapes once.
    const tee: typeof fetch = async (input, init) => {
      const response = await fetchImpl(input, init);
      const instance = this.instanceOf.get(String(input));
      if (response.ok && instance !== undefined) {
        const at = options.clock.now();
        // A body that does not parse is the SLI source's failed scrape to report, not an unhandled rejection here.
        void response
          .clone()
          .text()
          .then((text) => this.keep(instance, readResilience(text, at)))
          .catch(() => undefined);
      }
      return response;
    };
    const names = sloMetricNames(options.slos);
    this.sli = new ScrapeSliSource({ targets: [], clock: options.clock, fetch: tee, timeoutMs: 2_000, ...(names ? { metricNames: names } : {}) });
  }

  /** Follows the stack's instances, then scrapes each once; resolves when every answer is in. */
  async sample(): Promise<void> {
    const targets = await this.options.targets().catch(() => undefined);
    if (targets) {
      this.sli.setTargets(targets);
      this.instanceOf.clear();
      for (const target of targets) if (target.labels?.instance) this.instanceOf.set(target.url, target.labels.instance);
      // Forget instances that are gone, so a replaced one's breakers are not counted twice.
      const live = new Set(this.instanceOf.values());
      for (const id of this.readings.keys()) if (!live.has(id)) this.readings.delete(id);
    }
    await this.sli.sampleNow();
  }

  /** One row per dependency, from each instance's last two scrapes. */
  dependencies(): DependencyView[] {
    return dependencyViews(this.readings.values());
  }

  /** Instances whose last scrape failed. */
  unreachable(): Set<string> {
    const ids = new Set<string>();
    for (const url of this.sli.scrapeErrors.keys()) {
      const id = this.instanceOf.get(url);
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }

  async stop(): Promise<void> {
    await this.sli.stop();
  }

  private keep(instance: string, reading: ResilienceReading): void {
    const kept = this.readings.get(instance) ?? [];
    this.readings.set(instance, [...kept.slice(-1), reading]);
  }
}
