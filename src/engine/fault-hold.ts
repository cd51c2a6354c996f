/**
 * @module
 * An attended fault: whoever injected it holds it until it reverts on time, and reverts it at once when told to
 * stop (an `AbortSignal`: Ctrl-C in the CLI, `Esc` in the console, shutdown in the daemon) or when the kill switch
 * is engaged. A holder killed harder than that leaves the fault to the next start, which sees its owner is gone.
 */
import type { Clock, Timer } from '../core/clock.js';
import { errorMessage, SimianError } from '../core/errors.js';
import type { RevertOutcome } from '../monkeys/revert/fault-reverter.js';
import { watchKillSwitch } from '../monkeys/safety/kill-switch-watch.js';
import type { RevertTrigger } from '../state/records.js';
import type { EngineEvents } from './events.js';
import type { FaultRun } from './fault-run.js';

/** How a held fault ended. */
export interface HoldResult {
  readonly outcome: RevertOutcome;
  /** What ended it: its TTL, the abort signal, or the kill switch. */
  readonly endedBy: 'ttl' | 'abort' | 'kill-switch';
  /** The abort's reason, or why the kill switch counts as engaged. */
  readonly reason?: string;
}

/** Options of {@link holdFault}. */
export interface HoldOptions {
  readonly clock: Clock;
  readonly events: EngineEvents;
  /** The kill switch to watch (the configuration's). */
  readonly killSwitch: { readonly killSwitch: boolean; readonly killSwitchFile?: string };
  /** Aborting it reverts the fault now. */
  readonly signal?: AbortSignal;
  /** The trigger recorded for a revert on abort. @default 'abort' */
  readonly abortTrigger?: RevertTrigger;
  /** How often a `fault-held` event says how long is left. @default 30_000 */
  readonly progressEveryMs?: number;
}

/**
 * Waits until the fault is reverted (its TTL, armed by the pipeline), `signal` aborts, or the kill switch is
 * engaged (then reverts it).
 *
 * @throws {SimianError} `monkey.revertFailed` when the revert failed: the fault stays recorded for `simian revert`.
 */
export async function holdFault(run: FaultRun, fault: { readonly id: string; readonly expiresAt: number }, options: HoldOptions): Promise<HoldResult> {
  const { clock, events } = options;
  const progressEveryMs = options.progressEveryMs ?? 30_000;
  let progress: Timer | undefined;
  let subscription: { dispose(): void } | undefined;
  let lever: { stop(): void } | undefined;
  let onAbort: (() => void) | undefined;
  // What cut the fault short, if anything: the revert it asks for reports through the same subscription.
  let cutShort: Pick<HoldResult, 'endedBy' | 'reason'> = { endedBy: 'ttl' };
  try {
    return await new Promise<HoldResult>((resolve, reject) => {
      const failed = (error: unknown) =>
        reject(new SimianError('monkey.revertFailed', `fault ${fault.id} could not be reverted: ${errorMessage(error)}; run "simian revert ${fault.id}"`, { cause: error }));
      subscription = run.reverter.reverts((outcome) => {
        if (outcome.faultId !== fault.id) return;
        if (outcome.outcome === 'failed') failed(outcome.error);
        else resolve({ outcome, ...cutShort });
      });
      const cut = (endedBy: 'abort' | 'kill-switch', reason: string, trigger: RevertTrigger) => {
        cutShort = { endedBy, reason };
        events.emit({ kind: 'notice', at: clock.now(), message: `${reason}: reverting fault ${fault.id}` });
        run.reverter.revert(fault.id, trigger).then((outcome) => {
          if (outcome.outcome === 'failed') failed(outcome.error);
          else resolve({ outcome, ...cutShort });
        }, reject);
      };
      if (options.signal) {
        const signal = options.signal;
        onAbort = () => cut('abort', signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted'), options.abortTrigger ?? 'abort');
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }
      lever = watchKillSwitch({ clock, config: options.killSwitch, onEngaged: (why) => cut('kill-switch', why, 'kill-switch') });
      const tick = () => {
        events.emit({ kind: 'fault-held', at: clock.now(), faultId: fault.id, expiresAt: fault.expiresAt });
        progress = clock.setTimer(tick, progressEveryMs, { keepAlive: false });
      };
      progress = clock.setTimer(tick, progressEveryMs, { keepAlive: false });
    });
  } finally {
    lever?.stop();
    progress?.cancel();
    subscription?.dispose();
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}
