import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import type { Instance } from '../../src/core/model.js';
import { SeededRandom } from '../../src/core/random.js';
import { MemoryProvider } from '../../src/providers/memory/memory-provider.js';
import { randomInventory } from '../../src/providers/memory/random-inventory.js';
import { matchesInstanceFilter } from '../../src/providers/provider.js';

function inst(id: string, group: string, zone: string, state: Instance['state'] = 'running'): Instance {
  return { id, group, region: zone.slice(0, -2), zone, state, launchedAt: 0, tags: {} };
}

const instances = [
  inst('a1', 'api', 'eu-1-a'),
  inst('a2', 'api', 'eu-1-b'),
  inst('w1', 'web', 'eu-1-a', 'stopped'),
  inst('x1', 'api', 'us-1-a'),
];

describe('MemoryProvider inventory', () => {
  it('derives groups, zones and regions from the seeded instances', async () => {
    const p = new MemoryProvider({ instances, groupTags: { api: { team: 'core' } } });
    expect(p.name).toBe('memory');
    const groups = await p.inventory.groups();
    expect(groups.map((g) => [g.name, g.instances.map((i) => i.id), g.tags])).toEqual([
      ['api', ['a1', 'a2', 'x1'], { team: 'core' }],
      ['web', ['w1'], {}],
    ]);
    expect((await p.inventory.zones()).map((z) => z.name)).toEqual(['eu-1-a', 'eu-1-b', 'us-1-a']);
    expect(await p.inventory.regions()).toEqual([{ name: 'eu-1' }, { name: 'us-1' }]);
  });

  it('filters instances by group, zone, region and state', async () => {
    const p = new MemoryProvider({ instances });
    const ids = async (f: Parameters<typeof p.inventory.instances>[0]) => (await p.inventory.instances(f)).map((i) => i.id);
    expect(await ids(undefined)).toEqual(['a1', 'a2', 'w1', 'x1']);
    expect(await ids({ group: 'api', zone: 'eu-1-a' })).toEqual(['a1']);
    expect(await ids({ region: 'eu-1', states: ['running'] })).toEqual(['a1', 'a2']);
    expect(matchesInstanceFilter(instances[2]!, { states: ['stopped'] })).toBe(true);
  });

  it('rejects duplicate instance ids', () => {
    expect(() => new MemoryProvider({ instances: [instances[0]!, instances[0]!] })).toThrow(/twice/);
  });
});

describe('MemoryProvider actuator', () => {
  it('records every call and changes instance state', async () => {
    const p = new MemoryProvider({ instances });
    await p.actuator.terminate(instances[0]!);
    await p.actuator.terminate(instances[1]!, { signal: 'SIGTERM' });
    await p.actuator.stop(instances[3]!);
    expect(p.calls).toEqual([
      { method: 'terminate', instanceId: 'a1', signal: 'SIGKILL', ok: true },
      { method: 'terminate', instanceId: 'a2', signal: 'SIGTERM', ok: true },
      { method: 'stop', instanceId: 'x1', ok: true },
    ]);
    expect((await p.inventory.instances()).map((i) => i.state)).toEqual(['terminated', 'terminated', 'stopped', 'stopped']);
  });

  it('hands out revert handles, revertable by handle or by id, and lists what is still active', async () => {
    const p = new MemoryProvider({ instances });
    const zone = await p.actuator.isolateZone({ name: 'eu-1-a', region: 'eu-1' });
    const region = await p.actuator.evacuateRegion({ name: 'us-1' });
    const toxic = await p.actuator.addToxic({ instance: instances[0]! }, { type: 'latency', attributes: { latency: 500 } });
    await p.actuator.addToxic({ proxy: 'billing' }, { type: 'down' });
    expect(new Set([zone.id, region.id, toxic.id]).size).toBe(3);
    expect(p.activeActions().map((a) => a.target)).toEqual(['eu-1-a', 'us-1', 'a1', 'billing']);
    await zone.revert();
    await p.actuator.revert(region.id);
    await p.actuator.revert(region.id); // twice is harmless
    await toxic.revert();
    expect(p.activeActions().map((a) => a.target)).toEqual(['billing']);
    expect(p.calls.filter((c) => c.method === 'revert')).toHaveLength(4);
  });

  it('fails on request: once with failNext, always with failAlways, and logs the failed attempt', async () => {
    const p = new MemoryProvider({ instances });
    const boom = new Error('boom');
    p.failNext('terminate', boom);
    await expect(p.actuator.terminate(instances[0]!)).rejects.toBe(boom);
    await p.actuator.terminate(instances[0]!);
    p.failAlways('isolateZone');
    const zone = { name: 'eu-1-a', region: 'eu-1' };
    for (let i = 0; i < 2; i++) {
      const error = await p.actuator.isolateZone(zone).catch((e: unknown) => e);
      expect(isSimianError(error, 'memory.injectedFailure')).toBe(true);
    }
    p.failAlways('instances');
    await expect(p.inventory.instances()).rejects.toThrow(/instances/);
    p.clearFailures();
    await expect(p.inventory.instances()).resolves.toHaveLength(4);
    expect(p.calls.map((c) => `${c.method}:${c.ok}`)).toEqual([
      'terminate:false',
      'terminate:true',
      'isolateZone:false',
      'isolateZone:false',
    ]);
    expect(p.activeActions()).toEqual([]);
    // A failed attempt left the instance as it was.
    expect((await p.inventory.instances({ group: 'api' }))[0]!.state).toBe('terminated');
  });

  it('refuses to terminate an instance it does not have, and logs the attempt', async () => {
    const p = new MemoryProvider({ instances });
    await expect(p.actuator.terminate(inst('ghost', 'api', 'eu-1-a'))).rejects.toThrow(/ghost/);
    expect(p.calls).toEqual([{ method: 'terminate', instanceId: 'ghost', signal: 'SIGKILL', ok: false }]);
  });
});

describe('randomInventory', () => {
  it('is reproducible from a seed and consistent (zones in their region, unique ids)', () => {
    for (let seed = 0; seed < 50; seed++) {
      const a = randomInventory(new SeededRandom(seed));
      expect(randomInventory(new SeededRandom(seed))).toEqual(a);
      const zones = new Map(a.zones!.map((z) => [z.name, z.region]));
      for (const i of a.instances) expect(zones.get(i.zone)).toBe(i.region);
      expect(new Set(a.instances.map((i) => i.id)).size).toBe(a.instances.length);
      expect(() => new MemoryProvider(a)).not.toThrow();
    }
  });
});
