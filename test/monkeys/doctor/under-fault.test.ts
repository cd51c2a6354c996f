import { describe, expect, it } from 'vitest';
import type { Instance } from '../../../src/core/model.js';
import { instancesUnderFaults } from '../../../src/monkeys/doctor/under-fault.js';

const at = (id: string, region: string, zone: string, state: Instance['state'] = 'running'): Instance => ({ id, group: id.split('-')[0]!, region, zone, state, launchedAt: 0, tags: {} });

describe('instancesUnderFaults: what Doctor leaves alone', () => {
  it('covers an isolated zone as it stands now: an instance that started inside it after the fault began too', () => {
    // The zone outage recorded the instances running when it began; catalog-a1 was still starting then.
    const outage = { id: 'gorilla-1', kind: 'zone-outage' as const, targets: ['us-east/us-east-1a'], parameters: { region: 'us-east', zone: 'us-east-1a', instances: ['catalog-a0'] } };
    const inventory = [at('catalog-a0', 'us-east', 'us-east-1a'), at('catalog-a1', 'us-east', 'us-east-1a'), at('catalog-b0', 'us-east', 'us-east-1b')];
    expect([...instancesUnderFaults([outage], inventory, 1000)].sort()).toEqual(['catalog-a0', 'catalog-a1']);
  });

  it('covers every toxic, mild or not, and an evacuated region', () => {
    const mild = { id: 'latency-1', kind: 'latency' as const, targets: ['user-0'], parameters: { toxic: { type: 'latency', attributes: { latency: 50 } } } };
    const kong = { id: 'kong-1', kind: 'region-evacuation' as const, targets: ['eu-west'], parameters: { region: 'eu-west' } };
    const inventory = [at('user-0', 'us-east', 'a'), at('user-1', 'us-east', 'a'), at('user-2', 'eu-west', 'c')];
    expect([...instancesUnderFaults([mild, kong], inventory, 1000)].sort()).toEqual(['user-0', 'user-2']);
  });
});
