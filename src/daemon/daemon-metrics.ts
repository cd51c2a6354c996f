/**
 * @module
 * What `/metrics` of the daemon says, beside the monkeys' own families (read from the state store's decision log,
 * so a standby daemon reports what its leader decided):
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `simian_daemon_leader` | gauge | – (1 while this daemon leads) |
 * | `simian_daemon_next_fault_timestamp_seconds` | gauge | – (the next planned entry; 0 when none) |
 * | `simian_daemon_plan_entries` | gauge | `status` (planned, running, done, skipped, missed) |
 * | `simian_daemon_plan_skips_total` | counter | `reason` (why planned entries did not run) |
 * | `simian_daemon_ticks_total` | counter | `role` (leader, standby: the role the tick began in) |
 */
import { Counter, Gauge, Registry } from 'prom-client';
import { MonkeyMetrics } from '../monkeys/metrics/monkey-metrics.js';
import { SKIP_REASONS } from '../monkeys/safety/decision.js';
import type { StateStore } from '../state/state-store.js';

/** The statuses of a plan entry, in the order they happen. */
export const ENTRY_STATUSES = ['planned', 'running', 'done', 'skipped', 'missed'] as const;

/** Why the daemon itself skips a planned entry before the pipeline is asked (beside the pipeline's reasons). */
export const DAEMON_SKIP_REASONS = ['already-claimed', 'min-interval', 'max-active', 'failed'] as const;

/** What the daemon's gauges read on every scrape. */
export interface DaemonGauges {
  isLeader(): boolean;
  /** Epoch ms of the next planned entry, if any. */
  nextFaultAt(): number | undefined;
  /** How many of today's entries are in each status. */
  entryCounts(): Partial<Record<(typeof ENTRY_STATUSES)[number], number>>;
}

/** The daemon's registry: its own families and the monkeys'. */
export class DaemonMetrics {
  readonly registry = new Registry();
  private readonly skips: Counter<'reason'>;
  private readonly ticks: Counter<'role'>;

  constructor(store: StateStore, gauges: DaemonGauges) {
    const registers = [this.registry];
    new MonkeyMetrics({ registry: this.registry, activeFaults: () => store.activeFaults().length, decisionCounts: () => store.decisionCounts() });
    new Gauge({
      name: 'simian_daemon_leader',
      help: 'Whether this daemon holds the lease and acts (1) or stands by (0).',
      registers,
      collect() {
        this.set(gauges.isLeader() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'simian_daemon_next_fault_timestamp_seconds',
      help: 'When the next planned fault is due, in Unix seconds; 0 when none is planned.',
      registers,
      collect() {
        const at = gauges.nextFaultAt();
        this.set(at === undefined ? 0 : at / 1000);
      },
    });
    new Gauge({
      name: 'simian_daemon_plan_entries',
      help: "Today's plan entries, by status.",
      labelNames: ['status'],
      registers,
      collect() {
        const counts = gauges.entryCounts();
        for (const status of ENTRY_STATUSES) this.set({ status }, counts[status] ?? 0);
      },
    });
    this.skips = new Counter({ name: 'simian_daemon_plan_skips_total', help: 'Planned entries that did not run, by reason.', labelNames: ['reason'], registers });
    for (const reason of [...SKIP_REASONS, ...DAEMON_SKIP_REASONS, 'missed']) this.skips.inc({ reason }, 0);
    this.ticks = new Counter({ name: 'simian_daemon_ticks_total', help: 'Ticks of the loop done, by the role they began in: a stalled loop stops counting.', labelNames: ['role'], registers });
    for (const role of ['leader', 'standby']) this.ticks.inc({ role }, 0);
  }

  /** Counts a tick done, in the role it began in. */
  ticked(role: 'leader' | 'standby'): void {
    this.ticks.inc({ role });
  }

  /** Counts a planned entry that did not run. */
  skipped(reason: string): void {
    this.skips.inc({ reason });
  }

  /** The Prometheus text. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
