import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../../src/core/index.js';
import { afterSegment, finishPlayback, startPlayer } from '../../src/reference-stack/load/abr.js';
import { runLoad, type LoadOptions } from '../../src/reference-stack/load/load-generator.js';
import { appFetch } from '../support/app-fetch.js';

/** What a fake region's billing holds for one viewer: the subscriptions as billing lists them. */
type Listed = { subscriptionId: string; idempotencyKey: string };

/**
 * The stack's public API, faked: the load generator's contract, with switches to break it. Billing is kept per
 * region; a request with `x-simian-region` is answered by that region, any other by the first (the viewers' home).
 */
function fakeStack(
  options: {
    loseWrite?: string;
    homeStatus?: number;
    deadEdgeFirst?: boolean;
    /** Billing applies each write twice in the home region. */
    applyTwice?: boolean;
    regions?: readonly string[];
    /** Each write is applied again in every other region, as a failover to a region with a ledger of its own would. */
    applyInEveryRegion?: boolean;
    /** Listing subscriptions never answers. */
    hangListing?: boolean;
    /** The front doors' origins, each answering with the same API. @default ['http://frontdoor'] */
    frontDoors?: readonly string[];
  } = {},
) {
  const regions = options.regions ?? ['us-east'];
  const home = regions[0]!;
  const manifestsPerViewer = new Map<string, number>();
  const subscriptions = new Map<string, unknown>();
  const billing = new Map(regions.map((region) => [region, new Map<string, Listed[]>()]));
  let ids = 0;
  const api = new Hono();
  api.get('/health', (c) => c.json({ status: 'ok', regions }));
  api.post('/api/login', async (c) => c.json({ token: `token-${((await c.req.json()) as { username: string }).username}` }));
  api.get('/api/home', (c) =>
    options.homeStatus ? c.json({ error: 'down' }, options.homeStatus as 500) : c.json({ rows: [{ titles: [{ id: 't001' }, { id: 't002' }] }], fallback: false }),
  );
  api.get('/api/play/:id', (c) => {
    // Each viewer's first manifest names an edge that is down; the next one a healthy edge.
    const viewer = c.req.header('authorization') ?? '';
    const seen = manifestsPerViewer.get(viewer) ?? 0;
    manifestsPerViewer.set(viewer, seen + 1);
    const edge = options.deadEdgeFirst && seen === 0 ? 'http://dead-edge' : 'http://edge';
    return c.json({ edge, segments: 10, ladder: [{ bitrateKbps: 235 }, { bitrateKbps: 750 }] });
  });
  const apply = (region: string, viewer: string, key: string) => {
    const store = billing.get(region)!;
    const list = store.get(viewer) ?? [];
    list.push({ subscriptionId: `sub-${region}-${++ids}`, idempotencyKey: key });
    store.set(viewer, list);
  };
  api.post('/api/subscriptions', (c) => {
    const key = c.req.header('idempotency-key')!;
    if (key.startsWith(options.loseWrite ?? '\u0000')) return c.json({ subscriptionId: key }, 201);
    subscriptions.set(key, { key });
    const viewer = c.req.header('authorization')!;
    apply(home, viewer, key);
    if (options.applyTwice) apply(home, viewer, key);
    if (options.applyInEveryRegion) for (const region of regions.slice(1)) apply(region, viewer, key);
    return c.json({ subscriptionId: key }, 201);
  });
  api.get('/api/subscriptions', (c) => {
    if (options.hangListing) return new Promise<Response>(() => undefined);
    const region = c.req.header('x-simian-region') ?? home;
    const store = billing.get(region);
    if (!store) return c.json({ error: `unknown region ${region}` }, 400);
    return c.json({ subscriptions: store.get(c.req.header('authorization')!) ?? [] });
  });
  api.get('/api/subscriptions/by-key/:key', (c) => (subscriptions.has(c.req.param('key')) ? c.json(subscriptions.get(c.req.param('key'))) : c.json({}, 404)));
  const edge = new Hono();
  let segments = 0;
  edge.get('/titles/:id/segments/:n', (c) => {
    segments++;
    return c.body(new Uint8Array(Number(c.req.query('bitrate'))));
  });
  // A front door in `down` refuses connections, as one whose process was killed does.
  const down = new Set<string>();
  const frontDoors = Object.fromEntries((options.frontDoors ?? ['http://frontdoor']).map((origin) => [origin, api]));
  return { fetch: appFetch({ ...frontDoors, 'http://edge': edge }, down), down, subscriptions, segments: () => segments };
}

