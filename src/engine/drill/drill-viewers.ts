/**
 * @module
 * The drill's viewers: the load generator run open-ended against the front doors (failing over between them), at a rate people change live
 * (`+`/`-` in the console), until the drill stops them. Their progress is what the console's header shows.
 */
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import { runLoad } from '../../reference-stack/load/load-generator.js';
import type { LoadReport } from '../../reference-stack/load/load-stats.js';

/** Viewers arriving per second at least: below one the console would look idle, not calm. */
export const MIN_VIEWER_RATE = 1;

/** Running viewers. */
export interface DrillViewers {
  readonly rate: number;
  setRate(viewersPerSecond: number): void;
  /** The report so far (about once a second), before the first: undefined. */
  latest(): LoadReport | undefined;
  /** Stops new arrivals, lets journeys in flight finish, audits billing; resolves with the whole run's report. */
  stop(): Promise<LoadReport | undefined>;
}

/** Starts viewers against `frontDoorUrls` (every front door, the first preferred) at `rate` per second. */
export function startDrillViewers(options: {
  readonly frontDoorUrls: readonly string[];
  readonly rate: number;
  readonly clock: Clock;
  readonly random: Random;
}): DrillViewers {
  let rate = Math.max(MIN_VIEWER_RATE, options.rate);
  let latest: LoadReport | undefined;
  const stop = new AbortController();
  const run = runLoad({
    target: options.frontDoorUrls,
    durationMs: Number.POSITIVE_INFINITY,
    ratePerSecond: () => rate,
    clock: options.clock,
    random: options.random,
    signal: stop.signal,
    onProgress: (report) => {
      latest = report;
    },
  });
  // A failed run (the front door gone at shutdown) must not be an unhandled rejection; stop() reports it as none.
  const settled = run.then(
    (report) => report,
    () => undefined,
  );
  return {
    get rate() {
      return rate;
    },
    setRate: (viewersPerSecond) => {
      rate = Math.max(MIN_VIEWER_RATE, Math.round(viewersPerSecond));
    },
    latest: () => latest,
    stop: async () => {
      stop.abort();
      return settled;
    },
  };
}
