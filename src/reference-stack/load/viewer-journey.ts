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
  /** The front door, e.g. `http://127.0.0.1:8080`. */
  readonly target: string;
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
    const response = await context.requestTimeout.execute(async ({ signal }) => {
      // A connection that broke before any answer (a keep-alive connection the server was closing, a reset at
      // connect) is retried twice, briefly, as browsers and mobile clients do: every request of a journey is safe
      // to repeat (logins change nothing, writes carry an idempotency key).
      for (let attempt = 1; ; attempt++) {
        try {
          return await context.fetch(url, { ...init, signal });
        } catch (error) {
          if (signal.aborted || attempt === 3) throw error;
          await context.clock.sleep(50 * attempt, signal);
        }
      }
    });
    const ok = response.status >= 200 && response.status < 300;
    // Read the body inside the measured time: a slow body is a slow answer.
    const body = await response.arrayBuffer();
    record(ok, ok ? undefined : `HTTP ${response.status}${explain(body)}`);
    return ok ? new Response(body, { status: response.status, headers: response.headers }) : undefined;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    record(false, error instanceof Error ? `${error.message}${cause}` : String(error));
    return undefined;
  }
}

/** The `error` of a JSON error body, so a report says why, not only what status. */
function explain(body: ArrayBuffer): string {
  try {
    const error = (JSON.parse(new TextDecoder().decode(body)) as { error?: unknown }).error;
    return typeof error === 'string' ? ` (${error.slice(0, 160)})` : '';
  } catch {
    return '';
  }
}

/** Plays a visit as viewer `username`. Never throws: every failure is an SLI. */
export async function viewerJourney(context: JourneyContext, username: string): Promise<void> {
  const { stats, target } = context;
  stats.sessions++;
  const login = await send(context, 'login', `${target}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: 'simian' }),
  });
  if (!login) return;
  const { token } = (await login.json()) as { token: string };
  const auth = { authorization: `Bearer ${token}` };

  const home = await send(context, 'home', `${target}/api/home`, { headers: auth });
  if (!home) return;
  const { rows, fallback } = (await home.json()) as { rows: Array<{ titles: Array<{ id: string }> }>; fallback?: boolean };
  if (fallback) stats.homeFallbacks++;
  const row = rows[randomInt(context.random, rows.length)]?.titles ?? [];
  const title = row[randomInt(context.random, row.length)];
  if (title) await play(context, title.id, auth);

  if (context.random.next() < context.subscribeProbability) await subscribe(context, username, auth);
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

async function subscribe(context: JourneyContext, username: string, auth: Record<string, string>): Promise<void> {
  const key = `${username}-${Math.floor(context.random.next() * 2 ** 48).toString(36)}`;
  context.stats.attempt(username, key);
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
