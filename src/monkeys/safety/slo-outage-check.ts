/**
 * @module
 * The outage check from SLOs and alerts: Chaos Monkey's "do not run during an outage", made concrete. An SLO whose
 * error budget burns faster than `maxBurnRate` over the last `window`, or a firing alert, is an outage; an SLO with
 * no data, a source that does not answer, or an alert query that fails is "cannot tell", and the fault is skipped
 * for that (`outage-unknown`): when we cannot see, we do not break things. The same check serves the monkeys,
 * experiments and the daemon.
 */
import type { Clock } from '../../core/clock.js';
import { burnRate } from '../../slo/burn-rate.js';
import type { SliSource } from '../../slo/sli-source.js';
import type { Slo } from '../../slo/slo-spec.js';
import { formatSpan } from './guard-messages.js';
import type { OutageCheck, OutageVerdict } from './outage-check.js';

/** One sample of an instant query (an alert). */
export interface AlertSample {
  readonly labels: Readonly<Record<string, string>>;
}

/** Firing alerts to look at: `ALERTS{alertstate="firing", …}` through a Prometheus instant query. */
export interface AlertSource {
  /** The label matchers the alerts must carry, as written: `{severity="page"}`, or `{}` for any alert. */
  readonly matchers: string;
  /** Runs an instant query at `time`; throwing means "cannot tell". */
  query(expr: string, time: number): Promise<readonly AlertSample[]>;
}

/** What {@link SloOutageCheck} needs. */
export interface SloOutageCheckOptions {
  readonly clock: Clock;
  /** The SLOs that must not be burning. */
  readonly slos: readonly Slo[];
  /** Where their SLIs come from (Prometheus, or direct scrapes). Needed when `slos` is not empty. */
  readonly sli?: SliSource;
  /** The burn-rate window, ms. */
  readonly windowMs: number;
  /** An SLO burning faster than this is an outage (14.4 over 1 h spends 2% of a 30-day budget: a page). */
  readonly maxBurnRate: number;
  /** Firing alerts that mean an outage; absent: alerts are not looked at. */
  readonly alerts?: AlertSource;
  /**
   * When the SLI source started watching, for sources without history (direct scrapes): the window is cut to what
   * was watched, and the check first waits until `minObservedMs` has been.
   */
  readonly observedSince?: () => number;
  /** @default 10_000 */
  readonly minObservedMs?: number;
}

/** The PromQL of the firing alerts that match `matchers` (`{severity="page"}`, `severity="page"` or `{}`). */
export function firingAlertsQuery(matchers: string): string {
  const inner = matchers.trim().replace(/^\{/, '').replace(/\}$/, '').trim();
  return `ALERTS{alertstate="firing"${inner === '' ? '' : `, ${inner}`}}`;
}

/**
 * An {@link OutageCheck} over SLOs and alerts. Every SLO and the alerts are looked at; an outage anywhere wins,
 * then "cannot tell" anywhere, else all clear.
 *
 * @example
 * const check = new SloOutageCheck({ clock, slos, sli: new PrometheusSliSource(client), windowMs: 300_000, maxBurnRate: 14.4 });
 * const pipeline = new SafetyPipeline({ ..., outageCheck: check });
 */
export class SloOutageCheck implements OutageCheck {
  constructor(private readonly options: SloOutageCheckOptions) {}

  async inOutage(): Promise<OutageVerdict> {
    const { clock, slos, sli, windowMs, maxBurnRate, alerts } = this.options;
    const observedSince = this.options.observedSince;
    if (observedSince) {
      // Direct scrapes keep no history: judge only once a meaningful stretch has been watched.
      const wait = observedSince() + (this.options.minObservedMs ?? 10_000) - clock.now();
      if (wait > 0) await clock.sleep(wait);
    }
    const now = clock.now();
    const start = Math.max(now - windowMs, observedSince ? observedSince() : Number.NEGATIVE_INFINITY);
    const span = formatSpan(now - start);
    const outages: string[] = [];
    const unknown: string[] = [];
    for (const slo of slos) {
      if (!sli) {
        unknown.push(`no SLI source for ${slo.name}`);
        continue;
      }
      try {
        const result = await sli.errorRatio(slo, { start, end: now });
        if (result.outcome === 'inconclusive') {
          unknown.push(`no data for SLO ${slo.name} over the last ${span} (${result.reason})`);
          continue;
        }
        const rate = burnRate(result.errorRatio, slo);
        if (rate > maxBurnRate) outages.push(`SLO ${slo.name} burns its error budget ${rate.toFixed(1)}x over the last ${span} (outageCheck.maxBurnRate ${maxBurnRate})`);
      } catch (error) {
        unknown.push(`${sli.name} cannot score SLO ${slo.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (alerts) {
      const expr = firingAlertsQuery(alerts.matchers);
      try {
        const firing = await alerts.query(expr, now);
        const names = [...new Set(firing.map((a) => a.labels.alertname ?? '(unnamed)'))];
        if (names.length > 0) outages.push(`alert(s) firing: ${names.join(', ')} (${expr})`);
      } catch (error) {
        unknown.push(`cannot read the firing alerts (${expr}): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (outages.length > 0) return { state: 'outage', detail: outages.join('; ') };
    if (unknown.length > 0) return { state: 'unknown', detail: unknown.join('; ') };
    return { state: 'clear' };
  }
}
