/**
 * @module
 * The viewers an experiment's `load` declares, played by the load generator (`simian load`'s journeys) through
 * the reference stack's front doors (failing over between them), with no end of their own: they run until the
 * runner stops them.
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import { runLoad } from '../reference-stack/load/load-generator.js';
import type { LoadSummary, StartViewers } from '../runner/runner-deps.js';

/** What {@link frontDoorViewers} needs. */
export interface FrontDoorViewersOptions {
  /** The front door URL (`${frontDoor}`), or every front door's, the first preferred (see `runLoad`). */
  readonly target: string | readonly string[];
  readonly clock: Clock;
  readonly random: Random;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/**
 * The runner's `viewers` seam over {@link runLoad}: arrivals at the declared rate until stopped, then the journeys
 * in flight finish and billing is read back, and `stop()` resolves with the client-side counts.
 *
 * @example
 * const viewers = frontDoorViewers({ target: frontDoorUrlsOf(stack), clock, random });
 */
export function frontDoorViewers(options: FrontDoorViewersOptions): StartViewers {
  return (spec, signal) => {
    const done = new AbortController();
    const report = runLoad({
      target: options.target,
      durationMs: Number.POSITIVE_INFINITY,
      ratePerSecond: spec.rate,
      segmentsPerPlay: spec.segments,
      subscribeProbability: spec.subscribe,
      clock: options.clock,
      random: options.random,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      signal: AbortSignal.any([signal, done.signal]),
    });
    const summary: Promise<LoadSummary> = report.then(({ sessions, requests, failures, successRatio }) => ({ sessions, requests, failures, successRatio }));
    // Held for stop(): a load generator that fails before it is asked must not be an unhandled rejection.
    summary.catch(() => undefined);
    return {
      stop: () => {
        done.abort();
        return summary;
      },
    };
  };
}
