/**
 * @module
 * An attended fault: the `simian` process that injected it stays in the foreground until the fault reverts on
 * time, and reverts it at once on Ctrl-C or SIGTERM, or when the kill switch is engaged. A process killed harder
 * than that leaves the fault to the next start, which sees its owner is gone.
 */
import { SimianError } from '../../core/errors.js';
import type { RevertOutcome } from '../../monkeys/revert/fault-reverter.js';
import { watchKillSwitch } from '../../monkeys/safety/kill-switch-watch.js';
import { errorText } from '../decision-report.js';
import type { CommandDeps } from '../program.js';
import type { MonkeySession } from './monkey-session.js';

/** The signals that end a held fault early, with the exit code a shell expects after each. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** Where signal handlers are installed; the real process by default, a stub in tests. */
export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  removeListener(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

/** How a held fault ended. */
export interface HoldResult {
  readonly outcome: RevertOutcome;
  /** The signal that cut it short, if one did. */
  readonly signal?: 'SIGINT' | 'SIGTERM';
  /** Why the kill switch counts as engaged, when engaging it cut the fault short. */
  readonly killSwitch?: string;
}

/**
 * Waits until the fault is reverted (its TTL, armed by the pipeline), a signal arrives or the kill switch is engaged
 * (then reverts every fault this process owns). Progress goes to stderr every `progressEveryMs`.
 *
 * @throws {SimianError} `monkey.revertFailed` when the revert failed: the fault stays recorded for `simian revert`.
 */
export async function holdFault(
  deps: CommandDeps,
  session: MonkeySession,
  fault: { readonly id: string; readonly expiresAt: number },
  options: { readonly signals?: SignalSource; readonly progressEveryMs?: number } = {},
): Promise<HoldResult> {
  const signals = options.signals ?? process;
  const progressEveryMs = options.progressEveryMs ?? 30_000;
  let progress: { cancel(): void } | undefined;
  const listeners: Array<['SIGINT' | 'SIGTERM', () => void]> = [];
  let subscription: { dispose(): void } | undefined;
  let lever: { stop(): void } | undefined;
  try {
    // What cut the fault short, if anything: the revert it asks for reports through the same subscription.
    let cutShort: Pick<HoldResult, 'signal' | 'killSwitch'> = {};
    const result = await new Promise<HoldResult>((resolve, reject) => {
      subscription = session.reverter.reverts((outcome) => {
        if (outcome.faultId !== fault.id) return;
        if (outcome.outcome === 'failed') {
          reject(new SimianError('monkey.revertFailed', `fault ${fault.id} could not be reverted: ${errorText(outcome.error)}; run "simian revert ${fault.id}"`, { cause: outcome.error }));
        } else resolve({ outcome, ...cutShort });
      });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        const listener = () => {
          cutShort = { signal };
          deps.writeErr(`simian: ${signal}: reverting fault ${fault.id}\n`);
          process.exitCode = SIGNAL_EXIT_CODES[signal];
          session.reverter.revertOwned('signal').then(
            (outcomes) => {
              const mine = outcomes.find((o) => o.faultId === fault.id) ?? { faultId: fault.id, outcome: 'already-reverted' as const };
              if (mine.outcome === 'failed') reject(new SimianError('monkey.revertFailed', `fault ${fault.id} could not be reverted: ${errorText(mine.error)}`, { cause: mine.error }));
              else resolve({ outcome: mine, signal });
            },
            reject,
          );
        };
        signals.once(signal, listener);
        listeners.push([signal, listener]);
      }
      lever = watchKillSwitch({
        clock: deps.clock,
        config: session.config,
        onEngaged: (why) => {
          cutShort = { killSwitch: why };
          deps.writeErr(`simian: ${why}: reverting fault ${fault.id}\n`);
          session.reverter.revertOwned('kill-switch').then((outcomes) => {
            const mine = outcomes.find((o) => o.faultId === fault.id) ?? { faultId: fault.id, outcome: 'already-reverted' as const };
            if (mine.outcome === 'failed') reject(new SimianError('monkey.revertFailed', `fault ${fault.id} could not be reverted: ${errorText(mine.error)}`, { cause: mine.error }));
            else resolve({ outcome: mine, killSwitch: why });
          }, reject);
        },
      });
      const tick = () => {
        const left = Math.max(0, fault.expiresAt - deps.clock.now());
        deps.writeErr(`simian: fault ${fault.id} active, reverts in ${Math.ceil(left / 1000)}s (Ctrl-C reverts now)\n`);
        progress = deps.clock.setTimer(tick, progressEveryMs, { keepAlive: false });
      };
      progress = deps.clock.setTimer(tick, progressEveryMs, { keepAlive: false });
    });
    return result;
  } finally {
    lever?.stop();
    progress?.cancel();
    subscription?.dispose();
    for (const [signal, listener] of listeners) signals.removeListener(signal, listener);
  }
}
