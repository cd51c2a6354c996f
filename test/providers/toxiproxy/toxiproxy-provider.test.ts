import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { SeededRandom } from '../../../src/core/random.js';
import { HttpTrafficShift } from '../../../src/providers/toxiproxy/http-traffic-shift.js';
import { placementFromName } from '../../../src/providers/toxiproxy/proxy-placement.js';
import { ToxiproxyProvider, UPSTREAM_TAG } from '../../../src/providers/toxiproxy/toxiproxy-provider.js';
import { Cleanup, evacuatedRegions, httpUpstream, portOf, STACK_TOKEN, startFrontDoor, startToxiproxy, timedGet, toxicsOf, tryConnect } from './fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const NAMES = ['catalog-us-east-1a-0', 'catalog-us-east-1b-0', 'user-us-east-1a-0', 'frontdoor-global-0', 'redis-2'];

/** The embedded server with one proxy per name, each in front of its own upstream; redis-2 starts disabled. */
async function setup() {
  const { server, client } = await startToxiproxy(cleanup);
  const ports = new Map<string, number>();
  for (const name of NAMES) {
    const proxy = await client.createProxy({ name, listen: '127.0.0.1:0', upstream: await httpUpstream(cleanup, name), enabled: name !== 'redis-2' });
    ports.set(name, portOf(proxy.listen));
  }
  const provider = new ToxiproxyProvider({ url: server.url, random: new SeededRandom(3) });
  return { server, client, ports, provider };
}

describe('placementFromName', () => {
  it('reads service, zone and region from stack slot ids, and strips a copy number otherwise', () => {
    expect(placementFromName('catalog-us-east-1a-0')).toEqual({ group: 'catalog', zone: 'us-east-1a', region: 'us-east-1' });
    expect(placementFromName('edge-ap-southeast-2b-12')).toEqual({ group: 'edge', zone: 'ap-southeast-2b', region: 'ap-southeast-2' });
    expect(placementFromName('frontdoor-global-0')).toEqual({ group: 'frontdoor', zone: 'global', region: 'global' });
    expect(placementFromName('gateway-us-east-0')).toEqual({ group: 'gateway-us-east', zone: 'unknown', region: 'unknown' });
    expect(placementFromName('redis-2')).toEqual({ group: 'redis', zone: 'unknown', region: 'unknown' });
    expect(placementFromName('redis')).toEqual({ group: 'redis', zone: 'unknown', region: 'unknown' });
  });
});

