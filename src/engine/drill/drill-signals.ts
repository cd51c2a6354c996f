/**
 * @module
 * What a drill watches besides its map: an SLI source for the live SLOs and the report, the dependency panel, and
 * the instances that stopped answering. On the bundled stack that is one scrape of every instance per tick
 * ({@link DrillMetrics}); on another platform it is the Prometheus that already watches it, or nothing at all.
 */
import type { Clock } from '../../core/clock.js';
import { PrometheusClient } from '../../slo/prometheus-client.js';
import { PrometheusSliSource } from '../../slo/prometheus-sli-source.js';
import type { SliSource } from '../../slo/sli-source.js';
import type { DependencyView } from './drill-controls.js';

/** A drill's signals, sampled once per tick. */
export interface DrillSignals {
  readonly sli: SliSource;
  /** Reads what the next view shows; resolves when every answer is in. */
  sample(): Promise<void>;
  /** One row per dependency the platform reports resilience metrics for. */
  dependencies(): DependencyView[];
  /** Ids of instances whose metrics did not answer. */
  unreachable(): Set<string>;
  stop(): Promise<void>;
}

/** Why a drill on another platform without a Prometheus has no SLIs: the report and the console say it. */
export const NO_PROMETHEUS = 'no Prometheus watches this platform: give --prometheus-url (or outageCheck.prometheus) to see its SLOs';

/**
 * The signals of a platform Simian did not start: its SLIs from the Prometheus that scrapes it (PromQL over each
 * window, as an experiment reads them), or, without one, none: every SLO is unmeasured, never passing.
 */
export function platformSignals(options: { readonly prometheusUrl?: string; readonly clock: Clock }): DrillSignals {
  const sli: SliSource = options.prometheusUrl
    ? new PrometheusSliSource(new PrometheusClient({ url: options.prometheusUrl, clock: options.clock }))
    : { name: 'none', errorRatio: async () => ({ outcome: 'inconclusive', reason: NO_PROMETHEUS }) };
  return {
    sli,
    // Prometheus keeps the history itself: there is nothing to sample between ticks.
    sample: async () => undefined,
    dependencies: () => [],
    unreachable: () => new Set(),
    stop: async () => undefined,
  };
}
