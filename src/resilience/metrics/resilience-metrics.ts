/**
 * @module
 * The `resilience_*` metric families, one set per prom-client Registry, fed by the policies that report to it.
 */
import type { Registry } from 'prom-client';
import { InvalidOptionError } from '../errors.js';
import type { LatencyHistogram } from './latency-histogram.js';
import { ScrapeMetric, type ScrapeSample } from './scrape-metric.js';

/** Names of the families a {@link MetricSource} can add samples to, besides calls and durations. */
export type ExtraFamily =
  | 'resilience_circuit_state'
  | 'resilience_circuit_transitions_total'
  | 'resilience_retry_attempts_total'
  | 'resilience_retry_budget_exhausted_total'
  | 'resilience_bulkhead_inflight'
  | 'resilience_bulkhead_queued'
  | 'resilience_concurrency_limit'
  | 'resilience_concurrency_inflight'
  | 'resilience_hedges_total'
  | 'resilience_fault_injected_total'
  | 'resilience_ratelimit_available_tokens';

/** Receives one sample of an extra family. */
export type SampleSink = (family: ExtraFamily, labels: Record<string, string>, value: number) => void;

/**
 * Something that reports to the metrics: a policy, a retry budget. Its numbers are plain fields that it updates on
 * the hot path; they are read here only when the registry is scraped.
 */
export interface MetricSource {
  /** The `policy` label (`retry`, `circuit_breaker`, …). */
  readonly policy: string;
  /** The `name` label: what the policy protects (`catalog`, `billing-write`). */
  readonly name: string;
  /** Counts per outcome for `resilience_calls_total`; every key is exported from the start, at 0. */
  readonly outcomes?: Readonly<Record<string, number>>;
  /** Durations for `resilience_call_duration_seconds`. */
  readonly durations?: LatencyHistogram;
  /** Adds samples for the other families. */
  collect?(sink: SampleSink): void;
}

const EXTRA_FAMILIES: ReadonlyArray<{ name: ExtraFamily; type: 'counter' | 'gauge'; help: string; labelNames: string[] }> = [
  { name: 'resilience_circuit_state', type: 'gauge', help: 'Circuit breaker state: 1 for the current state, 0 for the others.', labelNames: ['name', 'state'] },
  { name: 'resilience_circuit_transitions_total', type: 'counter', help: 'Circuit breaker state transitions.', labelNames: ['name', 'from', 'to'] },
  { name: 'resilience_retry_attempts_total', type: 'counter', help: 'Retry attempts made after a first attempt failed.', labelNames: ['name'] },
  { name: 'resilience_retry_budget_exhausted_total', type: 'counter', help: 'Retries or hedges refused because the retry budget was spent.', labelNames: ['name'] },
  { name: 'resilience_bulkhead_inflight', type: 'gauge', help: 'Calls running inside a bulkhead.', labelNames: ['name'] },
  { name: 'resilience_bulkhead_queued', type: 'gauge', help: 'Calls waiting in a bulkhead queue.', labelNames: ['name'] },
  { name: 'resilience_concurrency_limit', type: 'gauge', help: 'Current limit of an adaptive concurrency limiter.', labelNames: ['name'] },
  { name: 'resilience_concurrency_inflight', type: 'gauge', help: 'Calls running inside an adaptive concurrency limiter.', labelNames: ['name'] },
  { name: 'resilience_hedges_total', type: 'counter', help: 'Hedged attempts, by result.', labelNames: ['name', 'result'] },
  { name: 'resilience_fault_injected_total', type: 'counter', help: 'Faults injected on purpose by fault-injection policies.', labelNames: ['name', 'kind'] },
  { name: 'resilience_ratelimit_available_tokens', type: 'gauge', help: 'Tokens left in a rate limiter bucket.', labelNames: ['name'] },
];

/**
 * The families of one registry and the sources feeding them. Get it with {@link resilienceMetrics}; there is
 * exactly one per registry, so two policies given the same registry share it.
 */
export class ResilienceMetrics {
  private readonly sources = new Set<MetricSource>();

  constructor(registry: Registry) {
    new ScrapeMetric(
      {
        name: 'resilience_calls_total',
        help: 'Calls through a resilience policy, by outcome.',
        type: 'counter',
        labelNames: ['policy', 'name', 'outcome'],
        collect: () => this.collectOutcomes(),
      },
      registry,
    );
    new ScrapeMetric(
      {
        name: 'resilience_call_duration_seconds',
        help: 'Duration of calls through a resilience policy, in seconds.',
        type: 'histogram',
        labelNames: ['policy', 'name'],
        collect: () => this.collectDurations(),
      },
      registry,
    );
    for (const family of EXTRA_FAMILIES) {
      new ScrapeMetric({ ...family, collect: () => this.collectExtra(family.name) }, registry);
    }
  }

  /**
   * Starts reporting `source`. Attaching the same source again is a no-op; a different source with the same
   * policy and name would export duplicate series, so it is refused.
   */
  attach(source: MetricSource): void {
    if (this.sources.has(source)) return;
    for (const other of this.sources) {
      if (other.policy === source.policy && other.name === source.name) {
        throw new InvalidOptionError(
          source.policy,
          'name',
          `"${source.name}" is already reporting to this registry; give each ${source.policy} its own name`,
        );
      }
    }
    this.sources.add(source);
  }

  /** Stops reporting `source` (when its policy is disposed). */
  detach(source: MetricSource): void {
    this.sources.delete(source);
  }

  private collectOutcomes(): ScrapeSample[] {
    const samples: ScrapeSample[] = [];
    for (const source of this.sources) {
      if (!source.outcomes) continue;
      for (const [outcome, value] of Object.entries(source.outcomes)) {
        samples.push({ labels: { policy: source.policy, name: source.name, outcome }, value });
      }
    }
    return samples;
  }

  private collectDurations(): ScrapeSample[] {
    const samples: ScrapeSample[] = [];
    for (const source of this.sources) {
      const histogram = source.durations;
      if (!histogram) continue;
      const labels = { policy: source.policy, name: source.name };
      const cumulative = histogram.cumulative();
      histogram.bounds.forEach((bound, i) => {
        samples.push({ metricName: 'resilience_call_duration_seconds_bucket', labels: { ...labels, le: String(bound) }, value: cumulative[i]! });
      });
      samples.push({ metricName: 'resilience_call_duration_seconds_bucket', labels: { ...labels, le: '+Inf' }, value: histogram.count });
      samples.push({ metricName: 'resilience_call_duration_seconds_sum', labels, value: histogram.sum });
      samples.push({ metricName: 'resilience_call_duration_seconds_count', labels, value: histogram.count });
    }
    return samples;
  }

  private collectExtra(family: ExtraFamily): ScrapeSample[] {
    const samples: ScrapeSample[] = [];
    const sink: SampleSink = (f, labels, value) => {
      if (f === family) samples.push({ labels, value });
    };
    for (const source of this.sources) source.collect?.(sink);
    return samples;
  }
}

const byRegistry = new WeakMap<Registry, ResilienceMetrics>();

/**
 * The resilience metrics of `registry`, created (and registered) on first use.
 *
 * @example
 * const registry = new Registry();
 * const breaker = circuitBreaker({ name: 'catalog', metrics: registry });
 * await registry.metrics(); // resilience_calls_total{policy="circuit_breaker",name="catalog",...}
 */
export function resilienceMetrics(registry: Registry): ResilienceMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new ResilienceMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
