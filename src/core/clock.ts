/**
 * @module
 * Time, injected. Everything in Simian that decides or waits asks a {@link Clock}, so that tests can drive time
 * with a {@link ManualClock} and a schedule or a backoff is reproducible.
 */

/** A scheduled callback that can be cancelled. Cancelling twice, or after it ran, is harmless. */
export interface Timer {
  cancel(): void;
}

/** Options for {@link Clock.setTimer}. */
export interface TimerOptions {
  /**
   * Whether the timer alone may keep the process alive. Guards such as timeouts do not need to (the guarded work
   * holds the process), waits such as a retry backoff do.
   * @default true
   */
  keepAlive?: boolean;
}

/** The source of time and timers. */
export interface Clock {
  /** Wall-clock time in epoch milliseconds: for timestamps that people and stores read. */
  now(): number;
  /** Monotonic time in milliseconds (fractional): for measuring durations and deadlines. */
  monotonic(): number;
  /** Runs `callback` once after `delayMs` milliseconds of this clock's time. */
  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer;
  /**
   * Resolves after `delayMs`; rejects with the signal's reason when `signal` aborts first.
   * The wait keeps the process alive.
   */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

/** Longest delay Node's timers accept (2^31 - 1 ms); longer ones fire at once, so they are clamped. */
export const MAX_TIMER_DELAY_MS = 2_147_483_647;

function clampDelay(delayMs: number): number {
  if (!(delayMs > 0)) return 0;
  return delayMs > MAX_TIMER_DELAY_MS ? MAX_TIMER_DELAY_MS : delayMs;
}

/** Resolves after `delayMs` of `clock` time, or rejects with the abort reason. Shared by every Clock. */
export function sleepOn(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      timer.cancel();
      reject(signal?.reason);
    };
    const timer = clock.setTimer(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      delayMs,
      { keepAlive: true },
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The real clock: `Date.now()`, `performance.now()` and Node timers. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer {
    const handle = setTimeout(callback, clampDelay(delayMs));
    if (options?.keepAlive === false) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}

/** One shared real clock: it holds no state, so every user may share it. */
export const systemClock: Clock = new SystemClock();
