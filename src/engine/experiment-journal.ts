/**
 * @module
 * An experiment run to its end, for any front end: the runner over an open session, then the journal and its
 * Markdown report written beside it, and the verdict told as an event (the console shows it, the daemon notifies).
 */
import { basename, extname, join } from 'node:path';
import type { Clock } from '../core/clock.js';
import type { Experiment } from '../runner/experiment.js';
import { runExperiment } from '../runner/experiment-runner.js';
import { journalVerdict, writeJournal, type Journal } from '../runner/journal.js';
import { markdownReport } from '../runner/report.js';
import type { EngineEvents } from './events.js';
import type { RunnerSession } from './experiment-run.js';

/** What {@link runToJournal} needs. */
export interface RunToJournalOptions {
  readonly clock: Clock;
  readonly events: EngineEvents;
  /** Aborting it stops the method, reverts its faults and runs the rollbacks (the journal says `interrupted`). */
  readonly signal?: AbortSignal;
  /** Leashed whatever the configuration says: show what each fault would meet. */
  readonly dryRun?: boolean;
  /** Where the journal goes, once the run knows when it started. */
  readonly journalPath: (journal: Journal) => string;
}

/** A finished run and where its journal and report were written. */
export interface JournaledRun {
  readonly journal: Journal;
  readonly paths: { readonly journal: string; readonly report: string };
}

/** Runs `experiment` over `session` (the caller closes the session), writes the journal, tells the verdict. */
export async function runToJournal(experiment: Experiment, session: RunnerSession, options: RunToJournalOptions): Promise<JournaledRun> {
  const { clock, events } = options;
  const journal = await runExperiment(experiment, {
    log: (line) => events.emit({ kind: 'experiment', at: clock.now(), title: experiment.title, message: line }),
    ...session.deps,
    ...(options.signal ? { signal: options.signal } : {}),
    dryRun: options.dryRun === true,
  });
  const paths = await writeJournal(options.journalPath(journal), journal, markdownReport(journal));
  events.emit({
    kind: 'experiment-verdict',
    at: clock.now(),
    title: experiment.title,
    status: journal.status,
    verdict: journalVerdict(journal),
    ...(journal.reason ? { reason: journal.reason } : {}),
    journal: paths.journal,
  });
  return { journal, paths };
}

/** `<stateDir>/journals/<file name>-<start time>.json`: one journal per run, never overwritten. */
export function defaultJournalPath(stateDir: string, experimentFile: string, startedAt: number): string {
  const stem = basename(experimentFile, extname(experimentFile));
  const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '').replace(/-/g, '');
  return join(stateDir, 'journals', `${stem}-${stamp}.json`);
}
