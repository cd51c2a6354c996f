/**
 * @module
 * The safety pipeline's {@link FaultLedger} on top of the durable {@link StateStore}: terminations are recorded
 * with `recordTermination`, one row per target, before the actuator is called.
 */
import type { FaultLedger, LedgerFault } from '../../monkeys/safety/fault-ledger.js';
import type { StateStore } from '../../state/state-store.js';

/**
 * A {@link FaultLedger} backed by a {@link StateStore}. Only `terminate` faults are recorded here: reversible
 * faults need a TTL and go through `recordFault` with their monkey.
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

  async record(fault: LedgerFault): Promise<void> {
    if (fault.kind !== 'terminate' || fault.expiresAt !== undefined) {
      throw new Error(`StateStoreLedger records terminations only, not a ${fault.kind} fault`);
    }
    for (const instanceId of fault.targets) {
      this.store.recordTermination({ monkey: fault.monkey, provider: this.provider, group: fault.group, instanceId, at: fault.startedAt, dryRun: false });
    }
  }
}
