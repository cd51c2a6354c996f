/**
 * @module
 * The audit monkeys on their cron schedules (`audit.cron`, read in `schedule.timeZone`; the leader only): each run
 * takes a snapshot of the daemon's provider, sets `simian_findings` on the daemon's `/metrics` and tells what it
 * found (to the log and the webhook). Conformity and Security only report; the Janitor's run (given by the daemon,
 * which owns the state store and the safety pipeline its deletions go through) marks, notifies and cleans. A run
 * late by more than the starting deadline is not run.
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { SimianConfig } from '../config/simian-config.js';
import { AUDIT_RUN_MONKEYS, runAudit, type AuditRun, type AuditRunMonkey } from '../engine/audit-run.js';
import { auditRules } from '../engine/audit-sources.js';
import type { EngineEvents } from '../engine/events.js';
import type { ProviderRegistry } from '../engine/provider-registry.js';
import { FindingsMetrics } from '../monkeys/audit/findings-metrics.js';
import { dueCronRun, type CronEntry } from '../schedule/index.js';

/** How late a scheduled audit may still start, as for cron experiments. */
const AUDIT_STARTING_DEADLINE_MS = 300_000;

/** What {@link AuditRunner} reads afresh on each tick (a reload replaces it). */
export interface AuditRunnerSeams {
  readonly config: SimianConfig;
  readonly providers: ProviderRegistry;
}

/** Runs one audit: the engine's, unless a test gives another. */
export type RunAudit = (monkey: AuditRunMonkey, config: SimianConfig, providers: ProviderRegistry) => Promise<AuditRun>;

/** Runs the Janitor (the daemon's: its store, its fence, its pipeline). */
export type RunJanitor = (config: SimianConfig, providers: ProviderRegistry) => Promise<AuditRun>;

/** Starts the audits that are due and records what they find. */
export class AuditRunner {
  private readonly checked = new Map<AuditRunMonkey, number>();
  private readonly active = new Map<AuditRunMonkey, Promise<void>>();
  private readonly metrics: FindingsMetrics;
  private readonly run: RunAudit;

  constructor(
    private readonly options: {
      readonly clock: Clock;
      readonly events: EngineEvents;
      /** Audits are first looked at from here: a schedule waits for its first time. */
      readonly startedAt: number;
      readonly registry: Registry;
      readonly onRun: (run: AuditRun) => void;
      seams(): AuditRunnerSeams;
      readonly runAudit?: RunAudit;
      /** The Janitor's run; without one, `audit.cron.janitor` is warned about and not run. */
      readonly runJanitor?: RunJanitor;
    },
  ) {
    const { config } = options.seams();
    this.metrics = new FindingsMetrics(options.registry, AUDIT_RUN_MONKEYS.flatMap((monkey) => auditRules(monkey, config.daemon.provider, config)));
    const janitor = options.runJanitor;
    this.run =
      options.runAudit ??
      ((monkey, cfg, providers) => {
        if (monkey !== 'janitor') return runAudit(monkey, cfg.daemon.provider, cfg, providers, { clock: options.clock });
        if (!janitor) throw new Error('this daemon has no Janitor wired');
        return janitor(cfg, providers);
      });
  }

  /** Starts what is due at `now` (without waiting for the runs); a monkey still running is not started again. */
  tick(now: number): void {
    const seams = this.options.seams();
    for (const monkey of AUDIT_RUN_MONKEYS) {
      const cron = seams.config.audit.cron[monkey];
      if (cron === undefined) continue;
      const entry: CronEntry = { name: `audit:${monkey}`, cron, timeZone: seams.config.schedule.timeZone, startingDeadlineMs: AUDIT_STARTING_DEADLINE_MS, concurrency: 'forbid' };
      const after = this.checked.get(monkey) ?? this.options.startedAt;
      this.checked.set(monkey, now);
      const due = dueCronRun(entry, { after, now });
      if (due.missedCount > 0) this.tell(`${monkey}: ${due.missedCount}${due.missedCountExact ? '' : '+'} scheduled audit(s) missed, past the starting deadline; not run`);
      if (due.due === undefined || this.active.has(monkey)) continue;
      const run = this.once(monkey, seams).finally(() => this.active.delete(monkey));
      this.active.set(monkey, run);
    }
  }

  /** Waits for the audits in flight. */
  async settle(): Promise<void> {
    await Promise.all(this.active.values());
  }

  private async once(monkey: AuditRunMonkey, seams: AuditRunnerSeams): Promise<void> {
    try {
      const run = await this.run(monkey, seams.config, seams.providers);
      this.metrics.record(monkey, run.findings);
      this.options.onRun(run);
    } catch (error) {
      this.tell(`${monkey}: the scheduled audit could not run: ${errorMessage(error)}`);
    }
  }

  private tell(message: string): void {
    this.options.events.emit({ kind: 'warning', at: this.options.clock.now(), message });
  }
}
