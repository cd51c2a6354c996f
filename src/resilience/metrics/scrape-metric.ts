/**
 * @module
 * A prom-client metric whose values are computed when the registry is scraped.
 *
 * prom-client's own Counter and Histogram cost 300–800 ns per update (resilience-anchors.md §3.5), more than a
 * policy itself. Policies count in plain fields instead, and this adapter hands the totals to the registry only
 * when `/metrics` is read, through the same `get()` contract prom-client's registry calls on its own metrics.
 */
import type { Metric, MetricObjectWithValues, MetricValue, Registry } from 'prom-client';

/** One exported value of a family. */
export interface ScrapeSample {
  labels: Record<string, string>;
  value: number;
  /** For histograms: the series name with its suffix (`_bucket`, `_sum`, `_count`). */
  metricName?: string;
}

/** Definition of a family collected at scrape time. */
export interface ScrapeMetricDefinition {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  labelNames: readonly string[];
  collect(): ScrapeSample[];
}

/** A family registered in a prom-client {@link Registry} and computed on scrape. */
export class ScrapeMetric {
  readonly name: string;
  readonly help: string;
  readonly type: ScrapeMetricDefinition['type'];
  readonly labelNames: readonly string[];
  /** How prom-client merges this family across cluster workers. */
  readonly aggregator = 'sum' as const;

  constructor(
    private readonly definition: ScrapeMetricDefinition,
    registry: Registry,
  ) {
    this.name = definition.name;
    this.help = definition.help;
    this.type = definition.type;
    this.labelNames = definition.labelNames;
    // The registry's public registerMetric() accepts anything with prom-client's get() contract.
    registry.registerMetric(this as unknown as Metric);
  }

  /** Called by the registry on every scrape. */
  async get(): Promise<MetricObjectWithValues<MetricValue<string>>> {
    const values = this.definition.collect().map((s) => ({
      labels: s.labels,
      value: s.value,
      ...(s.metricName ? { metricName: s.metricName } : {}),
    }));
    return {
      name: this.name,
      help: this.help,
      type: this.type as never,
      aggregator: this.aggregator,
      // Values are computed above, on scrape; there is nothing more to collect.
      collect: () => undefined,
      values,
    };
  }
}
