/**
 * @module
 * The journal of one run, in the spirit of Chaos Toolkit's `journal.json` (status, deviated, steady states before,
 * during and after, the run, the rollbacks) plus what none of the anchors records first-class: every fault with
 * the safety pipeline's decision, time to detect and time to recover, and the error budget the run consumed.
 * Plain JSON: timestamps are ISO strings, durations milliseconds. The schema is documented in
 * `docs/experiments.md`; `schema` names its version.
 */
import { dirname } from 'node:path';
import { makePrivateDir, writePrivateFile } from '../core/private-files.js';
import type { Fault } from '../core/model.js';
import type { SafetyDecision, SkipReason } from '../monkeys/safety/decision.js';
import type { RevertOutcome } from '../monkeys/revert/fault-reverter.js';
import type { RevertTrigger } from '../state/records.js';
import type { ControlSpec, Experiment, MethodAction } from './experiment.js';
import type { ActivityResult } from './probes.js';
import type { LoadSummary } from './runner-deps.js';
import type { JournalWindow, SteadyStateResult } from './steady-state.js';
import type { StopHit } from './stop-conditions.js';
import { isoTime } from './steady-state.js';

/** The version of the journal's shape. */
export const JOURNAL_SCHEMA = 'simian.experiment.journal/v1';

/**
 * How a run ended:
 * - `completed`: the method ran to its end (the hypothesis may still have deviated: see `deviated`);
 * - `failed`: the targets could not be resolved, the steady state did not hold before the method, an action or a
 *   rollback failed;
 * - `aborted`: a stop condition was hit, or the kill switch was engaged;
 * - `interrupted`: the run was told to stop (SIGINT, SIGTERM);
 * - `not-tested`: a fault the method meant to inject was not (a guard skipped it, or the run was leashed), so
 *   the hypothesis was not put to the test; `reason` says which guard and how to lift it. A dry run that would
 *   inject every fault is `completed`; one that would not is `not-tested`.
 */
export type RunStatus = 'completed' | 'failed' | 'aborted' | 'interrupted' | 'not-tested';

/**
 * The one word for people: `passed`, `deviated`, `not tested`, `failed`, `aborted` or `interrupted`; for a dry
 * run, `would test` or `would not be tested`.
 */
export function journalVerdict(journal: Pick<Journal, 'status' | 'deviated' | 'dryRun'>): string {
  if (journal.dryRun) return journal.status === 'completed' ? 'would test' : journal.status === 'not-tested' ? 'would not be tested' : journal.status;
  if (journal.status === 'completed') return journal.deviated ? 'deviated' : 'passed';
  return journal.status === 'not-tested' ? 'not tested' : journal.status;
}

