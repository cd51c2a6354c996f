/**
 * @module
 * Faults revert themselves: on time (their TTL), on abort or SIGINT/SIGTERM (the CLI asks), and on the next start
 * when the process that held them died (the state store remembers them, their owner and their revert ids). The
 * reverter is the one place that undoes faults, so each of those triggers reverts the same way and records how.
 */
import { isProcessAlive } from '../../core/process-alive.js';
import type { Clock, Timer } from '../../core/clock.js';
import { EventEmitter, type Event } from '../../core/events.js';
import { isSimianError } from '../../core/errors.js';
import type { Actuator } from '../../providers/provider.js';
import type { RecordedFault, RevertTrigger } from '../../state/records.js';
import type { StateStore } from '../../state/state-store.js';

/**
 * Finds the actuator of a provider by name, for faults recorded by this process or another one. Throw a
 * SimianError with code `provider.targetGone` when the platform the fault lived on no longer exists (a stopped
 * stack took its proxies with it): the fault is then recorded as `gone` instead of being retried forever.
 */
export type ActuatorResolver = (provider: string) => Actuator | Promise<Actuator>;

/** The code a resolver throws when the platform itself is gone. */
export const TARGET_GONE = 'provider.targetGone';

/** What became of one revert. */
export type RevertOutcome =
  | { readonly faultId: string; readonly outcome: 'reverted' | 'gone' | 'already-reverted' }
  | { readonly faultId: string; readonly outcome: 'failed'; readonly error: unknown };

/** A revert attempted, with what triggered it: what {@link FaultReverter.reverts} tells its subscribers. */
export type RevertReport = RevertOutcome & { readonly trigger: RevertTrigger };

/** Options of {@link FaultReverter}. */
export interface FaultReverterOptions {
  readonly store: StateStore;
  readonly actuators: ActuatorResolver;
  readonly clock: Clock;
  /** This process: faults it owns are reverted on signal. @default process.pid */
  readonly pid?: number;
  /** Whether a process is alive; injected so tests need no real pids. @default signal 0 */
  readonly isAlive?: (pid: number) => boolean;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reverts recorded faults and keeps their TTL timers.
 *
 * @example
 * const reverter = new FaultReverter({ store, actuators: (name) => providers[name].actuator, clock });
 * await reverter.recover();                 // what a dead process left behind
 * const pipeline = new SafetyPipeline({ ..., reverter, ownerPid: process.pid });
 * process.once('SIGINT', () => reverter.revertOwned('signal'));
 */
export class FaultReverter {
  private readonly timers = new Map<string, Timer>();
  private readonly inFlight = new Map<string, Promise<RevertOutcome>>();
  private readonly pid: number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly emitter = new EventEmitter<RevertReport>();
  /** Every revert this reverter attempted, whatever its outcome. */
  readonly reverts: Event<RevertReport> = this.emitter.event;

  constructor(private readonly options: FaultReverterOptions) {
    this.pid = options.pid ?? process.pid;
    this.isAlive = options.isAlive ?? isProcessAlive;
  }

  /** Reverts the fault when its TTL runs out (at once if it already has). Arming twice keeps one timer. */
  arm(fault: { readonly id: string; readonly expiresAt: number }): void {
    if (this.timers.has(fault.id)) return;
    const delay = Math.max(0, fault.expiresAt - this.options.clock.now());
    // keepAlive: a process holding a fault must stay up to revert it.
    const timer = this.options.clock.setTimer(
      () => {
        this.timers.delete(fault.id);
        void this.revert(fault.id, 'ttl');
      },
      delay,
      { keepAlive: true },
    );
    this.timers.set(fault.id, timer);
  }

  /** Ids of the faults whose TTL timer is armed here. */
  get armed(): readonly string[] {
    return [...this.timers.keys()];
  }

  /**
   * Reverts one fault by id: every revert id, newest first, then marks it. A revert that fails leaves the fault
   * active (the next trigger retries); concurrent calls for one fault share one attempt.
   */
  revert(faultId: string, trigger: RevertTrigger): Promise<RevertOutcome> {
    const running = this.inFlight.get(faultId);
    if (running) return running;
    const attempt = this.attempt(faultId, trigger).finally(() => this.inFlight.delete(faultId));
    this.inFlight.set(faultId, attempt);
    return attempt;
  }

