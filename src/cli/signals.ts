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

/**
 * Calls `listener` on SIGINT and on SIGTERM (each at most once) until disposed: a run that stops on either, and says
 * which, without leaving listeners on the process.
 */
export function onStopSignals(signals: SignalSource, listener: (signal: StopSignal) => void): { dispose(): void } {
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const once = () => listener(signal);
    signals.once(signal, once);
    return [signal, once] as const;
  });
  return { dispose: () => listeners.forEach(([signal, once]) => signals.removeListener(signal, once)) };
}

/** Resolves with the first of SIGINT or SIGTERM; both listeners are removed once it comes. */
export function untilSignal(signals: SignalSource): Promise<StopSignal> {
  return new Promise((resolve) => {
    const listening = onStopSignals(signals, (signal) => {
      listening.dispose();
      resolve(signal);
    });
  });
}
