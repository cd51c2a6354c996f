/**
 * @module
 * The safety pipeline's {@link FaultLedger} on top of the durable {@link StateStore}: terminations are recorded
 * with `recordTermination`, one row per target, and reversible faults with `recordFault` and their TTL, before the
 * actuator is called.
 */
import { SimianError } from '../../core/errors.js';
import type { FaultLedger, LedgerFault } from './fault-ledger.js';
import type { RevertResult } from '../../state/records.js';
import type { StateStore } from '../../state/state-store.js';

/**
 * A {@link FaultLedger} backed by a {@link StateStore}, shared by every provider (the provider's name is recorded
 * with each row).
 *
 * @example
 * const pipeline = new SafetyPipeline({ provider, ledger: new StateStoreLedger(store, 'local'), clock, random });
 */
export class StateStoreLedger implements FaultLedger {
  constructor(
    private readonly store: StateStore,
    /** The provider name recorded with each termination. */
    private readonly provider: string,
  ) {}

  async lastFaultAt(group: string): Promise<number | undefined> {
    return this.store.lastFaultAt(group);
  }

  async faultsSince(group: string, since: number): Promise<number> {
    return this.store.faultsSince(group, since);
  }

  async activeFaults(): Promise<readonly LedgerFault[]> {
    return this.store.activeFaults();
  }

  async record(fault: LedgerFault): Promise<void> {
    if (fault.expiresAt !== undefined) {
      this.store.recordFault({ ...fault, expiresAt: fault.expiresAt, provider: this.provider });
      return;
    }
    if (fault.kind !== 'terminate') throw new Error(`a ${fault.kind} fault needs a TTL (expiresAt) to be recorded`);
    for (const instanceId of fault.targets) {
      this.store.recordTermination({ monkey: fault.monkey, provider: this.provider, group: fault.group, instanceId, at: fault.startedAt, dryRun: false });
    }
  }

  async attachRevert(faultId: string, revertId: string): Promise<void> {
    if (!this.store.addRevertId(faultId, revertId)) {
      throw new SimianError('state.faultNotActive', `fault ${faultId} is not active: cannot attach revert id ${revertId}`);
    }
  }

  async replaceRevert(faultId: string, intentId: string, revertId: string): Promise<void> {
    if (!this.store.replaceRevertId(faultId, intentId, revertId)) {
      throw new SimianError('state.faultNotActive', `fault ${faultId} is not active or holds no revert id ${intentId}`);
    }
  }

  async markReverted(faultId: string, result: RevertResult): Promise<void> {
    this.store.markReverted(faultId, result);
  }
}
