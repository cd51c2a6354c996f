import { createHash } from 'node:crypto';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { InstanceRegistry } from '../../src/reference-stack/discovery/instance-registry.js';
import type { ServiceIdentity, ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import type { InstanceLookup } from '../../src/reference-stack/service-kit/service-client.js';
import { generateTitles, type Title } from '../../src/reference-stack/services/catalog-data.js';
import { createCatalogService } from '../../src/reference-stack/services/catalog-service.js';
import { createEdgeService, type EdgeServiceOptions } from '../../src/reference-stack/services/edge-service.js';
import { createOriginService } from '../../src/reference-stack/services/origin-service.js';
import { createPlaybackService, type Manifest, type PlaybackServiceOptions } from '../../src/reference-stack/services/playback-service.js';
import { makeSegment, segmentPath, type SegmentKey } from '../../src/reference-stack/services/segments.js';
import { appFetch } from '../support/app-fetch.js';
import { deferred, settle, type Deferred } from '../support/deferred.js';

const REGION = 'us-east';
const [ZONE_A, ZONE_B, ZONE_C] = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
const id = (service: ServiceName, zone: string = ZONE_A): ServiceIdentity => ({ service, region: REGION, zone, instanceId: `${service}-${zone}` });
const json = async <T>(response: Response | Promise<Response>) => (await (await response).json()) as T;
const bytesOf = async (response: Response) => new Uint8Array(await response.arrayBuffer());
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const TITLES = generateTitles();
/** Titles by popularity, most popular first, as edges pre-position them. */
const BY_POPULARITY = [...TITLES].sort((a, b) => b.popularity - a.popularity);
const POPULAR = BY_POPULARITY[0]!;
const UNPOPULAR = BY_POPULARITY.at(-1)!;
const key = (title: Title, index: number, bitrateKbps = title.ladder[0]!.bitrateKbps): SegmentKey => ({ titleId: title.id, index, bitrateKbps });

/** The value of the first series of `name` in a Prometheus exposition (for metrics with only the default labels). */
function sample(exposition: string, name: string): number | undefined {
  const line = exposition.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Discovery as services see it: the real registry's zone-first listing. */
function discoveryOf(clock: ManualClock): { registry: InstanceRegistry; lookup: InstanceLookup } {
  const registry = new InstanceRegistry(clock, 60_000);
  return { registry, lookup: { lookup: (service, zone) => registry.list({ service, ...(zone !== undefined ? { zone } : {}) }) } };
}

/** An origin app that counts requests and, when gated, holds each one until the gate opens. */
function countingOrigin(origin: Hono) {
  const counted = new Hono();
  let requests = 0;
  let gate: Deferred<void> | undefined;
  counted.all('*', async (c) => {
    requests++;
    await gate?.promise;
    return origin.fetch(c.req.raw);
  });
  return {
    app: counted,
    requests: () => requests,
    hold: () => (gate = deferred()),
  };
}

describe('origin', () => {
  const a = createOriginService({ identity: id('origin', ZONE_A) }).app;
  const b = createOriginService({ identity: id('origin', ZONE_B) }).app;

  it('serves the same bytes for the same segment on every instance, sized by bitrate, with a checksum', async () => {
    const path = segmentPath(key(POPULAR, 3, POPULAR.ladder[1]!.bitrateKbps));
    const [fromA, fromB] = await Promise.all([a.request(path), b.request(path)]);
    expect(fromA.status).toBe(200);
    expect(fromA.headers.get('content-type')).toBe('application/octet-stream');
    expect(fromA.headers.get('x-segment-id')).toBe(`${POPULAR.id}/3/${POPULAR.ladder[1]!.bitrateKbps}`);
    const bytes = await bytesOf(fromA);
    expect(bytes).toHaveLength(POPULAR.ladder[1]!.bitrateKbps);
    expect(await bytesOf(fromB)).toEqual(bytes);
    expect(fromA.headers.get('x-segment-sha256')).toBe(sha256(bytes));
    expect(fromB.headers.get('x-segment-sha256')).toBe(sha256(bytes));
    expect(bytes).toEqual(makeSegment(key(POPULAR, 3, POPULAR.ladder[1]!.bitrateKbps)).bytes);
  });

  it('serves different bytes for another segment or another bitrate', async () => {
    const digest = async (k: SegmentKey) => (await a.request(segmentPath(k))).headers.get('x-segment-sha256');
    const base = await digest(key(POPULAR, 3));
    expect(await digest(key(POPULAR, 4))).not.toBe(base);
    expect(await digest(key(POPULAR, 3, POPULAR.ladder[1]!.bitrateKbps))).not.toBe(base);
    expect(await digest(key(UNPOPULAR, 3))).not.toBe(base);
  });

  it('answers 404 for an unknown title, a segment past the end and a bitrate off the ladder; 400 for malformed ones', async () => {
    const last = POPULAR.segments - 1;
    expect((await a.request(segmentPath(key(POPULAR, last)))).status).toBe(200);
    expect((await a.request(`/titles/nope/segments/0?bitrate=235`)).status).toBe(404);
    const past = await a.request(segmentPath(key(POPULAR, POPULAR.segments)));
    expect(past.status).toBe(404);
    expect(((await past.json()) as { error: string }).error).toContain(`${POPULAR.segments} segments`);
    const offLadder = await a.request(`/titles/${POPULAR.id}/segments/0?bitrate=236`);
    expect(offLadder.status).toBe(404);
    expect(((await offLadder.json()) as { error: string }).error).toContain('ladder');
    const noBitrate = await a.request(`/titles/${POPULAR.id}/segments/0`);
    expect(noBitrate.status).toBe(400);
    expect(((await noBitrate.json()) as { error: string }).error).toContain('bitrate');
    const badIndex = await a.request(`/titles/${POPULAR.id}/segments/first?bitrate=235`);
    expect(badIndex.status).toBe(400);
    expect(((await badIndex.json()) as { error: string }).error).toMatch(/^n:/);
  });
});

describe('edge', () => {
  const setup = (edgeOptions: Partial<EdgeServiceOptions> = {}, originApp?: Hono) => {
    const clock = new ManualClock();
    const discovery = discoveryOf(clock);
    discovery.registry.register({ instanceId: 'origin-0', service: 'origin', region: REGION, zone: ZONE_A, address: 'http://origin-0' });
    const origin = countingOrigin(originApp ?? createOriginService({ identity: id('origin'), clock }).app);
    const down = new Set<string>();
    const edge = createEdgeService({
      identity: id('edge'),
      discovery: discovery.lookup,
      clock,
      fetch: appFetch({ 'http://origin-0': origin.app }, down),
      prepositionedTitles: 0,
      ...edgeOptions,
    });
    const get = (k: SegmentKey) => edge.app.request(segmentPath(k));
    const holds = (titleId: string) => json<{ holds: boolean; prepositioned: boolean; cachedSegments: number }>(edge.app.request(`/holds/${titleId}`));
    const metrics = () => edge.context.registry.metrics();
    return { clock, edge, origin, down, get, holds, metrics };
  };

  it('fills a miss from the origin, then answers from its cache', async () => {
    const { get, origin, metrics } = setup();
    const k = key(UNPOPULAR, 5, UNPOPULAR.ladder[2]!.bitrateKbps);
    const first = await get(k);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(await bytesOf(first)).toEqual(makeSegment(k).bytes);
    const second = await get(k);
    expect(second.headers.get('x-cache')).toBe('HIT');
    const bytes = await bytesOf(second);
    expect(bytes).toEqual(makeSegment(k).bytes);
    expect(second.headers.get('x-segment-sha256')).toBe(sha256(bytes));
    expect(second.headers.get('x-segment-id')).toBe(`${UNPOPULAR.id}/5/${k.bitrateKbps}`);
    expect(origin.requests()).toBe(1);
    const exposition = await metrics();
    expect(sample(exposition, 'edge_cache_hits_total')).toBe(1);
    expect(sample(exposition, 'edge_cache_misses_total')).toBe(1);
    expect(sample(exposition, 'edge_cache_bytes')).toBe(k.bitrateKbps);
  });

  it('evicts the least recently used segments until a new one fits in its byte capacity', async () => {
    const { get, origin, metrics, holds } = setup({ capacityBytes: 1_000 });
    const [s0, s1, s2] = [key(UNPOPULAR, 0), key(UNPOPULAR, 1), key(UNPOPULAR, 2)]; // 235 bytes each
    const big = key(UNPOPULAR, 0, 750);
    expect(UNPOPULAR.ladder.map((r) => r.bitrateKbps).slice(0, 2)).toEqual([235, 750]);
    for (const k of [s0, s1, s2]) expect((await get(k)).headers.get('x-cache')).toBe('MISS');
    expect((await get(s0)).headers.get('x-cache')).toBe('HIT'); // s0 is now the most recently used
    // 705 + 750 > 1000: s1 then s2 (least recently used first) must go; s0 stays because it was just read.
    expect((await get(big)).headers.get('x-cache')).toBe('MISS');
    let exposition = await metrics();
    expect(sample(exposition, 'edge_cache_evictions_total')).toBe(2);
    expect(sample(exposition, 'edge_cache_bytes')).toBe(235 + 750);
    expect((await get(s0)).headers.get('x-cache')).toBe('HIT');
    expect((await get(big)).headers.get('x-cache')).toBe('HIT');
    const before = origin.requests();
    expect((await get(s1)).headers.get('x-cache')).toBe('MISS');
    expect(origin.requests()).toBe(before + 1);
    exposition = await metrics();
    expect(sample(exposition, 'edge_cache_bytes')).toBeLessThanOrEqual(1_000);
    expect(await holds(UNPOPULAR.id)).toMatchObject({ holds: true, prepositioned: false });
  });

  it('serves a segment larger than its whole capacity without caching it', async () => {
    const { get, origin } = setup({ capacityBytes: 500 });
    const big = key(UNPOPULAR, 0, 750);
    expect((await get(big)).headers.get('x-cache')).toBe('MISS');
    expect((await get(big)).headers.get('x-cache')).toBe('MISS');
    expect(origin.requests()).toBe(2);
  });

  it('coalesces concurrent misses for one segment into a single origin request', async () => {
    const { get, origin, metrics } = setup();
    const k = key(UNPOPULAR, 7);
    const gate = origin.hold();
    const pending = Array.from({ length: 8 }, () => get(k));
    await settle();
    expect(origin.requests()).toBe(1);
    gate.resolve();
    const answers = await Promise.all(pending);
    const expected = makeSegment(k).bytes;
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-cache')).toBe('MISS');
      expect(await bytesOf(answer)).toEqual(expected);
    }
    expect(origin.requests()).toBe(1);
    const exposition = await metrics();
    expect(sample(exposition, 'edge_cache_misses_total')).toBe(8);
    expect(sample(exposition, 'edge_cache_coalesced_total')).toBe(7);
    expect((await get(k)).headers.get('x-cache')).toBe('HIT');
    expect(origin.requests()).toBe(1);
  });

  it('holds the most popular titles from start and serves them with the origin down', async () => {
    const { edge, get, origin, down, holds, metrics } = setup({ prepositionedTitles: 2 });
    down.add('http://origin-0');
    expect(await holds(BY_POPULARITY[0]!.id)).toEqual({ holds: true, prepositioned: true, cachedSegments: 0 });
    expect(await holds(BY_POPULARITY[1]!.id)).toMatchObject({ holds: true, prepositioned: true });
    expect(await holds(BY_POPULARITY[2]!.id)).toEqual({ holds: false, prepositioned: false, cachedSegments: 0 });
    const top = BY_POPULARITY[1]!;
    const highest = key(top, top.segments - 1, top.ladder.at(-1)!.bitrateKbps);
    const answer = await get(highest);
    expect(answer.headers.get('x-cache')).toBe('HIT');
    expect(await bytesOf(answer)).toEqual(makeSegment(highest).bytes);
    expect(origin.requests()).toBe(0);
    const size = (t: Title) => t.segments * t.ladder.reduce((sum, r) => sum + r.bitrateKbps, 0);
    expect(sample(await metrics(), 'edge_prepositioned_bytes')).toBe(size(BY_POPULARITY[0]!) + size(top));
    down.delete('http://origin-0');
    expect((await get(key(UNPOPULAR, 0))).headers.get('x-cache')).toBe('MISS');
    expect(await holds(UNPOPULAR.id)).toEqual({ holds: true, prepositioned: false, cachedSegments: 1 });
    expect((await edge.app.request('/holds/nope')).status).toBe(404);
  });

  it('refuses a bad address itself, without asking the origin', async () => {
    const { edge, origin } = setup();
    expect((await edge.app.request(`/titles/nope/segments/0?bitrate=235`)).status).toBe(404);
    expect((await edge.app.request(segmentPath(key(UNPOPULAR, UNPOPULAR.segments)))).status).toBe(404);
    expect((await edge.app.request(`/titles/${UNPOPULAR.id}/segments/0?bitrate=fast`)).status).toBe(400);
    expect(origin.requests()).toBe(0);
  });

  it('answers 502 and caches nothing when the origin is down or sends a corrupt segment', async () => {
    const corrupt = new Hono();
    let truncate = true;
    const real = createOriginService({ identity: id('origin') }).app;
    corrupt.all('*', async (c) => {
      const answer = await real.fetch(c.req.raw);
      if (!truncate) return answer;
      const bytes = await bytesOf(answer);
      return new Response(bytes.slice(0, bytes.length - 1), { headers: answer.headers });
    });
    const { get, down } = setup({}, corrupt);
    const k = key(UNPOPULAR, 0);
    const refused = await get(k);
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: string }).error).toContain('failed verification');
    truncate = false;
    down.add('http://origin-0');
    expect((await get(k)).status).toBe(502);
    down.delete('http://origin-0');
    const filled = await get(k);
    expect(filled.headers.get('x-cache')).toBe('MISS');
    expect(await bytesOf(filled)).toEqual(makeSegment(k).bytes);
  });

  it('exports its cache series from start, at 0', async () => {
    const { metrics } = setup({ capacityBytes: 4_096 });
    const exposition = await metrics();
    for (const name of ['edge_cache_hits_total', 'edge_cache_misses_total', 'edge_cache_coalesced_total', 'edge_cache_evictions_total', 'edge_cache_bytes']) {
      expect(exposition).toMatch(new RegExp(`^${name}\\{region="us-east",zone="us-east-1a",instance="edge-us-east-1a"\\} 0$`, 'm'));
    }
    expect(sample(exposition, 'edge_cache_capacity_bytes')).toBe(4_096);
    expect(sample(exposition, 'edge_prepositioned_bytes')).toBe(0);
  });
});

