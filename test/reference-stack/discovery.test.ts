import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { DiscoveryClient } from '../../src/reference-stack/discovery/discovery-client.js';
import { createDiscoveryService } from '../../src/reference-stack/discovery/discovery-service.js';
import { warmUpFromPeers } from '../../src/reference-stack/discovery/registry-warm-up.js';
import type { InstanceInfo } from '../../src/reference-stack/discovery/instance-registry.js';
import { appFetch } from '../support/app-fetch.js';

const identity = { service: 'discovery', region: 'us-east', zone: 'us-east-1a', instanceId: 'discovery-us-east-1a-0' } as const;
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
    const discovery = createDiscoveryService({ identity, clock, leaseMs: 3000 });
    const post = (body: unknown) =>
      discovery.app.request('/v1/instances', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
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
      expect((await discovery.app.request('/v1/instances/c1/heartbeat', { method: 'PUT' })).status).toBe(204);
    }
    expect((await list()).map((i) => i.instanceId)).toEqual(['c1']);
    expect(discovery.registry.evictions).toBe(1);
    expect((await discovery.app.request('/v1/instances/c2/heartbeat', { method: 'PUT' })).status).toBe(404);
    const metrics = await discovery.context.registry.metrics();
    expect(metrics).toMatch(/discovery_evictions\{[^}]*\} 1/);
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
    expect((await discovery.app.request('/v1/instances/c1', { method: 'DELETE' })).status).toBe(204);
    expect(await list()).toHaveLength(0);
  });
});

describe('discovery client', () => {
  const clients: DiscoveryClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.stop()));
  });

  const setup = () => {
    const clock = new ManualClock();
    const a = createDiscoveryService({ identity, clock });
    const b = createDiscoveryService({ identity: { ...identity, zone: 'us-east-1b', instanceId: 'discovery-us-east-1b-0' }, clock });
    const down = new Set<string>();
    const fetch = appFetch({ 'http://discovery-a': a.app, 'http://discovery-b': b.app }, down);
    const client = (urls = ['http://discovery-a', 'http://discovery-b']) => {
      const c = new DiscoveryClient({ discoveryUrls: urls, clock, fetch, refreshMs: 1000, heartbeatMs: 1000 });
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
    const restarted = createDiscoveryService({ identity, clock });
    const copied = await warmUpFromPeers(restarted.registry, ['http://discovery-a', 'http://dead'], {
      clock,
      fetch: appFetch({ 'http://discovery-a': a.app }),
    });
    expect(copied).toBe(2);
    expect(restarted.registry.list().map((r) => r.instanceId).sort()).toEqual(['c1', 'c2']);
    expect(clock.pendingTimers).toBe(0);
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
