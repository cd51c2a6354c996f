import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { SeededRandom } from '../../src/core/random.js';
import { LocalProvider, type AdminInstance } from '../../src/providers/local/local-provider.js';
import { Cleanup, evacuatedRegions, fakeStackAdmin, httpUpstream, portOf, STACK_TOKEN, startFrontDoor, startToxiproxy, timedGet, toxicsOf, tryConnect } from './toxiproxy/fixtures.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function slot(id: string, service: string, region: string, zone: string, state = 'running'): AdminInstance {
  return { id, service, region, zone, pid: 1, address: null, launchedAt: 1000, tags: {}, state, restarts: 0 };
}

// A stack as the real one names it: region `us-east`, zones `us-east-1a/b`, a per-region gateway placed in zone a.
const SLOTS: AdminInstance[] = [
  slot('catalog-us-east-1a-0', 'catalog', 'us-east', 'us-east-1a'),
  slot('catalog-us-east-1b-0', 'catalog', 'us-east', 'us-east-1b'),
  slot('gateway-us-east-0', 'gateway', 'us-east', 'us-east-1a'),
  slot('billing-us-east-1a-0', 'billing', 'us-east', 'us-east-1a', 'crashed'),
  slot('catalog-us-west-2a-0', 'catalog', 'us-west', 'us-west-2a'),
  slot('frontdoor-global-0', 'frontdoor', 'global', 'global'),
];

/** A fake stack admin API and the embedded toxiproxy with a proxy per slot, each before its own upstream. */
async function setup(options: { frontDoor?: boolean } = {}) {
  const { server, client } = await startToxiproxy(cleanup);
  const ports = new Map<string, number>();
  for (const { id } of SLOTS) {
    const proxy = await client.createProxy({ name: id, listen: '127.0.0.1:0', upstream: await httpUpstream(cleanup, id) });
    ports.set(id, portOf(proxy.listen));
  }
  const adminUrl = await fakeStackAdmin(cleanup, SLOTS);
  const frontDoorUrl = options.frontDoor ? (await startFrontDoor(cleanup, ['us-east', 'us-west'])).url : undefined;
  const make = () =>
    new LocalProvider({ adminUrl, toxiproxyUrl: server.url, random: new SeededRandom(5), stackToken: STACK_TOKEN, ...(frontDoorUrl ? { trafficShiftUrl: frontDoorUrl } : {}) });
  return { client, ports, adminUrl, frontDoorUrl, toxiproxyUrl: server.url, provider: make(), make };
}

async function answers(port: number, body: string): Promise<void> {
  expect((await timedGet(port)).body).toBe(body);
}

