import { describe, expect, it } from 'vitest';
import { describeFault } from '../../../src/engine/drill/fault-description.js';

describe('describeFault', () => {
  it('says each kind of fault in a few words', () => {
    expect(describeFault({ kind: 'terminate', targets: ['gateway-us-east-1a-0', 'user-us-east-1a-0'], parameters: {} }, 'gateway')).toBe('killed gateway-us-east-1a-0, user-us-east-1a-0');
    expect(describeFault({ kind: 'stop', targets: ['user-us-east-1a-0'], parameters: {} }, 'user')).toBe('stopped user-us-east-1a-0');
    expect(describeFault({ kind: 'zone-outage', targets: ['us-east/us-east-1a'], parameters: {} }, 'zone:us-east/us-east-1a')).toBe('zone us-east/us-east-1a down');
    expect(describeFault({ kind: 'region-evacuation', targets: ['eu-west'], parameters: {} }, 'region:eu-west')).toBe('region eu-west evacuated');
    expect(describeFault({ kind: 'latency', targets: ['playback-a', 'playback-b'], parameters: { toxic: { type: 'latency', attributes: { latency: 500 } } } }, 'playback')).toBe('+500ms on playback (2 instances)');
    expect(describeFault({ kind: 'latency', targets: ['playback-a'], parameters: {} }, 'playback')).toBe('latency on playback (1 instance)');
    expect(describeFault({ kind: 'bandwidth', targets: ['x'], parameters: {} }, 'catalog')).toBe('bandwidth on catalog');
  });
});
