/**
 * @module
 * The fault ledger: where the pipeline reads the history that the rate limits need and writes each fault before
 * it acts. The state store implements it durably; {@link MemoryFaultLedger} serves tests and one-off runs.
 */
import type { Fault } from '../../core/model.js';
import type { RevertResult } from '../../state/records.js';

/** A fault as the ledger keeps it: with the group it counts against and the monkey that injected it. */
export interface LedgerFault extends Fault {
  readonly group: string;
  readonly monkey: string;
  /** The process that holds a reversible fault; absent when nobody does (a detached run). */
  readonly ownerPid?: number;
}

/** The history of faults per group. Every method may fail; the pipeline treats a failure as "do not act". */
export interface FaultLedger {
  /** When the group last had a fault (epoch ms), or undefined if never. */
  lastFaultAt(group: string): Promise<number | undefined>;
  /** How many faults the group had at or after `since` (epoch ms). */
  faultsSince(group: string, since: number): Promise<number>;
  /** Records a fault against its group before it is injected. */
  record(fault: LedgerFault): Promise<void>;
  /** Remembers how to undo one action of a recorded reversible fault, right after the action. */
  attachRevert(faultId: string, revertId: string): Promise<void>;
  /** Marks a reversible fault as no longer active (the pipeline does so after rolling back a failed injection). */
  markReverted(faultId: string, result: RevertResult): Promise<void>;
}

/**
 * A {@link FaultLedger} in memory. It forgets everything with the process, which is why real runs use the state
 * store: several monkeys (or restarts) must share the history for the minimum interval to mean anything.
 *
 * @example
 * const ledger = new MemoryFaultLedger();
 * ledger.failRecords = true; // every record() now rejects
 */
export class MemoryFaultLedger implements FaultLedger {
  private readonly list: LedgerFault[] = [];
  private readonly reverts = new Map<string, string[]>();
  private readonly ended = new Map<string, RevertResult>();
  /** When true, {@link MemoryFaultLedger.record} rejects: lets tests prove a recording failure prevents the fault. */
  failRecords = false;
  /** When true, the read methods reject: lets tests prove an unreadable history prevents the fault. */
  failReads = false;

  constructor(initial: readonly LedgerFault[] = []) {
    this.list.push(...initial);
  }

  /** Everything recorded, oldest first. */
  get faults(): readonly LedgerFault[] {
    return [...this.list];
  }

  async lastFaultAt(group: string): Promise<number | undefined> {
    this.checkRead();
    let last: number | undefined;
    for (const fault of this.list) {
      if (fault.group === group && (last === undefined || fault.startedAt > last)) last = fault.startedAt;
    }
    return last;
  }

  async faultsSince(group: string, since: number): Promise<number> {
    this.checkRead();
    return this.list.filter((f) => f.group === group && f.startedAt >= since).length;
  }

  async record(fault: LedgerFault): Promise<void> {
    if (this.failRecords) throw new Error('MemoryFaultLedger: recording disabled by the test');
    this.list.push(fault);
  }

  async attachRevert(faultId: string, revertId: string): Promise<void> {
    if (this.failRecords) throw new Error('MemoryFaultLedger: recording disabled by the test');
    this.reverts.set(faultId, [...(this.reverts.get(faultId) ?? []), revertId]);
  }

  async markReverted(faultId: string, result: RevertResult): Promise<void> {
    if (!this.ended.has(faultId)) this.ended.set(faultId, result);
  }

  /** The revert ids attached to a fault, in order. */
  revertIds(faultId: string): readonly string[] {
    return this.reverts.get(faultId) ?? [];
  }

  /** How a fault ended, if it did. */
  revertOf(faultId: string): RevertResult | undefined {
    return this.ended.get(faultId);
  }

  private checkRead(): void {
    if (this.failReads) throw new Error('MemoryFaultLedger: reads disabled by the test');
  }
}