describe('ToxiproxyProvider', () => {
  it('lists the real proxies as instances, grouped and placed by name', async () => {
    const { ports, provider } = await setup();
    expect(provider.name).toBe('toxiproxy');
    const instances = await provider.inventory.instances();
    expect(instances.map((i) => i.id).sort()).toEqual([...NAMES].sort());
    const catalog = instances.find((i) => i.id === 'catalog-us-east-1a-0')!;
    expect(catalog).toMatchObject({
      group: 'catalog',
      zone: 'us-east-1a',
      region: 'us-east-1',
      state: 'running',
      address: `http://127.0.0.1:${ports.get('catalog-us-east-1a-0')}`,
      tags: { 'simian/opt-in': 'true' },
    });
    expect(catalog.tags[UPSTREAM_TAG]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(instances.find((i) => i.id === 'redis-2')).toMatchObject({ group: 'redis', zone: 'unknown', region: 'unknown', state: 'stopped' });

    const groups = await provider.inventory.groups();
    expect(Object.fromEntries(groups.map((g) => [g.name, g.instances.map((i) => i.id).sort()]))).toEqual({
      catalog: ['catalog-us-east-1a-0', 'catalog-us-east-1b-0'],
      user: ['user-us-east-1a-0'],
      frontdoor: ['frontdoor-global-0'],
      redis: ['redis-2'],
    });
    expect((await provider.inventory.instances({ zone: 'us-east-1a' })).map((i) => i.id).sort()).toEqual(['catalog-us-east-1a-0', 'user-us-east-1a-0']);
    expect(new Set((await provider.inventory.zones()).map((z) => `${z.region}/${z.name}`))).toEqual(new Set(['us-east-1/us-east-1a', 'us-east-1/us-east-1b', 'global/global']));
    expect(new Set((await provider.inventory.regions()).map((r) => r.name))).toEqual(new Set(['us-east-1', 'global']));
  });

  it('cannot terminate or stop a proxy', async () => {
    const { provider } = await setup();
    const [instance] = await provider.inventory.instances();
    for (const call of [() => provider.actuator.terminate(instance!), () => provider.actuator.stop(instance!)]) {
      const error = await call().catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.unsupported')).toBe(true);
    }
  });

  it('adds a toxic on an instance (its proxy) and reverts it by id from a new provider, as after a restart', async () => {
    const { server, client, ports, provider } = await setup();
    const instance = (await provider.inventory.instances()).find((i) => i.id === 'catalog-us-east-1b-0')!;
    const handle = await provider.actuator.addToxic({ instance }, { type: 'latency', attributes: { latency: 200 } });
    expect(handle.id).toMatch(/^toxic:catalog-us-east-1b-0:simian-[0-9a-z]{12}$/);
    expect(await toxicsOf(client, instance.id)).toHaveLength(1);
    expect((await timedGet(ports.get(instance.id)!)).ms).toBeGreaterThanOrEqual(150);

    const restarted = new ToxiproxyProvider({ url: server.url });
    await restarted.actuator.revert(handle.id);
    expect(await toxicsOf(client, instance.id)).toEqual([]);
    await restarted.actuator.revert(handle.id);
    await handle.revert();
  });

  it('isolates a zone by disabling its proxies only, and restores them on the same ports', async () => {
    const { ports, provider } = await setup();
    const handle = await provider.actuator.isolateZone({ name: 'us-east-1a', region: 'us-east-1' });
    expect(handle.id).toBe('proxies-down:catalog-us-east-1a-0,user-us-east-1a-0');
    expect(await tryConnect(ports.get('catalog-us-east-1a-0')!)).toBe('ECONNREFUSED');
    expect(await tryConnect(ports.get('user-us-east-1a-0')!)).toBe('ECONNREFUSED');
    expect((await timedGet(ports.get('catalog-us-east-1b-0')!)).body).toBe('catalog-us-east-1b-0');
    expect((await provider.inventory.instances({ states: ['stopped'] })).map((i) => i.id).sort()).toEqual(['catalog-us-east-1a-0', 'redis-2', 'user-us-east-1a-0']);

    await new ToxiproxyProvider({ url: (provider.toxiproxy.url) }).actuator.revert(handle.id);
    expect((await timedGet(ports.get('catalog-us-east-1a-0')!)).body).toBe('catalog-us-east-1a-0');
    expect((await timedGet(ports.get('user-us-east-1a-0')!)).body).toBe('user-us-east-1a-0');
    // redis-2 was down before and was not this fault's to bring up.
    expect(await tryConnect(ports.get('redis-2')!)).toBe('ECONNREFUSED');
  });

  it('refuses the global and unknown zones, and says provider.notFound for an empty zone', async () => {
    const { ports, provider } = await setup();
    for (const zone of [{ name: 'global', region: 'global' }, { name: 'unknown', region: 'unknown' }]) {
      const error = await provider.actuator.isolateZone(zone).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.unsupported')).toBe(true);
    }
    expect(await tryConnect(ports.get('frontdoor-global-0')!)).toBeUndefined();
    const empty = await provider.actuator.isolateZone({ name: 'us-east-1c', region: 'us-east-1' }).catch((e: unknown) => e);
    expect(isSimianError(empty, 'provider.notFound')).toBe(true);
  });

  it('evacuates a region only with a traffic shift', async () => {
    const { server, provider } = await setup();
    const without = await provider.actuator.evacuateRegion({ name: 'us-east' }).catch((e: unknown) => e);
    expect(isSimianError(without, 'provider.unsupported')).toBe(true);
    const withoutRevert = await provider.actuator.revert('evacuate:us-east').catch((e: unknown) => e);
    expect(isSimianError(withoutRevert, 'provider.unsupported')).toBe(true);

    const { url } = await startFrontDoor(cleanup, ['us-east', 'us-west']);
    const shifting = new ToxiproxyProvider({ url: server.url, trafficShift: new HttpTrafficShift(url, { token: STACK_TOKEN }) });
    const handle = await shifting.actuator.evacuateRegion({ name: 'us-east' });
    expect(handle.id).toBe('evacuate:us-east');
    expect(await evacuatedRegions(url)).toEqual({ 'us-east': true, 'us-west': false });
    await handle.revert();
    expect(await evacuatedRegions(url)).toEqual({ 'us-east': false, 'us-west': false });
  });

  it('says provider.badRevertId for an id it cannot read', async () => {
    const { provider } = await setup();
    const error = await provider.actuator.revert('i-123').catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.badRevertId')).toBe(true);
  });
});