/** A fault as the journal writes it. */
export interface JournalFault {
  readonly id: string;
  readonly kind: Fault['kind'];
  readonly targets: readonly string[];
  readonly startedAt: string;
  readonly expiresAt?: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** A safety decision as the journal writes it (errors reduced to their message). */
export interface JournalDecision {
  readonly outcome: SafetyDecision['outcome'];
  readonly reason?: SkipReason;
  readonly detail?: string;
  readonly fault?: JournalFault;
  readonly affected?: readonly string[];
  readonly error?: string;
}

/** One action of the method. */
export interface ActionRecord {
  /** `3`, or `2.1` for the first action of a parallel step 2. */
  readonly step: string;
  readonly name: string;
  readonly kind: MethodAction['kind'];
  readonly provider?: string;
  readonly startedAt: string;
  readonly endedAt: string;
  /** For faults, the decision's outcome; for HTTP calls and processes, whether their tolerance held. */
  readonly outcome: 'executed' | 'skipped' | 'failed';
  readonly detail: string;
  /** The safety pipeline's decision (faults only). */
  readonly decision?: JournalDecision;
  /** What the HTTP call or process did (http and process actions only). */
  readonly result?: ActivityResult;
}

/** How a fault the run injected was reverted. */
export interface FaultRevertRecord {
  readonly faultId: string;
  readonly kind: Fault['kind'];
  readonly targets: readonly string[];
  readonly trigger: RevertTrigger;
  readonly outcome: RevertOutcome['outcome'];
  readonly at: string;
  readonly error?: string;
}

/** Detection and recovery, measured against the steady state. */
export interface RecoveryRecord {
  /** When the first fault was injected. */
  readonly firstFaultAt: string | null;
  /** When the last fault ended (its revert, or a termination's moment). */
  readonly faultsEndedAt: string | null;
  /** The first check that failed after the first fault (a sample during the method, a stop condition, the after check). */
  readonly detectedAt: string | null;
  readonly detectedBy: string | null;
  readonly timeToDetectMs: number | null;
  /** When the steady state held again; null when it never deviated, or did not recover in time. */
  readonly recoveredAt: string | null;
  readonly timeToRecoverMs: number | null;
  /** True: recovered (or never deviated); false: still deviating at the end of the recovery timeout; null: not measured. */
  readonly recovered: boolean | null;
  readonly detail: string;
  /** The polls of the steady state after the faults ended. */
  readonly checks: readonly SteadyStateResult[];
}

/** The error budget one SLO spent over the run window. */
export interface BudgetRecord {
  readonly slo: string;
  readonly service: string;
  readonly objective: number;
  readonly window: JournalWindow;
  readonly errorRatio: number | null;
  /** Error ratio over the error budget ratio: 1 spends the budget exactly at the end of the period. */
  readonly burnRate: number | null;
  /** The share of the period's whole error budget the window consumed (burn rate × window / period). */
  readonly budgetConsumed: number | null;
  readonly periodMs: number;
  readonly detail: string;
}

/** One SLO scored for the control and the experiment group. */
export interface ControlComparison {
  readonly slo: string;
  readonly service: string;
  readonly control: { readonly errorRatio: number | null; readonly detail: string };
  readonly experiment: { readonly errorRatio: number | null; readonly detail: string };
  /** Experiment minus control; null when either is inconclusive. */
  readonly delta: number | null;
  readonly maxDelta: number;
  readonly met: boolean;
}

/** The control-versus-experiment verdict. */
export interface ControlRecord {
  readonly by: ControlSpec['by'];
  readonly label: string;
  readonly control: readonly string[];
  readonly experiment: readonly string[];
  readonly window: JournalWindow | null;
  readonly met: boolean;
  readonly comparisons: readonly ControlComparison[];
}

/** The viewers the run drove itself (the file's `load`). */
export interface LoadRecord {
  readonly startedAt: string;
  readonly stoppedAt: string;
  /** What they saw, client side; null when the load generator could not tell (it failed). */
  readonly summary: LoadSummary | null;
  readonly detail: string;
}

/** The journal of one run. */
export interface Journal {
  readonly schema: typeof JOURNAL_SCHEMA;
  readonly experiment: {
    readonly title: string;
    readonly description?: string;
    readonly tags: readonly string[];
    readonly file?: string;
    readonly target: Experiment['target'];
  };
  /** The experiment as parsed (durations in ms, defaults filled in). */
  readonly definition: Omit<Experiment, 'source'>;
  readonly status: RunStatus;
  /** The steady state did not hold after the method, or the experiment group did worse than the control. */
  readonly deviated: boolean;
  readonly dryRun: boolean;
  /** Why the run did not complete (or what deviated). */
  readonly reason?: string;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  /** The variables the run used; values read from the environment show as `[redacted]`. */
  readonly variables: Readonly<Record<string, string>>;
  readonly steadyStates: {
    readonly before: SteadyStateResult | null;
    readonly during: readonly SteadyStateResult[];
    readonly after: SteadyStateResult | null;
  };
  readonly method: { readonly startedAt: string | null; readonly endedAt: string | null; readonly actions: readonly ActionRecord[] };
  readonly stopConditions: { readonly intervalMs: number; readonly polls: number; readonly hit: StopHit | null };
  readonly rollbacks: { readonly faults: readonly FaultRevertRecord[]; readonly activities: readonly ActivityResult[]; readonly skipped: boolean };
  readonly control: ControlRecord | null;
  readonly recovery: RecoveryRecord;
  readonly errorBudget: readonly BudgetRecord[];
  /** The viewers the run drove; null when it drove none (no `load`, a dry run, or a front end with its own). */
  readonly load: LoadRecord | null;
}

/** A fault as the journal writes it. */
export function journalFault(fault: Fault): JournalFault {
  return {
    id: fault.id,
    kind: fault.kind,
    targets: [...fault.targets],
    startedAt: isoTime(fault.startedAt),
    ...(fault.expiresAt !== undefined ? { expiresAt: isoTime(fault.expiresAt) } : {}),
    parameters: fault.parameters,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A decision as the journal writes it. */
export function journalDecision(decision: SafetyDecision): JournalDecision {
  switch (decision.outcome) {
    case 'executed':
      return { outcome: 'executed', fault: journalFault(decision.fault) };
    case 'skipped':
      return {
        outcome: 'skipped',
        reason: decision.reason,
        detail: decision.detail,
        ...(decision.fault ? { fault: journalFault(decision.fault) } : {}),
        ...(decision.error !== undefined ? { error: errorMessage(decision.error) } : {}),
      };
    case 'failed':
      return { outcome: 'failed', fault: journalFault(decision.fault), affected: [...decision.affected], error: errorMessage(decision.error) };
  }
}

/** The experiment as the journal's `definition` writes it. */
export function journalDefinition(experiment: Experiment): Omit<Experiment, 'source'> {
  const { source: _source, ...definition } = experiment;
  return definition;
}

/** Where the Markdown report of a journal goes: beside it, `.json` replaced by `.md` (or `.md` added). */
export function reportPathFor(journalPath: string): string {
  return journalPath.endsWith('.json') ? `${journalPath.slice(0, -'.json'.length)}.md` : `${journalPath}.md`;
}

/** The journal as pretty JSON with a final newline. */
export function journalJson(journal: Journal): string {
  return `${JSON.stringify(journal, null, 2)}\n`;
}

/**
 * Writes the journal and its Markdown report beside it, both owner-only (0600: they quote the probes' URLs and
 * every fault), creating the folder owner-only (0700) when it is missing.
 *
 * @returns both paths
 */
export async function writeJournal(journalPath: string, journal: Journal, report: string): Promise<{ journal: string; report: string }> {
  makePrivateDir(dirname(journalPath));
  const reportPath = reportPathFor(journalPath);
  writePrivateFile(journalPath, journalJson(journal));
  writePrivateFile(reportPath, report);
  return { journal: journalPath, report: reportPath };
}
