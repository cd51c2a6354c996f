/**
 * @module
 * What the safety pipeline answers: a typed decision that the CLI, the journal and the metrics all read, so that
 * "why did nothing happen?" always has an answer.
 */
import type { Fault } from '../../core/model.js';

/**
 * Why a fault was not injected, one per stage of the pipeline (in pipeline order).
 * - `disabled`: the config says `enabled: false`.
 * - `kill-switch`: the kill-switch flag is set or the kill-switch file exists.
 * - `outage`: the outage check says the platform is already hurting (an SLO burning, an alert firing).
 * - `outage-unknown`: the outage check cannot tell (Prometheus down, no data): when we cannot see, we do not
 *   break things.
 * - `check-failed`: another safety check (kill-switch file, fault ledger, inventory) could not answer.
 * - `unknown-target`: the group, zone, region or instance named does not exist (bad input: the CLI exits 2).
 * - `not-eligible`: the target is excepted, not opted in, already under the same fault, or has no eligible instance.
 * - `no-victims`: the selection mode picked nobody (for example 10% of three instances).
 * - `blast-radius`: the victims exceed the group's allowed share or would leave too few healthy instances.
 * - `leashed`: dry-run (the default); the decision carries the fault that would have been injected.
 * - `unleashed-in-test`: unleashed where the environment is "test", without explicit permission.
 * - `min-interval`: the group had a fault too recently.
 * - `max-per-day`: the group had its quota of faults in the last 24 hours.
 * - `record-failed`: the fault could not be recorded, so it was not injected.
 */
export type SkipReason =
  | 'disabled'
  | 'kill-switch'
  | 'outage'
  | 'outage-unknown'
  | 'check-failed'
  | 'unknown-target'
  | 'not-eligible'
  | 'no-victims'
  | 'blast-radius'
  | 'leashed'
  | 'unleashed-in-test'
  | 'min-interval'
  | 'max-per-day'
  | 'record-failed';

/** Every skip reason, in pipeline order: handy for metrics that pre-register their label values. */
export const SKIP_REASONS: readonly SkipReason[] = [
  'disabled',
  'kill-switch',
  'outage',
  'outage-unknown',
  'check-failed',
  'unknown-target',
  'not-eligible',
  'no-victims',
  'blast-radius',
  'leashed',
  'unleashed-in-test',
  'min-interval',
  'max-per-day',
  'record-failed',
];

/** The fault went through every guard and the actuator carried it out. */
export interface ExecutedDecision {
  readonly outcome: 'executed';
  readonly fault: Fault;
}

/** A guard stopped the fault; nothing was touched. */
export interface SkippedDecision {
  readonly outcome: 'skipped';
  readonly reason: SkipReason;
  /** A sentence for people: which limit, which check, what error. */
  readonly detail: string;
  /** The fault that would have been injected, when the pipeline got far enough to know it (`leashed` always does). */
  readonly fault?: Fault;
  /** The error behind `check-failed` or `record-failed`. */
  readonly error?: unknown;
}

/**
 * The fault was recorded and the actuator was called, but it failed part-way: `affected` lists the targets that
 * were hit before the failure. Distinct from `skipped` because something may have been touched.
 */
export interface FailedDecision {
  readonly outcome: 'failed';
  readonly fault: Fault;
  readonly affected: readonly string[];
  readonly error: unknown;
}

/** The answer of one pipeline run. */
export type SafetyDecision = ExecutedDecision | SkippedDecision | FailedDecision;
