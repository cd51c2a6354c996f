/**
 * @module
 * Waiting for a typed event (src/core/events.ts) in a test, with a deadline so a missing event fails the test
 * instead of hanging it.
 */
import type { Event } from '../../src/core/events.js';

/** Resolves with the next payload of `event` that `matches`; rejects after `timeoutMs`. */
export function nextEvent<T>(event: Event<T>, matches: (payload: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      subscription.dispose();
      reject(new Error(`no matching event within ${timeoutMs} ms`));
    }, timeoutMs);
    const subscription = event((payload) => {
      if (!matches(payload)) return;
      clearTimeout(timer);
      subscription.dispose();
      resolve(payload);
    });
  });
}