describe('LocalProvider reversible faults', () => {
  it('adds a latency toxic to an instance through its proxy; revert by id from a new provider removes it', async () => {
    const { client, ports, provider, make } = await setup();
    const instance = (await provider.inventory.instances()).find((i) => i.id === 'catalog-us-east-1b-0')!;
    const handle = await provider.actuator.addToxic({ instance }, { type: 'latency', attributes: { latency: 250 } });
    expect(handle.id).toMatch(/^toxic:catalog-us-east-1b-0:simian-/);
    expect((await timedGet(ports.get(instance.id)!)).ms).toBeGreaterThanOrEqual(200);
    expect(await toxicsOf(client, 'catalog-us-west-2a-0')).toEqual([]);

    await make().actuator.revert(handle.id);
    expect(await toxicsOf(client, instance.id)).toEqual([]);
    await handle.revert();
    await make().actuator.revert(handle.id);
  });

  it('takes a named proxy down and back up on the same port', async () => {
    const { ports, provider } = await setup();
    const handle = await provider.actuator.addToxic({ proxy: 'catalog-us-west-2a-0' }, { type: 'down' });
    expect(await tryConnect(ports.get('catalog-us-west-2a-0')!)).toBe('ECONNREFUSED');
    await provider.actuator.revert(handle.id);
    await answers(ports.get('catalog-us-west-2a-0')!, 'catalog-us-west-2a-0');
  });

  it("isolates a zone: every slot of that zone and region goes dark, nothing else; revert brings them back", async () => {
    const { ports, provider, make } = await setup();
    const handle = await provider.actuator.isolateZone({ name: 'us-east-1a', region: 'us-east' });
    const isolated = ['catalog-us-east-1a-0', 'gateway-us-east-0', 'billing-us-east-1a-0'];
    expect(handle.id).toBe(`proxies-down:${isolated.join(',')}`);
    for (const id of isolated) expect(await tryConnect(ports.get(id)!), id).toBe('ECONNREFUSED');
    for (const id of ['catalog-us-east-1b-0', 'catalog-us-west-2a-0', 'frontdoor-global-0']) await answers(ports.get(id)!, id);

    await make().actuator.revert(handle.id);
    for (const id of isolated) await answers(ports.get(id)!, id);
    await handle.revert();
  });

  it('never isolates the global zone, and says provider.notFound for a zone without instances', async () => {
    const { ports, provider } = await setup();
    for (const zone of [{ name: 'global', region: 'global' }, { name: 'global', region: 'us-east' }]) {
      const error = await provider.actuator.isolateZone(zone).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.unsupported')).toBe(true);
    }
    await answers(ports.get('frontdoor-global-0')!, 'frontdoor-global-0');
    // The zone exists, but not in that region: zone and region must both match.
    const mismatch = await provider.actuator.isolateZone({ name: 'us-east-1a', region: 'us-west' }).catch((e: unknown) => e);
    expect(isSimianError(mismatch, 'provider.notFound')).toBe(true);
    await answers(ports.get('catalog-us-east-1a-0')!, 'catalog-us-east-1a-0');
  });

  it('evacuates a region through the real front door; revert restores it; an unknown region is provider.unknownRegion', async () => {
    const { provider, make, frontDoorUrl } = await setup({ frontDoor: true });
    const handle = await provider.actuator.evacuateRegion({ name: 'us-east' });
    expect(handle.id).toBe('evacuate:us-east');
    expect(await evacuatedRegions(frontDoorUrl!)).toEqual({ 'us-east': true, 'us-west': false });
    await make().actuator.revert(handle.id);
    expect(await evacuatedRegions(frontDoorUrl!)).toEqual({ 'us-east': false, 'us-west': false });
    await handle.revert();

    const unknown = await provider.actuator.evacuateRegion({ name: 'eu-central' }).catch((e: unknown) => e);
    expect(isSimianError(unknown, 'provider.unknownRegion')).toBe(true);
    // The front door no longer knowing a region means nothing there is evacuated: reverting is harmless.
    await provider.actuator.revert('evacuate:eu-central');
  });

  it('says provider.unsupported, naming what is missing, without toxiproxyUrl or trafficShiftUrl', async () => {
    const { adminUrl } = await setup();
    const { actuator, inventory } = new LocalProvider({ adminUrl });
    const [instance] = await inventory.instances();
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => actuator.addToxic({ instance: instance! }, { type: 'latency', attributes: { latency: 1 } }), 'toxiproxyUrl'],
      [() => actuator.isolateZone({ name: 'us-east-1a', region: 'us-east' }), 'toxiproxyUrl'],
      [() => actuator.revert('toxic:catalog-us-east-1a-0:simian-x'), 'toxiproxyUrl'],
      [() => actuator.revert('proxies-down:catalog-us-east-1a-0'), 'toxiproxyUrl'],
      [() => actuator.evacuateRegion({ name: 'us-east' }), 'trafficShiftUrl'],
      [() => actuator.revert('evacuate:us-east'), 'trafficShiftUrl'],
    ];
    for (const [call, missing] of cases) {
      const error = await call().catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.unsupported')).toBe(true);
      expect((error as Error).message).toContain(missing);
    }
  });
});
