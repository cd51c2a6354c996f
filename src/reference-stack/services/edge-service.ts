/**
 * @module
 * An edge cache, like an Open Connect appliance: viewers stream segments from it, and only what it does not hold
 * goes to the origin.
 *
 * - `GET /titles/:id/segments/:n?bitrate=KBPS` → the segment's bytes with `x-cache: HIT` (served from the edge)
 *   or `x-cache: MISS` (filled from the origin, then cached), and the origin's `x-segment-id` / `x-segment-sha256`;
 *   400 / 404 as the origin would answer (checked here, so a bad address never reaches the origin); 502 when the
 *   origin failed, refused the connection or sent a corrupt segment (nothing is cached then), 503 when no origin is
 *   registered or its circuit is open, 504 when the fill took longer than `fillTimeoutMs`.
 * - `GET /holds/:titleId` → {holds, prepositioned, cachedSegments}: whether the edge holds the title, either
 *   pre-positioned or with segments in its cache (playback steers viewers with it); 404 for an unknown title.
 *
 * Two kinds of storage, as on an appliance:
 * - pre-positioned: the most popular titles (every segment, every rung), held from the start the way Open Connect fills
 *   appliances off-peak with what it predicts will be watched. Never evicted. Payloads are deterministic, so the
 *   edge makes them itself, byte-identical to the origin's, whenever one is asked for, instead of pulling thousands
 *   of segments from the origin while the stack starts (the very peak an off-peak fill exists to avoid) or holding
 *   megabytes it may never serve.
 * - a cache filled on demand, LRU, bounded in bytes. Concurrent misses for one segment share a single origin
 *   request (request coalescing): a popular segment that just fell out would otherwise hit the origin once per
 *   viewer at the same moment.
 *
 * Metrics (besides RED): `edge_cache_hits_total`, `edge_cache_misses_total` (requests that waited for the origin,
 * coalesced ones included), `edge_cache_coalesced_total` (misses that joined a fill already in flight; origin
 * requests = misses − coalesced), `edge_cache_evictions_total`, `edge_cache_bytes`, `edge_cache_capacity_bytes`,
 * `edge_prepositioned_bytes`.
 */
import { Counter, Gauge } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { timeout } from '../../resilience/timeout.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { upstreamStatus } from '../service-kit/upstream-status.js';
import { ServiceClient, UpstreamError, type InstanceLookup } from '../service-kit/service-client.js';
import { ByteLruCache } from './byte-lru-cache.js';
import { generateTitles, type Title } from './catalog-data.js';
import {
  SEGMENT_SHA256_HEADER,
  makeSegment,
  resolveSegment,
  segmentHeaders,
  segmentId,
  segmentPath,
  segmentSize,
  verifySegment,
  type Segment,
  type SegmentKey,
} from './segments.js';

/** Options of {@link createEdgeService}. */
export interface EdgeServiceOptions {
  identity: ServiceIdentity;
  /** Where the origin instances are found. */
  discovery: InstanceLookup;
  clock?: Clock;
  fetch?: typeof fetch;
  /** The catalog's titles. @default generateTitles() */
  titles?: readonly Title[];
  /** Bytes the on-demand cache may hold (pre-positioned titles are not counted). @default 32 MiB */
  capacityBytes?: number;
  /** How many of the most popular titles are pre-positioned at start. @default 10, the size of the trending row */
  prepositionedTitles?: number;
  /** Time allowed per origin attempt, to the response headers. @default 1_000 */
  originTimeoutMs?: number;
  /** Time allowed for a whole fill, retries and body included. @default 3_000 */
  fillTimeoutMs?: number;
}

/** The origin sent something other than the segment asked for: a truncated body, another segment, a bad checksum. */
export class CorruptSegmentError extends SimianError {
  constructor(readonly segment: string) {
    super('stack.corruptSegment', `the origin's answer for ${segment} failed verification`);
  }
}

/** The most popular titles, as the catalog's trending row ranks them. */
function mostPopular(titles: readonly Title[], count: number): Title[] {
  return [...titles].sort((a, b) => b.popularity - a.popularity).slice(0, count);
}

/**
 * Builds the edge service app.
 *
 * @example
 * const edge = createEdgeService({ identity, discovery, capacityBytes: 64 * 2 ** 20 });
 * const first = await edge.app.request('/titles/t042/segments/0?bitrate=750'); // x-cache: MISS
 * const again = await edge.app.request('/titles/t042/segments/0?bitrate=750'); // x-cache: HIT
 */
