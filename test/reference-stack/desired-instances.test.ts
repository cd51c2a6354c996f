import { describe, expect, it } from 'vitest';
import { desiredInstances } from '../../src/reference-stack/topology/desired-instances.js';
import { loadTopology, parseTopology } from '../../src/reference-stack/topology/topology.js';

describe('desired instances', () => {
  it('expands small into one slot per service and zone, plus two front doors', async () => {
    const slots = desiredInstances(await loadTopology('small'));
    expect(slots).toHaveLength(9 * 2 + 2);
    expect(slots.slice(0, 4).map((s) => s.id)).toEqual([
      'gateway-us-east-1a-0',
      'gateway-us-east-1b-0',
      'discovery-us-east-1a-0',
      'discovery-us-east-1b-0',
    ]);
    expect(slots.at(-2)).toMatchObject({ id: 'frontdoor-global-0', service: 'frontdoor', region: 'global', zone: 'global' });
    expect(slots.at(-1)).toMatchObject({ id: 'frontdoor-global-1', service: 'frontdoor', region: 'global', zone: 'global', index: 1 });
    expect(new Set(slots.map((s) => s.id)).size).toBe(slots.length);
    expect(slots.find((s) => s.id === 'catalog-us-east-1b-0')).toEqual({
      id: 'catalog-us-east-1b-0',
      service: 'catalog',
      region: 'us-east',
      zone: 'us-east-1b',
      index: 0,
      tags: { 'simian:service': 'catalog', 'simian:region': 'us-east', 'simian:zone': 'us-east-1b', 'simian:slot': '0' },
      config: {},
    });
  });

  it('expands default into 2 regions × 3 zones × 9 services', async () => {
    const slots = desiredInstances(await loadTopology('default'));
    expect(slots).toHaveLength(2 * 3 * 9 + 2);
    expect(slots.filter((s) => s.region === 'us-west' && s.service === 'billing').map((s) => s.zone)).toEqual([
      'us-west-2a',
      'us-west-2b',
      'us-west-2c',
    ]);
  });

  it('numbers several instances per zone, spreads per-region ones over the zones, and skips services at 0', () => {
    const topology = parseTopology(
      [
        'regions: [{ name: us-east, zones: [us-east-1a, us-east-1b] }]',
        'services:',
        '  catalog: { instancesPerZone: 2, tags: { chaos: opt-in }, config: { titles: 50 } }',
        '  gateway: { instancesPerRegion: 3 }',
        '  billing: { instancesPerZone: 0 }',
      ].join('\n'),
      'test.yaml',
    );
    const slots = desiredInstances(topology);
    expect(slots.map((s) => [s.id, s.zone])).toEqual([
      ['gateway-us-east-0', 'us-east-1a'],
      ['gateway-us-east-1', 'us-east-1b'],
      ['gateway-us-east-2', 'us-east-1a'],
      ['catalog-us-east-1a-0', 'us-east-1a'],
      ['catalog-us-east-1a-1', 'us-east-1a'],
      ['catalog-us-east-1b-0', 'us-east-1b'],
      ['catalog-us-east-1b-1', 'us-east-1b'],
    ]);
    expect(slots[4]).toMatchObject({ index: 1, tags: { chaos: 'opt-in', 'simian:slot': '1' }, config: { titles: 50 } });
  });
});
