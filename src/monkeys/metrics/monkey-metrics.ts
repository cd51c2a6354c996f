/**
 * @module
 * What the monkeys did, as Prometheus sees it: every decision of the safety pipeline counted by outcome, every
 * skip by reason, and the faults active right now. Series are created at 0 for every known label value, so the
 * first fault is an increase that `rate()` can see.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Disposable, Event } from '../../core/events.js';
import { SKIP_REASONS } from '../safety/decision.js';
import type { DecisionEvent } from '../safety/safety-pipeline.js';
import type { DecisionCounts } from '../../state/records.js';

/** The monkeys whose series exist from the start. */
export const MONKEYS = ['chaos', 'gorilla', 'kong', 'latency', 'doctor'] as const;
/** The providers whose series exist from the start. */
export const PROVIDERS = ['local', 'kubernetes', 'aws', 'toxiproxy', 'memory'] as const;
const OUTCOMES = ['executed', 'skipped', 'failed'] as const;

/** Options of {@link MonkeyMetrics}. */
export interface MonkeyMetricsOptions {
  /** Where the families are registered; never prom-client's global registry. */
  readonly registry: Registry;
  /** How many faults are active now, read on every scrape (the state store's active faults). */
  readonly activeFaults: () => number;
  /**
   * The decisions counted so far, read on every scrape (the state store's decision log): for a long-running process
   * that exports what short-lived `simian` runs decided. Without it, the counters count {@link MonkeyMetrics.record}.
   */
  readonly decisionCounts?: () => DecisionCounts;
}

/**
 * | metric | type | labels |
 * |---|---|---|
 * | `simian_faults_total` | counter | `monkey`, `provider`, `outcome` (executed, skipped, failed) |
 * | `simian_skipped_total` | counter | `reason` (one per skip reason) |
 * | `simian_active_faults` | gauge | – |
 *
 * @example
 * const metrics = new MonkeyMetrics({ registry, activeFaults: () => store.activeFaults().length });
 * metrics.watch(pipeline.decisions);
 */
export class MonkeyMetrics {
  private readonly faults: Counter<'monkey' | 'provider' | 'outcome'>;
  private readonly skipped: Counter<'reason'>;

  constructor(options: MonkeyMetricsOptions) {
    const registers = [options.registry];
    const fromLog = options.decisionCounts;
    const zeros = () => this.createSeries();
    this.faults = new Counter({
      name: 'simian_faults_total',
      help: 'Decisions of the safety pipeline, by monkey, provider and outcome.',
      labelNames: ['monkey', 'provider', 'outcome'],
      registers,
      ...(fromLog
        ? {
            collect() {
              // The log is the truth: rebuild from it on every scrape (it only grows, so the counter never drops).
              this.reset();
              zeros();
              for (const row of fromLog().byOutcome) this.inc({ monkey: row.monkey, provider: row.provider, outcome: row.outcome }, row.count);
            },
          }
        : {}),
    });
    this.skipped = new Counter({
      name: 'simian_skipped_total',
      help: 'Faults the safety pipeline skipped, by reason.',
      labelNames: ['reason'],
      registers,
      ...(fromLog
        ? {
            collect() {
              this.reset();
              zeros();
              for (const row of fromLog().skippedByReason) this.inc({ reason: row.reason }, row.count);
            },
          }
        : {}),
    });
    new Gauge({
      name: 'simian_active_faults',
      help: 'Reversible faults injected and not yet reverted.',
      registers,
      collect() {
        this.set(options.activeFaults());
      },
    });
    this.createSeries();
  }

  /** Every known series at 0, so that a first fault is an increase `rate()` can see. */
  private createSeries(): void {
    for (const monkey of MONKEYS) for (const provider of PROVIDERS) for (const outcome of OUTCOMES) this.faults.inc({ monkey, provider, outcome }, 0);
    for (const reason of SKIP_REASONS) this.skipped.inc({ reason }, 0);
  }

  /** Counts one decision. */
  record(event: DecisionEvent): void {
    this.faults.inc({ monkey: event.monkey, provider: event.provider, outcome: event.decision.outcome });
    if (event.decision.outcome === 'skipped') this.skipped.inc({ reason: event.decision.reason });
  }

  /** Counts every decision of a pipeline (pass `pipeline.decisions`); dispose to stop. */
  watch(decisions: Event<DecisionEvent>): Disposable {
    return decisions((event) => this.record(event));
  }
}
