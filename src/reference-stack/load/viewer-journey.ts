/**
 * @module
 * One viewer's visit, through the front door like a real client: log in, open the home page, play a title
 * (manifest, then segments from the edge with adaptive bitrate), and sometimes subscribe with an idempotency key,
 * retrying until the write is acknowledged or given up.
 */
import type { Clock } from '../../core/clock.js';
import { randomInt, type Random } from '../../core/random.js';
import { timeout, type TimeoutPolicy } from '../../resilience/timeout.js';
import { SEGMENT_SECONDS } from '../services/segments.js';
import { afterSegment, finishPlayback, startPlayer } from './abr.js';
import type { JourneyStep, LoadStats } from './load-stats.js';

/** What a journey needs; shared by every journey of a run. */
export interface JourneyContext {
  /** The (first) front door, e.g. `http://127.0.0.1:8080`; every URL of a journey is written on it. */
  readonly target: string;
  /** Sends each request to whichever front door answers (see `failoverFetch`). */
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly random: Random;
  readonly stats: LoadStats;
  /** Bounds every request, in the run's clock. */
  readonly requestTimeout: TimeoutPolicy;
  /** Segments a viewer watches per play. */
  readonly segmentsPerPlay: number;
  /** Probability that a visit ends with a subscription. */
  readonly subscribeProbability: number;
}

/** Media length of one segment. */
const SEGMENT_MS = SEGMENT_SECONDS * 1000;

/** Creates the shared per-request timeout of a run. */
export function requestTimeoutPolicy(clock: Clock, ms: number): TimeoutPolicy {
  return timeout({ ms, clock, name: 'load' });
}

/**
 * The `isSafeToRepeat` of a viewer's failover between front doors: a login is a POST that changes nothing, so it
 * may be sent to another front door after a network error; writes carry an idempotency key, repeated by default.
 */
export function isSafeToRepeatForViewers(url: string, init: { readonly method: string }): boolean {
  return init.method === 'POST' && new URL(url).pathname === '/api/login';
}

/** An answer, read in full. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ArrayBuffer;
}

/**
 * Sends one request and reads its whole answer, both within the run's request timeout: a server that stalls in the
 * middle of a body costs the timeout, not the run. A connection that broke before any answer (a keep-alive
 * connection the server was closing, a reset at connect) is retried twice, briefly, as browsers and mobile clients
 * do: every request of a journey is safe to repeat (logins change nothing, writes carry an idempotency key).
 */
export function exchange(context: JourneyContext, url: string, init: RequestInit = {}): Promise<Answer> {
  return context.requestTimeout.execute(async ({ signal }) => {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await context.fetch(url, { ...init, signal });
        return { status: response.status, headers: response.headers, body: await response.arrayBuffer() };
      } catch (error) {
        if (signal.aborted || attempt === 3) throw error;
        await context.clock.sleep(50 * attempt, signal);
      }
    }
  });
}

/** What went wrong, with the cause fetch hides in `cause` (the refused connection behind "fetch failed"). */
export function describeError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return error instanceof Error ? `${error.message}${cause}` : String(error);
}

/**
 * Sends one request as `step`, recording its outcome and latency (unless `quiet`: the caller records it after a
 * client-side failover); resolves to the response when it was 2xx.
 */
async function send(
  context: JourneyContext,
  step: JourneyStep,
  url: string,
  init: RequestInit = {},
  { quiet = false } = {},
): Promise<Response | undefined> {
  const started = context.clock.monotonic();
  const record = (ok: boolean, error?: string) => {
    if (!quiet) context.stats.record(step, ok, context.clock.monotonic() - started, error);
  };
  try {
    // The body is read inside the measured time: a slow body is a slow answer.
    const answer = await exchange(context, url, init);
    const ok = answer.status >= 200 && answer.status < 300;
    record(ok, ok ? undefined : `HTTP ${answer.status}${explain(answer.body)}`);
    return ok ? new Response(answer.body, { status: answer.status, headers: answer.headers }) : undefined;
  } catch (error) {
    record(false, describeError(error));
    return undefined;
  }
}

/** The `error` of a JSON error body, so a report says why, not only what status. */
export function explain(body: ArrayBuffer): string {
  try {
    const error = (JSON.parse(new TextDecoder().decode(body)) as { error?: unknown }).error;
    return typeof error === 'string' ? ` (${error.slice(0, 160)})` : '';
  } catch {
    return '';
  }
}