/** Runs a load on a manual clock, moving time until it finishes. */
async function run(options: Omit<LoadOptions, 'clock' | 'target'> & { target?: LoadOptions['target'] }) {
  const clock = new ManualClock();
  let done = false;
  const report = runLoad({ target: 'http://frontdoor', clock, random: new SeededRandom(1), ...options }).finally(() => (done = true));
  while (!done) await clock.advance(50);
  return report;
}

describe('load generator', () => {
  it('plays full journeys at the requested rate and reports their SLIs', async () => {
    const stack = fakeStack();
    const report = await run({ fetch: stack.fetch, durationMs: 1000, ratePerSecond: 10, subscribeProbability: 0.5, segmentsPerPlay: 3 });
    expect(report.sessions).toBe(10);
    expect(report.successRatio).toBe(1);
    expect(report.playStarts).toEqual({ attempted: 10, succeeded: 10, ratio: 1 });
    expect(stack.segments()).toBe(30);
    expect(report.byStep.home).toEqual({ requests: 10, failures: 0 });
    expect(report.billing.acknowledged).toBeGreaterThan(0);
    expect(report.billing).toMatchObject({ found: report.billing.acknowledged, lost: 0 });
    expect(report.rebufferRatio).toBe(0);
  });

  it('fails over to a new manifest when the edge stops answering, as a player does', async () => {
    const stack = fakeStack({ deadEdgeFirst: true });
    const report = await run({ fetch: stack.fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 0, segmentsPerPlay: 2 });
    expect(report.successRatio).toBe(1);
    expect(report.byStep.manifest.requests).toBe(10);
    expect(report.byStep.segment).toEqual({ requests: 10, failures: 0 });
    expect(report.playStarts.ratio).toBe(1);
  });

  it('catches an acknowledged write that the stack lost', async () => {
    const stack = fakeStack({ loseWrite: 'viewer-' });
    const report = await run({ fetch: stack.fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 1 });
    expect(report.billing.acknowledged).toBe(5);
    expect(report.billing.lost).toBe(5);
  });

  it('catches a write applied twice', async () => {
    const honest = await run({ fetch: fakeStack().fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 1 });
    expect(honest.billing.duplicated).toBe(0);
    const twice = await run({ fetch: fakeStack({ applyTwice: true }).fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 1 });
    expect(twice.billing.duplicated).toBe(5);
  });

  it('reads every region\'s billing, and counts a write applied in two regions as applied twice', async () => {
    const regions = ['us-east', 'eu-west'];
    const failedOver = fakeStack({ regions, applyInEveryRegion: true });
    const report = await run({ fetch: failedOver.fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 1 });
    expect(report.billing.duplicated).toBe(5);
    expect(report.billing).toMatchObject({ acknowledged: 5, found: 5, lost: 0, regions });
    const honest = await run({ fetch: fakeStack({ regions }).fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 1 });
    expect(honest.billing).toMatchObject({ acknowledged: 5, found: 5, lost: 0, duplicated: 0, regions });
  });

  it('gives up on a verify request that never answers after the request timeout, and counts its writes as not found', async () => {
    const stack = fakeStack({ hangListing: true });
    const report = await run({ fetch: stack.fetch, durationMs: 300, ratePerSecond: 10, subscribeProbability: 1, requestTimeoutMs: 1_000 });
    expect(report.billing).toMatchObject({ acknowledged: 3, found: 0, lost: 3 });
    expect(report.byStep.verify.failures).toBeGreaterThan(0);
    expect(report.sampleErrors.some((e) => e.startsWith('verify: '))).toBe(true);
  });

  it('counts a 2xx answer that is not the JSON the API promises as a failure, and leaves no journey rejected', async () => {
    const garbage = new Hono();
    garbage.post('/api/login', (c) => c.body('<html>maintenance</html>', 200));
    const report = await run({ fetch: appFetch({ 'http://frontdoor': garbage }), durationMs: 300, ratePerSecond: 10 });
    expect(report.sessions).toBe(3);
    expect(report.byStep.login.failures).toBe(3);
    expect(report.sampleErrors.some((e) => e.startsWith('login: unreadable answer'))).toBe(true);
  });

  it('sends every viewer to the second front door when the first is dead', async () => {
    const doors = ['http://frontdoor-a', 'http://frontdoor-b'];
    const stack = fakeStack({ frontDoors: doors });
    stack.down.add('http://frontdoor-a');
    const report = await run({ target: doors, fetch: stack.fetch, durationMs: 500, ratePerSecond: 10, subscribeProbability: 1 });
    expect(report.successRatio).toBe(1);
    expect(report.billing).toMatchObject({ acknowledged: 5, found: 5, lost: 0, duplicated: 0 });
    // The first login went on to the second front door at once (a login is safe to repeat), not after a retry's pause.
    expect(report.latencyMs.max).toBe(0);
  });

  it('fails over mid-run, logins and keyed writes too, when a front door is killed', async () => {
    const doors = ['http://frontdoor-a', 'http://frontdoor-b'];
    const stack = fakeStack({ frontDoors: doors });
    const sent: string[] = [];
    const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input);
      // The first front door dies on its 6th request, whatever that is: a login, a home page or a subscription.
      if (url.startsWith('http://frontdoor-a') && sent.push(`${init?.method ?? 'GET'} ${new URL(url).pathname}`) === 6) stack.down.add('http://frontdoor-a');
      return stack.fetch(input, init);
    }) as typeof globalThis.fetch;
    const report = await run({ target: doors, fetch, durationMs: 1000, ratePerSecond: 10, subscribeProbability: 1, segmentsPerPlay: 1 });
    expect(stack.down.has('http://frontdoor-a')).toBe(true);
    expect(report.successRatio).toBe(1);
    expect(report.billing).toMatchObject({ acknowledged: 10, found: 10, lost: 0, duplicated: 0 });
  });

  it('refuses a load with no front door', async () => {
    await expect(runLoad({ target: [], durationMs: 100, ratePerSecond: 10, clock: new ManualClock() })).rejects.toThrow('no front door');
  });

  it('counts failed steps and says what failed', async () => {
    const stack = fakeStack({ homeStatus: 503 });
    const report = await run({ fetch: stack.fetch, durationMs: 500, ratePerSecond: 10 });
    expect(report.byStep.home).toEqual({ requests: 5, failures: 5 });
    expect(report.successRatio).toBe(0.5);
    expect(report.playStarts.attempted).toBe(0);
    expect(report.sampleErrors).toContain('home: HTTP 503 (down)');
  });

  it('counts requests that never answer as failures after the request timeout', async () => {
    const hang = new Hono();
    hang.all('*', () => new Promise<Response>(() => undefined));
    const report = await run({ fetch: appFetch({ 'http://frontdoor': hang }), durationMs: 200, ratePerSecond: 10, requestTimeoutMs: 300 });
    expect(report.byStep.login).toEqual({ requests: 2, failures: 2 });
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(300);
  });
});

describe('adaptive bitrate', () => {
  it('starts low and climbs while segments arrive fast and the buffer is healthy', () => {
    let player = startPlayer();
    for (let i = 0; i < 6; i++) player = afterSegment(player, 4000, 100, 4);
    expect(player.rung).toBeGreaterThan(0);
    expect(player.rebufferMs).toBe(0);
  });

  it('steps down and counts a stall when a download outlasts the buffer', () => {
    let player = afterSegment(startPlayer(), 4000, 500, 4); // start-up: not a rebuffer
    expect(player.rebufferMs).toBe(0);
    player = { ...player, rung: 2 };
    player = afterSegment(player, 4000, 6000, 4); // 4 s buffered, 6 s download: 2 s stall
    expect(player.rebufferMs).toBe(2000);
    expect(player.rung).toBe(1);
    player = finishPlayback(player);
    expect(player.playedMs).toBe(8000);
  });
});
