/**
 * @module
 * A bounded load run against the stack's front doors (failing over between them as a browser does): viewers arrive at a steady rate for a duration, each playing
 * one journey; then every viewer's billing is read back from every region, to count the writes lost and the writes
 * applied twice (see `billing-audit.ts`). Every request, the check's too, is bounded by the request timeout.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { failoverFetch } from '../../core/failover-fetch.js';
import { systemRandom, type Random } from '../../core/random.js';
import { auditBilling } from './billing-audit.js';
import { LoadStats, type LoadReport } from './load-stats.js';
import { isSafeToRepeatForViewers, requestTimeoutPolicy, viewerJourney, type JourneyContext } from './viewer-journey.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /**
   * The front door URL, or every front door's (the stack's `frontDoorUrls`): requests go to the first, and fail
   * over to the next when one does not answer (see `failoverFetch`).
   */
  target: string | readonly string[];
  durationMs: number;
  /** Viewers arriving per second; a function is read before every arrival, so the rate can change during the run. */
  ratePerSecond: number | (() => number);
  /** Journeys in flight at most; arrivals beyond it are not started (and counted as failed logins). @default 200 */
  maxConcurrentSessions?: number;
  /** Distinct viewer names to cycle through. @default 1_000 */
  viewers?: number;
  /** @default 4 */
  segmentsPerPlay?: number;
  /** @default 0.2 */
  subscribeProbability?: number;
  /** Bounds every request, the check's after the run too. @default 5_000 */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
  clock?: Clock;
  random?: Random;
  /** Called about once a second with the report so far. */
  onProgress?: (report: LoadReport) => void;
  /** Stops new arrivals early (Ctrl-C, or a test that decides when it has seen enough); journeys finish. */
  signal?: AbortSignal;
}

/** Runs the load and resolves with the client-side SLIs. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const clock = options.clock ?? systemClock;
  const stats = new LoadStats();
  const targets = (typeof options.target === 'string' ? [options.target] : options.target).map((t) => t.replace(/\/$/, ''));
  if (targets.length === 0) throw new SimianError('load.noTarget', 'the load has no front door to send viewers through');
  const requestTimeout = requestTimeoutPolicy(clock, options.requestTimeoutMs ?? 5_000);
  const context: JourneyContext = {
    target: targets[0]!,
    // Journeys write their URLs on the first front door; this sends each to whichever answers.
    fetch: failoverFetch(targets, { fetch: options.fetch ?? globalThis.fetch, isSafeToRepeat: isSafeToRepeatForViewers }),
    clock,
    random: options.random ?? systemRandom,
    stats,
    requestTimeout,
    segmentsPerPlay: options.segmentsPerPlay ?? 4,
    subscribeProbability: options.subscribeProbability ?? 0.2,
  };
  const started = clock.monotonic();
  const { ratePerSecond } = options;
  const rate = typeof ratePerSecond === 'function' ? ratePerSecond : () => ratePerSecond;
  const inFlight = new Set<Promise<void>>();
  const maxConcurrent = options.maxConcurrentSessions ?? 200;
  const viewers = options.viewers ?? 1_000;
  let lastProgress = started;
  // Viewers of this run only: billing keeps earlier runs' subscriptions, which must not look like duplicates.
  const runTag = Math.floor(context.random.next() * 36 ** 4).toString(36);
  try {
    for (let n = 0; clock.monotonic() - started < options.durationMs && !options.signal?.aborted; n++) {
      if (inFlight.size >= maxConcurrent) {
        // The client side is saturated: the stack is too slow for this rate. That is a failure the SLIs must show.
        stats.record('login', false, 0, 'load generator saturated: too many journeys in flight');
      } else {
        const journey: Promise<void> = viewerJourney(context, `viewer-${runTag}-${n % viewers}`).finally(() => inFlight.delete(journey));
        inFlight.add(journey);
      }
      if (options.onProgress && clock.monotonic() - lastProgress >= 1000) {
        lastProgress = clock.monotonic();
        options.onProgress(stats.report(lastProgress - started));
      }
      await clock.sleep(1000 / rate());
    }
    await Promise.all(inFlight);
    await auditBilling(context);
    return stats.report(clock.monotonic() - started);
  } finally {
    requestTimeout.dispose();
  }
}
