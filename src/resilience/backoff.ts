/**
 * @module
 * Backoff delays for retries: exponential growth, capped, with jitter so that clients that failed together do not
 * retry together. Pure functions of (attempt, previous delay, random), so a seed replays them.
 */
import type { Random } from '../core/random.js';
import { OptionChecker } from './options.js';

/**
 * How delays are randomised (see the AWS Architecture Blog, "Exponential Backoff and Jitter").
 * - `full`: uniform in [0, exponential delay]; spreads retries best, the default.
 * - `equal`: half the exponential delay plus a uniform half.
 * - `decorrelated`: uniform in [initial, 3 × previous delay], capped; no attempt counter needed.
 * - `none`: the exponential delay itself (only for tests and single clients).
 */
export type Jitter = 'full' | 'equal' | 'decorrelated' | 'none';

/** Options of {@link exponentialBackoff}. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. @default 100 */
  initialDelayMs?: number;
  /** Upper bound of any delay. @default 10_000 */
  maxDelayMs?: number;
  /** Growth per retry. @default 2 */
  multiplier?: number;
  /** @default 'full' */
  jitter?: Jitter;
}

/** Computes the delay before retry number `retry` (1 for the first retry). */
export type Backoff = (retry: number, previousDelayMs: number, random: Random) => number;

/**
 * An exponential backoff with jitter.
 *
 * @example
 * const delays = exponentialBackoff({ initialDelayMs: 50, jitter: 'decorrelated' });
 * delays(1, 0, new SeededRandom(1)); // a delay in [50, 150] ms
 */
export function exponentialBackoff(options: BackoffOptions = {}): Backoff {
  const check = new OptionChecker('retry');
  const initial = check.duration('backoff.initialDelayMs', options.initialDelayMs, 100);
  const max = check.duration('backoff.maxDelayMs', options.maxDelayMs, 10_000, initial);
  const multiplier = check.number('backoff.multiplier', options.multiplier, 2, 1);
  const jitter = check.choice<Jitter>('backoff.jitter', options.jitter, 'full', ['full', 'equal', 'decorrelated', 'none']);
  const exponential = (retry: number): number => Math.min(max, initial * multiplier ** (retry - 1));
  switch (jitter) {
    case 'none':
      return (retry) => exponential(retry);
    case 'full':
      return (retry, _previous, random) => random.next() * exponential(retry);
    case 'equal':
      return (retry, _previous, random) => {
        const half = exponential(retry) / 2;
        return half + random.next() * half;
      };
    case 'decorrelated':
      return (_retry, previous, random) => {
        const upper = Math.max(initial, previous * 3);
        return Math.min(max, initial + random.next() * (upper - initial));
      };
  }
}