  /** Reverts every active fault this process owns (on SIGINT/SIGTERM or an abort). */
  async revertOwned(trigger: RevertTrigger): Promise<RevertOutcome[]> {
    return this.revertEach(this.options.store.activeFaults().filter((f) => f.ownerPid === this.pid), trigger);
  }

  /** Reverts every active fault, whoever holds it (`simian revert --all`). */
  async revertAll(trigger: RevertTrigger = 'manual'): Promise<RevertOutcome[]> {
    return this.revertEach(this.options.store.activeFaults(), trigger);
  }

  /**
   * What a start does first: reverts every active fault whose TTL ran out or whose owner died, and arms the TTL of
   * those still held by a live process or detached, so that nothing outlives its duration while this process runs.
   */
  async recover(): Promise<RevertOutcome[]> {
    const now = this.options.clock.now();
    const due: RecordedFault[] = [];
    for (const fault of this.options.store.activeFaults()) {
      const ownerDied = fault.ownerPid !== undefined && fault.ownerPid !== this.pid && !this.isAlive(fault.ownerPid);
      if (fault.expiresAt <= now || ownerDied) due.push(fault);
      else this.arm(fault);
    }
    return this.revertEach(due, 'restart');
  }

  /**
   * Reverts every active fault whose TTL ran out, whoever holds it (`which` narrows them, to a provider for
   * instance): a long-running process (the stack, a daemon) calls this periodically so that detached faults end on
   * time even when nobody else runs.
   */
  async revertExpired(which: (fault: RecordedFault) => boolean = () => true): Promise<RevertOutcome[]> {
    const now = this.options.clock.now();
    return this.revertEach(this.options.store.activeFaults().filter((f) => f.expiresAt <= now && which(f)), 'ttl');
  }

  /** Waits for the reverts in flight (a TTL that just fired), so a caller can exit without cutting one short. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Cancels every TTL timer (the faults stay recorded; the next start or `simian revert` handles them). */
  dispose(): void {
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
  }

  /** Reverts each of `faults`, one by one, whatever holds them (the kill switch ends every fault in force). */
  async revertEach(faults: readonly RecordedFault[], trigger: RevertTrigger): Promise<RevertOutcome[]> {
    const outcomes: RevertOutcome[] = [];
    // One by one: reverts touch the same platform, and an error in one must not stop the others.
    for (const fault of faults) outcomes.push(await this.revert(fault.id, trigger));
    return outcomes;
  }

  private async attempt(faultId: string, trigger: RevertTrigger): Promise<RevertOutcome> {
    const outcome = await this.undo(faultId, trigger);
    if (outcome.outcome !== 'failed') {
      this.timers.get(faultId)?.cancel();
      this.timers.delete(faultId);
    }
    this.emitter.emit({ ...outcome, trigger });
    return outcome;
  }

  private async undo(faultId: string, trigger: RevertTrigger): Promise<RevertOutcome> {
    const { store } = this.options;
    try {
      const fault = store.fault(faultId);
      if (!fault || fault.revert) return { faultId, outcome: 'already-reverted' };
      let actuator: Actuator;
      try {
        actuator = await this.options.actuators(fault.provider);
      } catch (error) {
        if (!isSimianError(error, TARGET_GONE)) throw error;
        const marked = store.markReverted(faultId, { outcome: 'gone', trigger, detail: describe(error) });
        return { faultId, outcome: marked ? 'gone' : 'already-reverted' };
      }
      for (const revertId of [...fault.revertIds].reverse()) await actuator.revert(revertId);
      const detail = fault.revertIds.length === 0 ? 'no action had been taken' : undefined;
      const marked = store.markReverted(faultId, { outcome: 'reverted', trigger, ...(detail ? { detail } : {}) });
      return { faultId, outcome: marked ? 'reverted' : 'already-reverted' };
    } catch (error) {
      return { faultId, outcome: 'failed', error };
    }
  }
}