export function createEdgeService(options: EdgeServiceOptions): ServiceApp {
  const allTitles = options.titles ?? generateTitles();
  const titles = new Map(allTitles.map((t) => [t.id, t]));

  // Pre-positioned segments are laid down when asked for, not held: their bytes are deterministic and take ~0.06 ms
  // to make, less than the hop to the edge, while holding them (every segment of every rung of ten titles) cost each
  // edge ~17 MB and a second of CPU at start, when the whole stack is starting on the same cores.
  const prepositionedTitles = new Set<string>();
  let prepositionedBytes = 0;
  for (const title of mostPopular(allTitles, options.prepositionedTitles ?? 10)) {
    prepositionedTitles.add(title.id);
    for (const { bitrateKbps } of title.ladder) prepositionedBytes += title.segments * segmentSize(bitrateKbps);
  }

  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app, context) => {
      const registers = [context.registry];
      const hits = new Counter({ name: 'edge_cache_hits_total', help: 'Segment requests answered from the edge (pre-positioned or cached).', registers });
      const misses = new Counter({
        name: 'edge_cache_misses_total',
        help: 'Segment requests that waited for an origin fill, coalesced ones included.',
        registers,
      });
      const coalesced = new Counter({
        name: 'edge_cache_coalesced_total',
        help: 'Misses that joined an origin fill already in flight instead of making their own origin request.',
        registers,
      });
      const evictions = new Counter({ name: 'edge_cache_evictions_total', help: 'Cached segments evicted to make room.', registers });

      // Segments of each title in the cache, so /holds need not scan it.
      const cachedPerTitle = new Map<string, number>();
      const countCached = (titleId: string, delta: number): void => {
        const count = (cachedPerTitle.get(titleId) ?? 0) + delta;
        if (count > 0) cachedPerTitle.set(titleId, count);
        else cachedPerTitle.delete(titleId);
      };
      const cache = new ByteLruCache<Segment>({
        capacityBytes: options.capacityBytes ?? 32 * 2 ** 20,
        sizeOf: (segment) => segment.bytes.length,
        onEvict: (_key, segment) => {
          evictions.inc();
          countCached(segment.key.titleId, -1);
        },
      });
      new Gauge({
        name: 'edge_cache_bytes',
        help: 'Bytes in the on-demand cache.',
        registers,
        collect() {
          this.set(cache.bytes);
        },
      });
      new Gauge({ name: 'edge_cache_capacity_bytes', help: 'Bytes the on-demand cache may hold.', registers }).set(cache.capacityBytes);
      new Gauge({ name: 'edge_prepositioned_bytes', help: 'Bytes of the titles pre-positioned at start.', registers }).set(prepositionedBytes);

      const origin = new ServiceClient({
        target: 'origin',
        zone: options.identity.zone,
        discovery: options.discovery,
        clock: context.clock,
        metrics: context.registry,
        timeoutMs: options.originTimeoutMs ?? 1_000,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
      const fillTimeoutMs = options.fillTimeoutMs ?? 3_000;
      // Bounds the whole fill, body included: the client's per-attempt timeout stops at the response headers, and
      // a body trickling in through a slow link would otherwise hold every coalesced viewer indefinitely.
      const fillLimit = timeout({ name: 'origin-fill', ms: fillTimeoutMs, clock: context.clock, metrics: context.registry });

      const fill = (key: SegmentKey): Promise<Segment> =>
        fillLimit.execute(async ({ signal }) => {
          const response = await origin.request(segmentPath(key), { signal, deadlineMs: fillTimeoutMs });
          if (!response.ok) {
            await response.body?.cancel();
            throw new UpstreamError('origin', response.status, 'client-error');
          }
          const bytes = new Uint8Array(await response.arrayBuffer());
          // A cached corrupt segment would be served to every later viewer: verify before keeping anything.
          if (!verifySegment(key, bytes, response.headers)) throw new CorruptSegmentError(segmentId(key));
          return { key, bytes, sha256: response.headers.get(SEGMENT_SHA256_HEADER)! };
        });

      const inFlight = new Map<string, Promise<Segment>>();
      const fillOnce = (key: SegmentKey): { pending: Promise<Segment>; joined: boolean } => {
        const id = segmentId(key);
        const running = inFlight.get(id);
        if (running) return { pending: running, joined: true };
        // The fill is not tied to the first viewer's request: if that viewer goes away, the others still wait on it.
        const pending = fill(key)
          .then((segment) => {
            if (!cache.has(id) && cache.set(id, segment)) countCached(key.titleId, 1);
            return segment;
          })
          .finally(() => inFlight.delete(id));
        inFlight.set(id, pending);
        return { pending, joined: false };
      };

      app.get('/titles/:id/segments/:n', async (c) => {
        const found = resolveSegment(titles, c.req.param('id'), c.req.param('n'), c.req.query('bitrate'));
        if (!found.ok) return c.json({ error: found.error }, found.status);
        const id = segmentId(found.key);
        const stored = prepositionedTitles.has(found.key.titleId) ? makeSegment(found.key) : cache.get(id);
        if (stored) {
          hits.inc();
          return c.body(stored.bytes, 200, { ...segmentHeaders(stored), 'x-cache': 'HIT' });
        }
        misses.inc();
        const { pending, joined } = fillOnce(found.key);
        if (joined) coalesced.inc();
        try {
          const segment = await pending;
          return c.body(segment.bytes, 200, { ...segmentHeaders(segment), 'x-cache': 'MISS' });
        } catch (error) {
          const status = upstreamStatus(error);
          const message = error instanceof Error ? error.message : String(error);
          return c.json({ error: `could not fill ${id} from the origin: ${message}` }, status);
        }
      });

      app.get('/holds/:titleId', (c) => {
        const titleId = c.req.param('titleId');
        if (!titles.has(titleId)) return c.json({ error: `no title ${titleId}` }, 404);
        const isPrepositioned = prepositionedTitles.has(titleId);
        const cachedSegments = cachedPerTitle.get(titleId) ?? 0;
        return c.json({ holds: isPrepositioned || cachedSegments > 0, prepositioned: isPrepositioned, cachedSegments });
      });
    },
  });
}
