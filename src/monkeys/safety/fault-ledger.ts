/**
 * @module
 * The fault ledger: where the pipeline reads the history that the rate limits need and writes each fault before
 * it acts. The state store implements it durably; {@link MemoryFaultLedger} serves tests and one-off runs.
 */
import type { Fault } from '../../core/model.js';
import type { RevertResult } from '../../state/records.js';

/** A fault as the ledger keeps it: with the group it counts against and the monkey that injected it. */
export interface LedgerFault extends Fault {
  /** The scope named in the history: a group, `zone:<region>/<zone>` or `region:<region>`. */
  readonly group: string;
  readonly monkey: string;
  /** The process that holds a reversible fault; absent when nobody does (a detached run). */
  readonly ownerPid?: number;
  /**
   * Every other scope the rate limits count this fault against: the groups a zone outage or a toxic hits, so that
   * a group that just lost a zone is not hit again at once. `group` always counts.
   */
  readonly scopes?: readonly string[];
}

/**
 * The history of faults per scope, and the reversible faults still in force. Every method may fail; the pipeline
 * treats a failure as "do not act".
 */
export interface FaultLedger {
  /** When the scope last had a fault (epoch ms), or undefined if never. */
  lastFaultAt(scope: string): Promise<number | undefined>;
  /** How many faults the scope had at or after `since` (epoch ms). */
  faultsSince(scope: string, since: number): Promise<number>;
  /**
   * The reversible faults not yet reverted, whoever injected them (expired ones included: a fault is in force
   * until something reverts it). Other faults' effects are what the blast radius must see.
   */
  activeFaults(): Promise<readonly LedgerFault[]>;
  /** Records a fault against its scopes before it is injected. */
  record(fault: LedgerFault): Promise<void>;
  /** Remembers how to undo one action of a recorded reversible fault: before the action (its intent), or after. */
  attachRevert(faultId: string, revertId: string): Promise<void>;
  /** Replaces an intent's revert id by the exact one the finished action returned. */
  replaceRevert(faultId: string, intentId: string, revertId: string): Promise<void>;
  /** Marks a reversible fault as no longer active (the pipeline does so after rolling back a failed injection). */
  markReverted(faultId: string, result: RevertResult): Promise<void>;
}

/** Every scope a recorded fault counts against. */
export function scopesOf(fault: Pick<LedgerFault, 'group' | 'scopes'>): readonly string[] {
  return fault.scopes && fault.scopes.length > 0 ? [...new Set([fault.group, ...fault.scopes])] : [fault.group];
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

  async lastFaultAt(scope: string): Promise<number | undefined> {
    this.checkRead();
    let last: number | undefined;
    for (const fault of this.list) {
      if (scopesOf(fault).includes(scope) && (last === undefined || fault.startedAt > last)) last = fault.startedAt;
    }
    return last;
  }

  async faultsSince(scope: string, since: number): Promise<number> {
    this.checkRead();
    return this.list.filter((f) => scopesOf(f).includes(scope) && f.startedAt >= since).length;
  }

  async activeFaults(): Promise<readonly LedgerFault[]> {
    this.checkRead();
    return this.list.filter((f) => f.expiresAt !== undefined && !this.ended.has(f.id));
  }

  async record(fault: LedgerFault): Promise<void> {
    if (this.failRecords) throw new Error('MemoryFaultLedger: recording disabled by the test');
    this.list.push(fault);
  }

  async attachRevert(faultId: string, revertId: string): Promise<void> {
    if (this.failRecords) throw new Error('MemoryFaultLedger: recording disabled by the test');
    this.reverts.set(faultId, [...(this.reverts.get(faultId) ?? []), revertId]);
  }

  async replaceRevert(faultId: string, intentId: string, revertId: string): Promise<void> {
    if (this.failRecords) throw new Error('MemoryFaultLedger: recording disabled by the test');
    this.reverts.set(faultId, (this.reverts.get(faultId) ?? []).map((id) => (id === intentId ? revertId : id)));
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
