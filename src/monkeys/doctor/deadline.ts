/**
 * @module
 * Running a check under the per-check timeout, on an injected clock: the clock decides when time is up, so tests
 * drive the timeout with a ManualClock instead of waiting for it.
 */
import type { Clock } from '../../core/clock.js';
import { checkTimeoutError, type CheckContext } from './health-checks.js';

/** How a piece of work under a deadline ended. */
export type DeadlineResult<T> =
  | { readonly status: 'fulfilled'; readonly value: T }
  | { readonly status: 'rejected'; readonly reason: unknown }
  | { readonly status: 'timed-out' };

/** One turn of the event loop: every continuation already queued runs first. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `work` with a signal that aborts after `timeoutMs` of `clock` time. When time is up the signal aborts
 * first, and the work gets one more turn of the event loop to answer for itself (an HTTP check knows a timeout
 * means "did not answer"); only a check that ignores its signal ends as `timed-out`. Never rejects.
 *
 * @example
 * const result = await runWithDeadline(clock, 2_000, ({ signal }) => fetch(url, { signal }));
 */
export async function runWithDeadline<T>(clock: Clock, timeoutMs: number, work: (context: CheckContext) => Promise<T> | T): Promise<DeadlineResult<T>> {
  const controller = new AbortController();
  const context: CheckContext = { signal: controller.signal, timeoutMs };
  const settled = Promise.resolve()
    .then(() => work(context))
    .then(
      (value): DeadlineResult<T> => ({ status: 'fulfilled', value }),
      (reason: unknown): DeadlineResult<T> => ({ status: 'rejected', reason }),
    );
  let timer: { cancel(): void } | undefined;
  const expired = new Promise<DeadlineResult<T>>((resolve) => {
    // Not keep-alive: the work in flight holds the process, the guard need not.
    timer = clock.setTimer(
      () => {
        controller.abort(checkTimeoutError(timeoutMs));
        void nextTurn().then(() => resolve({ status: 'timed-out' }));
      },
      timeoutMs,
      { keepAlive: false },
    );
  });
  try {
    return await Promise.race([settled, expired]);
  } finally {
    timer?.cancel();
  }
}
