/**
 * @module
 * The experiments of `schedule.experiments`, each started when its cron time comes (the leader only): a time
 * missed by less than its starting deadline still starts, late; older ones are told as missed, and several
 * collapse into one run. `forbid` (the default) starts no second run of an experiment while one is active. Runs
 * go through the engine like `simian experiment run`: their journals land in `<stateDir>/journals/`.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { SimianConfig } from '../config/simian-config.js';
import type { EngineEvents } from '../engine/events.js';
import { defaultJournalPath, runToJournal } from '../engine/experiment-journal.js';
import { experimentRunnerDeps } from '../engine/experiment-run.js';
import type { ProviderRegistry } from '../engine/provider-registry.js';
import { loadExperiment } from '../runner/load-experiment.js';
import { concurrencyAllows, dueCronRun } from '../schedule/cron-entries.js';

/** What a run needs, read at each tick so a reload applies to the next run. */
export interface CronRunnerSeams {
  readonly config: SimianConfig;
  readonly providers: ProviderRegistry;
  readonly random: Random;
  readonly ownerPid: number;
}

/** Starts the cron experiments that are due. */
export class CronRunner {
  /** The last time each experiment was looked at, by name: its next run comes after it. */
  private readonly checked = new Map<string, number>();
  private readonly active = new Map<string, Set<Promise<void>>>();

  constructor(
    private readonly options: {
      readonly clock: Clock;
      readonly events: EngineEvents;
      /** Experiments are first looked at from here: a new entry waits for its first time. */
      readonly startedAt: number;
      seams(): CronRunnerSeams;
      /** Aborting it interrupts every run: their faults are reverted and their rollbacks run. */
      readonly signal: AbortSignal;
    },
  ) {}

  /** Starts what is due at `now` (without waiting for the runs). */
  tick(now: number): void {
    const seams = this.options.seams();
    for (const entry of seams.config.schedule.experiments) {
      const after = this.checked.get(entry.name) ?? this.options.startedAt;
      const due = dueCronRun(entry, { after, now });
      this.checked.set(entry.name, now);
      if (due.missedCount > 0) this.tell('warning', `${entry.name}: ${due.missedCount}${due.missedCountExact ? '' : '+'} run(s) missed, past the starting deadline; not run`);
      if (due.due === undefined) continue;
      const runs = this.active.get(entry.name) ?? new Set();
      if (!concurrencyAllows(entry, runs.size)) {
        this.tell('notice', `${entry.name}: skipped the run due at ${new Date(due.due).toISOString()}: the last one is still running (concurrency: forbid)`);
        continue;
      }
      const run = this.run(entry.name, entry.experiment, seams).finally(() => runs.delete(run));
      runs.add(run);
      this.active.set(entry.name, runs);
    }
  }

  /** Waits for every run to end (after an abort: their faults reverted). */
  async settle(): Promise<void> {
    await Promise.all([...this.active.values()].flatMap((runs) => [...runs]));
  }

  private async run(name: string, file: string, seams: CronRunnerSeams): Promise<void> {
    const { clock, events } = this.options;
    try {
      const experiment = await loadExperiment(file);
      const session = await experimentRunnerDeps({ config: seams.config, experiment, variables: {}, providers: seams.providers, clock, random: seams.random, events, ownerPid: seams.ownerPid });
      try {
        await runToJournal(experiment, session, {
          clock,
          events,
          signal: this.options.signal,
          journalPath: (journal) => defaultJournalPath(seams.config.stateDir, file, Date.parse(journal.startedAt)),
        });
      } finally {
        await session.close();
      }
    } catch (error) {
      this.tell('warning', `${name}: the experiment could not run: ${errorMessage(error)}`);
    }
  }

  private tell(kind: 'notice' | 'warning', message: string): void {
    this.options.events.emit({ kind, at: this.options.clock.now(), message });
  }
}
