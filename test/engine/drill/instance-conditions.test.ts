import { describe, expect, it } from 'vitest';
import { conditionOf, instanceViews, mapAxes } from '../../../src/engine/drill/instance-conditions.js';
import type { AdminInstance } from '../../../src/reference-stack/stack/stack-admin-client.js';
import type { RecordedFault } from '../../../src/state/records.js';

const T0 = Date.UTC(2026, 0, 1);

function instance(id: string, service: string, region: string, zone: string, state = 'running', restarts?: number): AdminInstance {
  return { id, service, region, zone, state, launchedAt: T0, ...(restarts !== undefined ? { restarts } : {}) };
}

function recorded(fault: Pick<RecordedFault, 'id' | 'kind' | 'targets' | 'parameters'>): RecordedFault {
  return { ...fault, startedAt: T0, expiresAt: T0 + 300_000, group: 'g', monkey: 'm', provider: 'local', recordedAt: T0, revertIds: [] };
}

const zoneDown = recorded({ id: 'z', kind: 'zone-outage', targets: ['us-east/us-east-1a'], parameters: { region: 'us-east', zone: 'us-east-1a', instances: [] } });
// The same zone name in another region is another zone.
const otherRegionZone = recorded({ id: 'z2', kind: 'zone-outage', targets: ['eu-west/us-east-1b'], parameters: { region: 'eu-west', zone: 'us-east-1b', instances: [] } });
const slowUser = recorded({ id: 'l', kind: 'latency', targets: ['user-us-east-1b-0'], parameters: { toxic: { type: 'latency' } } });
const none = new Set<string>();

describe('conditionOf', () => {
  it('is down while the supervisor has it crashed, stopped or stopping, and replacing while it starts', () => {
    for (const state of ['crashed', 'stopped', 'stopping', 'exited']) expect(conditionOf(instance('a', 'user', 'us-east', 'us-east-1a', state), [], none)).toBe('down');
    expect(conditionOf(instance('a', 'user', 'us-east', 'us-east-1a', 'starting'), [], none)).toBe('replacing');
  });

  it('is isolated in a zone a zone outage holds, by region and zone', () => {
    expect(conditionOf(instance('a', 'user', 'us-east', 'us-east-1a'), [zoneDown, otherRegionZone], none)).toBe('isolated');
    expect(conditionOf(instance('b', 'user', 'us-east', 'us-east-1b'), [zoneDown, otherRegionZone], none)).toBe('up');
    // Down wins over isolated: the map shows what the supervisor sees first.
    expect(conditionOf(instance('a', 'user', 'us-east', 'us-east-1a', 'crashed'), [zoneDown], none)).toBe('down');
  });

  it('is slowed when a latency fault targets it, sick when its scrape failed, up otherwise', () => {
    expect(conditionOf(instance('user-us-east-1b-0', 'user', 'us-east', 'us-east-1b'), [slowUser], none)).toBe('slowed');
    expect(conditionOf(instance('user-us-east-1b-1', 'user', 'us-east', 'us-east-1b'), [slowUser], none)).toBe('up');
    expect(conditionOf(instance('user-us-east-1b-1', 'user', 'us-east', 'us-east-1b'), [slowUser], new Set(['user-us-east-1b-1']))).toBe('sick');
    expect(conditionOf(instance('user-us-east-1b-0', 'user', 'us-east', 'us-east-1b'), [], new Set(['other']))).toBe('up');
  });
});

describe('instanceViews', () => {
  it('keeps the inventory order, with conditions and restarts (0 when not told)', () => {
    const views = instanceViews([instance('b', 'user', 'us-east', 'us-east-1a', 'running', 2), instance('a', 'catalog', 'us-east', 'us-east-1b', 'starting')], [zoneDown], none);
    expect(views).toEqual([
      { id: 'b', service: 'user', region: 'us-east', zone: 'us-east-1a', condition: 'isolated', restarts: 2 },
      { id: 'a', service: 'catalog', region: 'us-east', zone: 'us-east-1b', condition: 'replacing', restarts: 0 },
    ]);
  });
});

describe('mapAxes', () => {
  it('lists regions, their zones and the services in the order the inventory first names them', () => {
    const axes = mapAxes([
      instance('1', 'gateway', 'us-east', 'us-east-1b'),
      instance('2', 'user', 'eu-west', 'eu-west-1a'),
      instance('3', 'gateway', 'us-east', 'us-east-1a'),
      instance('4', 'catalog', 'us-east', 'us-east-1b'),
      instance('5', 'user', 'eu-west', 'eu-west-1a'),
    ]);
    expect(axes).toEqual({
      regions: [
        { name: 'us-east', zones: ['us-east-1b', 'us-east-1a'] },
        { name: 'eu-west', zones: ['eu-west-1a'] },
      ],
      services: ['gateway', 'user', 'catalog'],
    });
    expect(mapAxes([])).toEqual({ regions: [], services: [] });
  });

  it('marks the front doors\' global placement, and only it, for the map to draw apart', () => {
    const axes = mapAxes([
      instance('gateway-us-east-1a-0', 'gateway', 'us-east', 'us-east-1a'),
      instance('frontdoor-global-0', 'frontdoor', 'global', 'global'),
      instance('frontdoor-global-1', 'frontdoor', 'global', 'global', 'crashed'),
    ]);
    expect(axes).toEqual({
      regions: [
        { name: 'us-east', zones: ['us-east-1a'] },
        { name: 'global', zones: ['global'], global: true },
      ],
      services: ['gateway', 'frontdoor'],
    });
  });
});
