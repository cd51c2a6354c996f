/**
 * @module
 * A bounded load run against the stack's front door: viewers arrive at a steady rate for a duration, each playing
 * one journey; then every acknowledged billing write is looked up to count the lost ones.
 */
import { systemClock, type Clock } from '../../core/clock.js';
import { systemRandom, type Random } from '../../core/random.js';
import { LoadStats, type LoadReport } from './load-stats.js';
import { requestTimeoutPolicy, viewerJourney, type JourneyContext } from './viewer-journey.js';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  /** The front door URL. */
  target: string;
  durationMs: number;
  /** Viewers arriving per second. */
  ratePerSecond: number;
  /** Journeys in flight at most; arrivals beyond it are not started (and counted as failed logins). @default 200 */
  maxConcurrentSessions?: number;
  /** Distinct viewer names to cycle through. @default 1_000 */
  viewers?: number;
  /** @default 4 */
  segmentsPerPlay?: number;
  /** @default 0.2 */
  subscribeProbability?: number;
  /** @default 5_000 */
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
  const requestTimeout = requestTimeoutPolicy(clock, options.requestTimeoutMs ?? 5_000);
  const context: JourneyContext = {
    target: options.target.replace(/\/$/, ''),
    fetch: options.fetch ?? globalThis.fetch,
    clock,
    random: options.random ?? systemRandom,
    stats,
    requestTimeout,
    segmentsPerPlay: options.segmentsPerPlay ?? 4,
    subscribeProbability: options.subscribeProbability ?? 0.2,
  };
  const started = clock.monotonic();
  const interval = 1000 / options.ratePerSecond;
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
      await clock.sleep(interval);
    }
    await Promise.all(inFlight);
    await verifyWrites(context);
    return stats.report(clock.monotonic() - started);
  } finally {
    requestTimeout.dispose();
  }
}

/**
 * Looks up every acknowledged write by its idempotency key (a key not found is a lost write), then counts each
 * viewer's subscriptions: more than the keys the viewer tried means a write was applied twice.
 */
async function verifyWrites(context: JourneyContext): Promise<void> {
  const { stats } = context;
  await countDuplicates(context);
  const acknowledged = new Set(stats.acknowledgedKeys);
  // Each viewer can read only its own subscriptions, so every key is checked as the viewer that wrote it.
  for (const [viewer, keys] of stats.attemptedKeys) {
    const mine = [...keys].filter((key) => acknowledged.has(key));
    if (mine.length === 0) continue;
    const token = await loginAs(context, viewer);
    for (const key of mine) {
      // A lookup that fails for another reason is retried: only "not found" proves a write was lost.
      for (let attempt = 1; attempt <= 5; attempt++) {
        const started = context.clock.monotonic();
        const response = token
          ? await context
              .fetch(`${context.target}/api/subscriptions/by-key/${encodeURIComponent(key)}`, { headers: { authorization: `Bearer ${token}` } })
              .catch(() => undefined)
          : undefined;
        await response?.arrayBuffer();
        stats.record('verify', response?.ok === true || response?.status === 404, context.clock.monotonic() - started);
        if (response?.ok) stats.found++;
        if (response?.ok || response?.status === 404) break;
      }
    }
  }
}

/** Logs in as `viewer`; `undefined` when the login fails. */
async function loginAs(context: JourneyContext, viewer: string): Promise<string | undefined> {
  const login = await context
    .fetch(`${context.target}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: viewer, password: 'simian' }),
    })
    .catch(() => undefined);
  return login?.ok ? ((await login.json()) as { token: string }).token : undefined;
}

async function countDuplicates(context: JourneyContext): Promise<void> {
  const { stats } = context;
  for (const [viewer, keys] of stats.attemptedKeys) {
    const token = await loginAs(context, viewer);
    if (!token) continue;
    const listed = await context.fetch(`${context.target}/api/subscriptions`, { headers: { authorization: `Bearer ${token}` } }).catch(() => undefined);
    if (!listed?.ok) continue;
    const { subscriptions } = (await listed.json()) as { subscriptions: unknown[] };
    stats.duplicated += Math.max(0, subscriptions.length - keys.size);
  }
}
