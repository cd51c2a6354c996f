/**
 * @module
 * An attended fault on the command line: the engine holds it (`src/engine/fault-hold.ts`); this turns Ctrl-C and
 * SIGTERM into its abort signal and the exit code a shell expects.
 */
import { holdFault as holdInEngine, type HoldResult } from '../../engine/fault-hold.js';
import type { CommandDeps } from '../command-deps.js';
import type { MonkeySession } from './monkey-session.js';
import { SIGNAL_EXIT_CODES, type SignalSource } from '../signals.js';

/** How a held fault ended, and the signal that cut it short, if one did. */
export type CliHoldResult = HoldResult & { readonly signal?: 'SIGINT' | 'SIGTERM' };

/**
 * Holds the fault until it reverts on time, a signal arrives (then reverts it and sets the exit code) or the kill
 * switch is engaged.
 *
 * @throws {SimianError} `monkey.revertFailed` when the revert failed: the fault stays recorded for `simian revert`.
 */
export async function holdFault(
  deps: CommandDeps,
  session: MonkeySession,
  fault: { readonly id: string; readonly expiresAt: number },
  options: { readonly signals?: SignalSource; readonly progressEveryMs?: number } = {},
): Promise<CliHoldResult> {
  const signals = options.signals ?? deps.signals;
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const listener = () => {
      received = signal;
      process.exitCode = SIGNAL_EXIT_CODES[signal];
      controller.abort(new Error(signal));
    };
    signals.once(signal, listener);
    return [signal, listener] as const;
  });
  try {
    const held = await holdInEngine(session.run, fault, {
      clock: deps.clock,
      events: session.events,
      killSwitch: session.config,
      signal: controller.signal,
      abortTrigger: 'signal',
      ...(options.progressEveryMs !== undefined ? { progressEveryMs: options.progressEveryMs } : {}),
    });
    return { ...held, ...(received ? { signal: received } : {}) };
  } finally {
    for (const [signal, listener] of listeners) signals.removeListener(signal, listener);
  }
}
