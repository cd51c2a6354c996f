/**
 * @module
 * Rollbacks, correct by default (the ask of chaostoolkit#195, #258 and chaostoolkit-lib#94): every fault the run
 * injected is reverted first, whatever the outcome (completed, failed, aborted, interrupted), then the user's
 * rollbacks run, every one of them even when one fails, and a failure of either fails the run.
 */
import type { Clock } from '../core/clock.js';
import type { Fault } from '../core/model.js';
import type { RevertTrigger } from '../state/records.js';
import type { Activity } from './experiment.js';
import type { FaultRevertRecord } from './journal.js';
import { runActivity, type ActivityContext, type ActivityResult } from './probes.js';
import type { FaultSeams } from './runner-deps.js';
import { isoTime } from './steady-state.js';

/** A fault the run injected, and the provider it lives on. */
export interface HeldFault {
  readonly fault: Fault;
  readonly provider: string;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reverts every reversible fault in `faults`, newest first (the reverse of how they were stacked). A fault already
 * reverted by its TTL is reported `already-reverted`; a revert that fails is `failed` and stays recorded, so the
 * next `simian` start or `simian revert` tries again.
 */
export async function revertFaults(faults: readonly HeldFault[], trigger: RevertTrigger, seams: FaultSeams | undefined, clock: Clock): Promise<FaultRevertRecord[]> {
  const records: FaultRevertRecord[] = [];
  for (const { fault } of [...faults].reverse()) {
    if (fault.expiresAt === undefined) continue; // a termination: nothing to undo, the platform replaces
    const base = { faultId: fault.id, kind: fault.kind, targets: [...fault.targets], trigger };
    if (!seams) {
      records.push({ ...base, outcome: 'failed', at: isoTime(clock.now()), error: 'no reverter' });
      continue;
    }
    try {
      const outcome = await seams.revert(fault.id, trigger);
      records.push({ ...base, outcome: outcome.outcome, at: isoTime(clock.now()), ...(outcome.outcome === 'failed' ? { error: errorText(outcome.error) } : {}) });
    } catch (error) {
      records.push({ ...base, outcome: 'failed', at: isoTime(clock.now()), error: errorText(error) });
    }
  }
  return records;
}

/** Runs the user's rollbacks in order, every one of them; none is cut short by an interrupt. */
export async function runRollbacks(rollbacks: readonly Activity[], context: ActivityContext): Promise<ActivityResult[]> {
  const results: ActivityResult[] = [];
  for (const rollback of rollbacks) results.push(await runActivity(rollback, context));
  return results;
}
