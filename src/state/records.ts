/**
 * @module
 * What the state store keeps, as callers see it: active faults with their TTL, terminations, and the history that
 * `simian history` prints.
 */
import type { Fault, FaultKind } from '../core/model.js';

/** Who injected a fault, and where: the blast-radius limits are per group. */
export interface FaultOrigin {
  /** The group the targets belong to (service, deployment, Auto Scaling group). */
  readonly group: string;
  readonly monkey: string;
  readonly provider: string;
}

/**
 * A reversible fault about to be injected. `expiresAt` is required: a fault without a TTL could outlive a dead
 * process forever (irreversible terminations go through {@link StateStore.recordTermination} instead).
 * `parameters` must be JSON values: they are stored as JSON.
 */
export type FaultToRecord = Fault &
  FaultOrigin & {
    readonly expiresAt: number;
    /**
     * The process that holds the fault and reverts it on time; absent for a detached fault, which whoever runs
     * next reverts once it expires. A fault whose owner is no longer alive is reverted by the next start.
     */
    readonly ownerPid?: number;
    /** Other scopes the rate limits count the fault against (the groups it hits); `group` always counts. */
    readonly scopes?: readonly string[];
  };

/** What ended a fault. */
export type RevertTrigger = 'ttl' | 'abort' | 'signal' | 'restart' | 'manual' | 'kill-switch';

/**
 * How a fault stopped being active: `reverted` by Simian, or `gone` when its target no longer exists (nothing
 * left to revert). A revert that failed is not a result: the fault stays active so that it is retried.
 */
export interface RevertResult {
  readonly outcome: 'reverted' | 'gone';
  readonly trigger: RevertTrigger;
  readonly detail?: string;
}

/** A {@link RevertResult} with the time it was recorded. */
export interface RevertRecord extends RevertResult {
  readonly at: number;
}

/** A fault as stored: still active when `revert` is absent. */
export type RecordedFault = FaultToRecord & {
  /** When the store recorded it (the store's clock). */
  readonly recordedAt: number;
  /** The provider's revert ids, in the order the fault's actions were taken (see {@link StateStore.addRevertId}). */
  readonly revertIds: readonly string[];
  readonly revert?: RevertRecord;
};

/** One termination, executed or only decided in dry-run (leashed). */
export interface TerminationRecord {
  readonly monkey: string;
  readonly provider: string;
  readonly group: string;
  readonly instanceId: string;
  /** Epoch milliseconds. */
  readonly at: number;
  readonly dryRun: boolean;
}

/** What was decided for a history entry: recorded faults were all executed; terminations may be dry runs. */
export type HistoryDecision = 'executed' | 'dry-run';

/** A fault in {@link StateStore.history}; `at` is when it started. */
export interface FaultHistoryEntry {
  readonly type: 'fault';
  readonly at: number;
  readonly decision: 'executed';
  readonly id: string;
  readonly kind: FaultKind;
  readonly group: string;
  readonly monkey: string;
  readonly provider: string;
  readonly targets: readonly string[];
  readonly expiresAt: number;
  readonly revert?: RevertRecord;
}

/** A termination in {@link StateStore.history}. */
export interface TerminationHistoryEntry {
  readonly type: 'termination';
  readonly at: number;
  readonly decision: HistoryDecision;
  readonly monkey: string;
  readonly provider: string;
  readonly group: string;
  readonly instanceId: string;
}

/** A decision that injected nothing (skipped, with its reason, or failed) in {@link StateStore.history}. */
export interface DecisionHistoryEntry {
  readonly type: 'decision';
  readonly at: number;
  readonly decision: 'skipped' | 'failed';
  readonly monkey: string;
  readonly provider: string;
  /** The group, zone or region scope; absent for decisions recorded before schema v6. */
  readonly group?: string;
  /** The skip reason (`min-interval`, `blast-radius`…). */
  readonly reason?: string;
  /** The sentence for people: which limit, which check, what error. */
  readonly detail?: string;
}

/** One line of `simian history`. */
export type HistoryEntry = FaultHistoryEntry | TerminationHistoryEntry | DecisionHistoryEntry;

/** Options of {@link StateStore.history}. */
export interface HistoryOptions {
  /** At most this many entries (the newest); a positive integer. Default: all. */
  readonly limit?: number;
  /** Only entries at or after this epoch millisecond. */
  readonly since?: number;
}

/** One decision of the safety pipeline, as {@link StateStore.recordDecision} keeps it. */
export interface DecisionRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly monkey: string;
  readonly provider: string;
  readonly outcome: 'executed' | 'skipped' | 'failed';
  /** The skip reason, for skipped decisions. */
  readonly reason?: string;
  /** The group, zone or region scope the decision was about. */
  readonly scope?: string;
  /** Why it was skipped or failed, in a sentence. */
  readonly detail?: string;
}

/** Decisions counted since the store was created, for metrics. */
export interface DecisionCounts {
  readonly byOutcome: readonly { readonly monkey: string; readonly provider: string; readonly outcome: string; readonly count: number }[];
  readonly skippedByReason: readonly { readonly reason: string; readonly count: number }[];
}
