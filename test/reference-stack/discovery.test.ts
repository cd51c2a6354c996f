import { afterEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { DiscoveryClient } from '../../src/reference-stack/discovery/discovery-client.js';
import { createDiscoveryService } from '../../src/reference-stack/discovery/discovery-service.js';
import { warmUpFromPeers } from '../../src/reference-stack/discovery/registry-warm-up.js';
import type { InstanceInfo } from '../../src/reference-stack/discovery/instance-registry.js';
import { appFetch } from '../support/app-fetch.js';

const identity = { service: 'discovery', region: 'us-east', zone: 'us-east-1a', instanceId: 'discovery-us-east-1a-0' } as const;
const TOKEN = 'discovery-test-stack-token-0123456789';
const AUTHORIZED = { authorization: `Bearer ${TOKEN}` };
const instance = (id: string, zone: string, service = 'catalog'): InstanceInfo => ({
  instanceId: id,
  service,
  region: 'us-east',
  zone,
  address: `http://127.0.0.1:${4000 + Number(id.slice(-1))}`,
});

describe('discovery service', () => {
  const setup = () => {
    const clock = new ManualClock();
    const discovery = createDiscoveryService({ identity, clock, leaseMs: 3000, stackToken: TOKEN });
    const post = (body: unknown, headers: Record<string, string> = AUTHORIZED) =>
      discovery.app.request('/v1/instances', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });
    const list = async (query = '') => ((await (await discovery.app.request(`/v1/instances${query}`)).json()) as { instances: InstanceInfo[] }).instances;
    return { clock, discovery, post, list };
  };

  it('registers instances and lists them, the caller\'s zone first', async () => {
    const { post, list } = setup();
    expect((await post(instance('c1', 'us-east-1a'))).status).toBe(201);
    await post(instance('c2', 'us-east-1b'));
    await post(instance('u3', 'us-east-1b', 'user'));
    expect((await list('?service=catalog&zone=us-east-1b')).map((i) => i.instanceId)).toEqual(['c2', 'c1']);
    expect((await list('?service=catalog&zone=us-east-1a')).map((i) => i.instanceId)).toEqual(['c1', 'c2']);
    expect(await list()).toHaveLength(3);
  });

  it('evicts an instance that missed its heartbeats, and keeps one that renews', async () => {
    const { clock, discovery, post, list } = setup();
    await post(instance('c1', 'us-east-1a'));
    await post(instance('c2', 'us-east-1b'));
    for (let i = 0; i < 4; i++) {
      await clock.advance(1000);
      expect((await discovery.app.request('/v1/instances/c1/heartbeat', { method: 'PUT', headers: AUTHORIZED })).status).toBe(204);
    }
    expect((await list()).map((i) => i.instanceId)).toEqual(['c1']);
    expect(discovery.registry.evictions).toBe(1);
    expect((await discovery.app.request('/v1/instances/c2/heartbeat', { method: 'PUT', headers: AUTHORIZED })).status).toBe(404);
    const metrics = await discovery.context.registry.metrics();
    expect(metrics).toMatch(/discovery_evictions\{[^}]*\} 1/);
  });

  it('keeps every lease when many run out at once (cut off, not a fleet dying), then evicts only those that stay silent', async () => {
    const { clock, discovery, post, list } = setup();
    // Twenty, about the size of the small stack's registry; fifteen per cent of them may expire and be evicted.
    const ids = Array.from({ length: 20 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    for (const [i, id] of ids.entries()) await post(instance(id, i % 2 === 0 ? 'us-east-1a' : 'us-east-1b'));
    const [late, dead] = ['c18', 'c19'];
    const prompt = ids.filter((id) => id !== late && id !== dead);
    const heartbeat = async (id: string) => (await discovery.app.request(`/v1/instances/${id}/heartbeat`, { method: 'PUT', headers: AUTHORIZED })).status;
    // No heartbeat reaches this registry for longer than a lease, as when a zone outage disables its proxy.
    await clock.advance(10_000);
    expect((await list()).map((i) => i.instanceId)).toEqual(ids);
    expect(discovery.registry.selfPreserving).toBe(true);
    expect(discovery.registry.evictions).toBe(0);
    expect(await discovery.context.registry.metrics()).toMatch(/discovery_self_preservation\{[^}]*\} 1/);
    // Reachable again: most renew at once, one a moment later; one died during the outage and never renews.
    for (const id of prompt) expect(await heartbeat(id)).toBe(204);
    expect(discovery.registry.selfPreserving).toBe(false);
    await clock.advance(1_000);
    expect(await heartbeat(late!)).toBe(204);
    expect((await list()).map((i) => i.instanceId)).toEqual(ids);
    for (let i = 0; i < 3; i++) {
      await clock.advance(1_000);
      for (const id of [...prompt, late!]) expect(await heartbeat(id)).toBe(204);
    }
    expect((await list()).map((i) => i.instanceId)).toEqual(ids.filter((id) => id !== dead));
    expect(discovery.registry.evictions).toBe(1);
  });

  it('rejects a malformed registration, naming the field', async () => {
    const { post, list } = setup();
    const response = await post({ ...instance('c1', 'us-east-1a'), address: 'not a url' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('address');
    expect(await list()).toHaveLength(0);
  });

  it('deregisters', async () => {
    const { discovery, post, list } = setup();
    await post(instance('c1', 'us-east-1a'));
    expect((await discovery.app.request('/v1/instances/c1', { method: 'DELETE', headers: AUTHORIZED })).status).toBe(204);
    expect(await list()).toHaveLength(0);
  });

  it('changes the registry only for the stack token, and never for a web page; lookups stay open', async () => {
    const { clock, discovery, post, list } = setup();
    const refused = async (init: RequestInit & { path: string }): Promise<number> => (await discovery.app.request(init.path, init)).status;
    // Register: no token, another token, a malformed header, a web page holding the token.
    expect((await post(instance('c1', 'us-east-1a'), {})).status).toBe(401);
    expect((await post(instance('c1', 'us-east-1a'), { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await post(instance('c1', 'us-east-1a'), { authorization: `Basic ${TOKEN}` })).status).toBe(400);
    expect((await post(instance('c1', 'us-east-1a'), { ...AUTHORIZED, origin: 'http://evil.example' })).status).toBe(403);
    expect(await list()).toHaveLength(0);
    // A POST with no body at all used to pass as far as validation; now it stops at the door.
    expect(await refused({ path: '/v1/instances', method: 'POST' })).toBe(401);

    expect((await post(instance('c1', 'us-east-1a'))).status).toBe(201);
    expect(await refused({ path: '/v1/instances/c1', method: 'DELETE' })).toBe(401);
    expect(await refused({ path: '/v1/instances/c1', method: 'DELETE', headers: { ...AUTHORIZED, origin: 'null' } })).toBe(403);
    // Heartbeats without the token do not keep a lease alive.
    for (let i = 0; i < 4; i++) {
      await clock.advance(1000);
      expect(await refused({ path: '/v1/instances/c1/heartbeat', method: 'PUT' })).toBe(401);
    }
    expect(await list()).toHaveLength(0);
    expect(discovery.registry.evictions).toBe(1);
  });
});

describe('discovery client', () => {
  const clients: DiscoveryClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
  });

  const setup = () => {
    const clock = new ManualClock();
    const a = createDiscoveryService({ identity, clock, stackToken: TOKEN });
    const b = createDiscoveryService({ identity: { ...identity, zone: 'us-east-1b', instanceId: 'discovery-us-east-1b-0' }, clock, stackToken: TOKEN });
    const down = new Set<string>();
    const fetch = appFetch({ 'http://discovery-a': a.app, 'http://discovery-b': b.app }, down);
    const client = (urls = ['http://discovery-a', 'http://discovery-b'], stackToken: string | undefined = TOKEN) => {
      const c = new DiscoveryClient({ discoveryUrls: urls, clock, fetch, refreshMs: 1000, heartbeatMs: 1000, ...(stackToken ? { stackToken } : {}) });
      clients.push(c);
      return c;
    };
    return { clock, a, b, down, client };
  };

  it('registers, keeps the lease alive with heartbeats, and finds instances zone-first', async () => {
    const { clock, a, client } = setup();
    await client().register(instance('c1', 'us-east-1a'));
    await client().register(instance('c2', 'us-east-1b'));
    const reader = client();
    await reader.start();
    await clock.advance(10_000);
    expect(a.registry.list().map((r) => r.instanceId).sort()).toEqual(['c1', 'c2']);
    expect(reader.lookup('catalog', 'us-east-1b').map((r) => r.instanceId)).toEqual(['c2', 'c1']);
  });

  it('keeps serving lookups from its cache while discovery is down', async () => {
    const { clock, down, client } = setup();
    await client().register(instance('c1', 'us-east-1a'));
    const reader = client(['http://discovery-a']);
    await reader.start();
    expect(reader.lookup('catalog')).toHaveLength(1);
    down.add('http://discovery-a');
    await clock.advance(5_000);
    expect(reader.lookup('catalog').map((r) => r.instanceId)).toEqual(['c1']);
    expect(await reader.refresh()).toBe(false);
  });

  it('reads the registry once for callers that ask for a refresh at the same time', async () => {
    const clock = new ManualClock();
    const service = createDiscoveryService({ identity, clock, stackToken: TOKEN });
    const inner = appFetch({ 'http://discovery-a': service.app });
    let reads = 0;
    const fetch: typeof globalThis.fetch = (input, init) => {
      if (String(input).endsWith('/v1/instances') && (init?.method ?? 'GET') === 'GET') reads++;
      return inner(input, init);
    };
    const client = new DiscoveryClient({ discoveryUrls: ['http://discovery-a'], clock, fetch, stackToken: TOKEN });
    clients.push(client);
    service.registry.register(instance('c1', 'us-east-1a'));
    expect(await Promise.all([client.refresh(), client.refresh(), client.refresh()])).toEqual([true, true, true]);
    expect(reads).toBe(1);
    expect(client.lookup('catalog').map((r) => r.instanceId)).toEqual(['c1']);
    // The next refresh reads again: nothing stays cached from a read that is over.
    await client.refresh();
    expect(reads).toBe(2);
  });

  it('registers with every discovery instance, so each holds the whole region', async () => {
    const { a, b, client } = setup();
    await client().register(instance('c1', 'us-east-1a'));
    expect(a.registry.list().map((r) => r.instanceId)).toEqual(['c1']);
    expect(b.registry.list().map((r) => r.instanceId)).toEqual(['c1']);
  });

  it('a restarted discovery instance copies its peers before serving', async () => {
    const { a, client } = setup();
    await client().register(instance('c1', 'us-east-1a'));
    await client().register(instance('c2', 'us-east-1b'));
    const clock = new ManualClock();
    const restarted = createDiscoveryService({ identity, clock, stackToken: TOKEN });
    const copied = await warmUpFromPeers(restarted.registry, ['http://discovery-a', 'http://dead'], {
      clock,
      fetch: appFetch({ 'http://discovery-a': a.app }),
    });
    expect(copied).toBe(2);
    expect(restarted.registry.list().map((r) => r.instanceId).sort()).toEqual(['c1', 'c2']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sends the stack token with what changes the registry: without it, nothing registers', async () => {
    const { clock, a, b, client } = setup();
    expect(await client(['http://discovery-a', 'http://discovery-b'], '').register(instance('c1', 'us-east-1a'))).toBe(false);
    await clock.advance(3_000);
    expect([...a.registry.list(), ...b.registry.list()]).toEqual([]);
    const registered = client();
    expect(await registered.register(instance('c2', 'us-east-1a'))).toBe(true);
    await clock.advance(10_000);
    expect(a.registry.list().map((r) => r.instanceId)).toEqual(['c2']);
    await registered.stop();
    clients.splice(clients.indexOf(registered), 1);
    expect(a.registry.list()).toEqual([]);
  });

  it('fails over to the next discovery instance', async () => {
    const { down, client, b } = setup();
    down.add('http://discovery-a');
    expect(await client().register(instance('c1', 'us-east-1a'))).toBe(true);
    expect(b.registry.list()).toHaveLength(1);
  });

  it('registers again after being evicted during an outage', async () => {
    const { clock, a, down, client } = setup();
    await client(['http://discovery-a']).register(instance('c1', 'us-east-1a'));
    down.add('http://discovery-a');
    await clock.advance(5_000);
    expect(a.registry.list()).toHaveLength(0);
    down.delete('http://discovery-a');
    await clock.advance(1_000);
    expect(a.registry.list().map((r) => r.instanceId)).toEqual(['c1']);
  });

  /** A discovery peer whose answers the test chooses: the registry, garbage, a body cut off, or one that stalls. */
  const unreliablePeer = () => {
    const clock = new ManualClock();
    let mode: 'registry' | 'garbage' | 'cut' | 'stall' = 'registry';
    let calls = 0;
    const body = (text: string, end: 'close' | 'error' | 'never') =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(text));
          // undici reports a connection that closed mid-body as TypeError('terminated').
          if (end === 'close') controller.close();
          else if (end === 'error') controller.error(new TypeError('terminated'));
        },
      });
    const fetch = (async (_input: string | URL | Request, init?: RequestInit) => {
      calls++;
      init?.signal?.throwIfAborted();
      const registry = JSON.stringify({ instances: [{ ...instance('c1', 'us-east-1a'), registeredAt: 0, renewedAt: 0 }] });
      const text = mode === 'garbage' ? '<html>502 Bad Gateway</html>' : registry;
      const end = mode === 'cut' ? 'error' : mode === 'stall' ? 'never' : 'close';
      return new Response(body(mode === 'cut' || mode === 'stall' ? text.slice(0, 20) : text, end), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }) as typeof globalThis.fetch;
    const c = new DiscoveryClient({ discoveryUrls: ['http://discovery-a'], clock, fetch, refreshMs: 1000, requestTimeoutMs: 500 });
    clients.push(c);
    return { clock, client: c, calls: () => calls, set: (next: typeof mode) => (mode = next) };
  };

  it('keeps its cache and leaves no rejection unhandled when discovery answers garbage or cuts the body', async () => {
    const peer = unreliablePeer();
    await peer.client.start();
    expect(peer.client.lookup('catalog').map((r) => r.instanceId)).toEqual(['c1']);
    for (const mode of ['garbage', 'cut'] as const) {
      peer.set(mode);
      expect(await peer.client.refresh(), mode).toBe(false);
      // The same answers on the client's own schedule: vitest fails the run on a rejection nobody handles.
      const before = peer.calls();
      await peer.clock.advance(1000);
      await vi.waitFor(() => expect(peer.calls()).toBeGreaterThan(before));
      await peer.clock.advance(1000);
      await vi.waitFor(() => expect(peer.calls()).toBeGreaterThan(before + 1));
      expect(peer.client.lookup('catalog').map((r) => r.instanceId), mode).toEqual(['c1']);
    }
  });

  it('gives up on a body that stalls after the request timeout, and keeps its cache', async () => {
    const peer = unreliablePeer();
    await peer.client.start();
    peer.set('stall');
    const refreshed = peer.client.refresh();
    await peer.clock.advance(500);
    expect(await refreshed).toBe(false);
    expect(peer.client.lookup('catalog')).toHaveLength(1);
  });

  it('leaves no timer after stop', async () => {
    const { clock, client } = setup();
    const c = client();
    await c.register(instance('c1', 'us-east-1a'));
    await c.start();
    await c.stop();
    clients.splice(clients.indexOf(c), 1);
    expect(clock.pendingTimers).toBe(0);
  });
});