describe('playback', () => {
  interface Setup {
    playbackZone?: string;
    catalogTitles?: readonly Title[];
    prepositioned?: number;
    playback?: Partial<PlaybackServiceOptions>;
  }
  const setup = (options: Setup = {}) => {
    const clock = new ManualClock();
    const discovery = discoveryOf(clock);
    const apps: Record<string, Hono> = {};
    const down = new Set<string>();
    const fetch = appFetch(apps, down);
    const register = (service: ServiceName, zone: string, app: Hono) => {
      const address = `http://${service}-${zone}`;
      apps[address] = app;
      discovery.registry.register({ instanceId: `${service}-${zone}`, service, region: REGION, zone, address });
      return address;
    };
    register('catalog', ZONE_A, createCatalogService({ identity: id('catalog'), clock, ...(options.catalogTitles ? { titles: options.catalogTitles } : {}) }).app);
    const origin = register('origin', ZONE_A, createOriginService({ identity: id('origin'), clock }).app);
    const edges: Record<string, string> = {};
    // Registered in reverse zone order, so a pick of the same zone's edge cannot come from registration order.
    for (const zone of [ZONE_C, ZONE_B, ZONE_A]) {
      const edge = createEdgeService({ identity: id('edge', zone), discovery: discovery.lookup, clock, fetch, prepositionedTitles: options.prepositioned ?? 3 });
      edges[zone] = register('edge', zone, edge.app);
    }
    const playback = createPlaybackService({
      identity: id('playback', options.playbackZone ?? ZONE_A),
      discovery: discovery.lookup,
      clock,
      fetch,
      ...options.playback,
    });
    const manifest = async (titleId: string): Promise<Response> => playback.app.request(`/manifest/${titleId}?userId=viewer-1`);
    return { clock, down, fetch, apps, edges, origin, playback, manifest };
  };

  it('steers to the edge of its own zone when that edge holds the title, with the catalog\'s ladder', async () => {
    const { manifest, edges } = setup({ playbackZone: ZONE_B });
    const response = await manifest(POPULAR.id);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      titleId: POPULAR.id,
      segments: POPULAR.segments,
      segmentSeconds: 4,
      ladder: POPULAR.ladder,
      edge: edges[ZONE_B],
      source: 'edge',
    });
  });

  it('prefers an edge in another zone that holds the title over a local one that does not', async () => {
    const { manifest, edges, fetch } = setup();
    const title = BY_POPULARITY[10]!; // pre-positioned nowhere
    // Nobody holds it: the first edge that answers, the local one, is named and will fill from the origin.
    expect(await json<Manifest>(manifest(title.id))).toMatchObject({ edge: edges[ZONE_A], source: 'edge' });
    const filled = await fetch(`${edges[ZONE_C]}${segmentPath(key(title, 0))}`);
    expect(filled.headers.get('x-cache')).toBe('MISS');
    // Now zone C's edge has part of it cached, and the local edge still has none.
    expect(await json<Manifest>(manifest(title.id))).toMatchObject({ edge: edges[ZONE_C], source: 'other-edge' });
  });

  it('falls back to an edge in another zone when its own zone\'s edge is down', async () => {
    const { manifest, edges, down, fetch } = setup();
    down.add(edges[ZONE_A]!);
    const answer = await json<Manifest>(manifest(POPULAR.id));
    expect(answer.source).toBe('other-edge');
    expect([edges[ZONE_B], edges[ZONE_C]]).toContain(answer.edge);
    // The player can stream from where it was sent.
    const segment = await fetch(`${answer.edge}${segmentPath(key(POPULAR, 0))}`);
    expect(segment.headers.get('x-cache')).toBe('HIT');
  });

  it('waits at most the holds timeout for a hung local edge, then keeps away from it', async () => {
    const { manifest, edges, apps, clock } = setup({ playback: { holdsTimeoutMs: 150 } });
    const hung = new Hono();
    hung.all('*', () => new Promise<Response>(() => undefined));
    apps[edges[ZONE_A]!] = hung;
    let settled = false;
    const pending = manifest(POPULAR.id).then((r) => {
      settled = true;
      return r;
    });
    await clock.advance(149);
    expect(settled).toBe(false);
    await clock.advance(1);
    const answer = await json<Manifest>(pending);
    expect(answer.source).toBe('other-edge');
    // The hung edge is asked last now: the next manifest does not wait for it, with no time passing at all.
    let nextSettled = false;
    const next = manifest(POPULAR.id).then((r) => {
      nextSettled = true;
      return r;
    });
    for (let turn = 0; turn < 5 && !nextSettled; turn++) await settle();
    expect(nextSettled).toBe(true);
    expect((await json<Manifest>(next)).source).toBe('other-edge');
  });

  it('sends the player to the origin when no edge answers', async () => {
    const { manifest, edges, origin, down, fetch, playback } = setup();
    for (const address of Object.values(edges)) down.add(address);
    const answer = await json<Manifest>(manifest(POPULAR.id));
    expect(answer).toMatchObject({ edge: origin, source: 'origin', ladder: POPULAR.ladder });
    const segment = await fetch(`${answer.edge}${segmentPath(key(POPULAR, 1))}`);
    expect(await bytesOf(segment)).toEqual(makeSegment(key(POPULAR, 1)).bytes);
    const exposition = await playback.context.registry.metrics();
    expect(exposition).toMatch(/^playback_manifests_total\{source="origin",region="us-east",[^}]*\} 1$/m);
    expect(exposition).toMatch(/^playback_manifests_total\{source="edge",region="us-east",[^}]*\} 0$/m);
    expect(exposition).toMatch(/^resilience_calls_total\{policy="fallback",name="playback-steering",outcome="fallback",[^}]*\} 1$/m);
  });

  it('answers 503 when neither an edge nor an origin can be named', async () => {
    const { manifest, edges, origin, down } = setup();
    for (const address of [...Object.values(edges), origin]) down.add(address);
    // The origin is down too, but a player is sent there: only an empty registry leaves nothing to name.
    expect((await json<Manifest>(manifest(POPULAR.id))).source).toBe('origin');
    const empty = setup({ playback: { discovery: { lookup: (service) => (service === 'catalog' ? [{ instanceId: 'c', address: 'http://catalog-us-east-1a', zone: ZONE_A }] : []) } } });
    const response = await empty.manifest(POPULAR.id);
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toContain('origin');
  });

  it('takes the ladder and segment count from the catalog', async () => {
    const target = UNPOPULAR;
    const custom = TITLES.map((t) => (t.id === target.id ? { ...t, ladder: t.ladder.slice(0, 2), segments: 7 } : t));
    const { manifest, fetch } = setup({ catalogTitles: custom });
    const fromCatalog = await json<Title>(fetch(`http://catalog-us-east-1a/titles/${target.id}`));
    const answer = await json<Manifest>(manifest(target.id));
    expect(answer.ladder).toEqual(fromCatalog.ladder);
    expect(answer.ladder).toHaveLength(2);
    expect(answer.segments).toBe(7);
    expect(answer.segmentSeconds).toBe(4);
  });

  it('answers 404 for a title the catalog does not know', async () => {
    const { manifest } = setup();
    const response = await manifest('t999');
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: string }).error).toContain('t999');
  });

  it('keeps playing with the last ladder seen when the catalog is down', async () => {
    const target = UNPOPULAR;
    const custom = TITLES.map((t) => (t.id === target.id ? { ...t, ladder: t.ladder.slice(0, 1), segments: 5 } : t));
    const { manifest, down, playback } = setup({ catalogTitles: custom });
    expect((await json<Manifest>(manifest(target.id))).segments).toBe(5);
    down.add('http://catalog-us-east-1a');
    const answer = await json<Manifest>(manifest(target.id));
    expect(answer).toMatchObject({ segments: 5, ladder: custom.find((t) => t.id === target.id)!.ladder });
    const exposition = await playback.context.registry.metrics();
    expect(exposition).toMatch(/^resilience_calls_total\{policy="fallback",name="playback-catalog",outcome="fallback",[^}]*\} 1$/m);
    // A title never seen comes from the catalog's own data, which playback is seeded with.
    expect((await json<Manifest>(manifest(POPULAR.id))).ladder).toEqual(POPULAR.ladder);
    expect((await manifest('t999')).status).toBe(503);
  });
});
