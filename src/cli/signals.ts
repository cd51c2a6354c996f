/**
 * @module
 * The signals that end a foreground command early (Ctrl-C, `kill`), behind an interface so that in-process tests
 * can send them without signalling the test runner.
 */

/** The signals a foreground command stops on. */
export type StopSignal = 'SIGINT' | 'SIGTERM';

/** Where signal handlers are installed: the real process by default, a stub in tests. */
export interface SignalSource {
  once(signal: StopSignal, listener: () => void): unknown;
  removeListener(signal: StopSignal, listener: () => void): unknown;
}

/** The exit code a shell expects after each signal (128 + its number). */
export const SIGNAL_EXIT_CODES: Readonly<Record<StopSignal, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Resolves with the first of SIGINT or SIGTERM; both listeners are removed once it comes. */
export function untilSignal(signals: SignalSource): Promise<StopSignal> {
  return new Promise((resolve) => {
    const listeners = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
      const listener = () => {
        for (const [other, l] of listeners) if (other !== signal) signals.removeListener(other, l);
        resolve(signal);
      };
      signals.once(signal, listener);
      return [signal, listener] as const;
    });
  });
}