/**
 * Plays a visit as viewer `username`. Never rejects, so a run never leaves a rejected journey unhandled: every
 * failure is an SLI, an answer that is not what the API promises (a 2xx that is not the JSON expected) too.
 */
export async function viewerJourney(context: JourneyContext, username: string): Promise<void> {
  context.stats.sessions++;
  const step: { current: JourneyStep } = { current: 'login' };
  try {
    await visit(context, username, step);
  } catch (error) {
    context.stats.record(step.current, false, 0, `unreadable answer: ${describeError(error)}`);
  }
}

async function visit(context: JourneyContext, username: string, step: { current: JourneyStep }): Promise<void> {
  const { stats, target } = context;
  const login = await send(context, 'login', `${target}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'simian' }),
  });
  if (!login) return;
  const { token } = (await login.json()) as { token: string };
  if (typeof token !== 'string') throw new TypeError('the login answer has no token');
  const auth = { authorization: `Bearer ${token}` };

  step.current = 'home';
  const home = await send(context, 'home', `${target}/api/home`, { headers: auth });
  if (!home) return;
  const { rows, fallback } = (await home.json()) as { rows: Array<{ titles: Array<{ id: string }> }>; fallback?: boolean };
  if (fallback) stats.homeFallbacks++;
  const row = rows[randomInt(context.random, rows.length)]?.titles ?? [];
  const title = row[randomInt(context.random, row.length)];
  step.current = 'manifest';
  if (title) await play(context, title.id, auth);

  step.current = 'subscribe';
  if (context.random.next() < context.subscribeProbability) await subscribe(context, username, token);
}

async function play(context: JourneyContext, titleId: string, auth: Record<string, string>): Promise<void> {
  const { stats } = context;
  stats.playAttempts++;
  const manifestUrl = `${context.target}/api/play/${encodeURIComponent(titleId)}`;
  let manifest = await fetchManifest(context, manifestUrl, auth);
  if (!manifest) return;
  let player = startPlayer();
  const count = Math.min(manifest.segments, context.segmentsPerPlay);
  for (let n = 0; n < count; n++) {
    const started = context.clock.monotonic();
    const path = (edge: string) =>
      `${edge}/titles/${encodeURIComponent(titleId)}/segments/${n}?bitrate=${manifest!.ladder[player.rung]!.bitrateKbps}`;
    let segment = await send(context, 'segment', path(manifest.edge), {}, { quiet: true });
    if (!segment) {
      // A player whose edge stops answering asks for a new manifest and carries on from another source, as
      // Netflix clients fail over between Open Connect appliances. Only a second failure is the viewer's.
      manifest = (await fetchManifest(context, manifestUrl, auth)) ?? manifest;
      segment = await send(context, 'segment', path(manifest.edge));
    } else {
      context.stats.record('segment', true, context.clock.monotonic() - started);
    }
    if (!segment) break;
    if (n === 0) stats.playStarts++;
    player = afterSegment(player, SEGMENT_MS, context.clock.monotonic() - started, manifest.ladder.length);
  }
  player = finishPlayback(player);
  stats.playedMs += player.playedMs;
  stats.rebufferMs += player.rebufferMs;
}

interface PlayManifest {
  readonly edge: string;
  readonly ladder: ReadonlyArray<{ readonly bitrateKbps: number }>;
  readonly segments: number;
}

async function fetchManifest(context: JourneyContext, url: string, auth: Record<string, string>): Promise<PlayManifest | undefined> {
  const response = await send(context, 'manifest', url, { headers: auth });
  return response ? ((await response.json()) as PlayManifest) : undefined;
}

async function subscribe(context: JourneyContext, username: string, token: string): Promise<void> {
  const key = `${username}-${Math.floor(context.random.next() * 2 ** 48).toString(36)}`;
  context.stats.attempt(username, key, token);
  const auth = { authorization: `Bearer ${token}` };
  const plans = ['basic', 'standard', 'premium'];
  const body = JSON.stringify({ plan: plans[randomInt(context.random, plans.length)] });
  // The same key on every attempt: billing applies it once, however many of our attempts reached it.
  for (let attempt = 1; attempt <= 3; attempt++) {
    const response = await send(context, 'subscribe', `${context.target}/api/subscriptions`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
      body,
    });
    if (response) {
      context.stats.acknowledgedKeys.push(key);
      return;
    }
  }
}
