import { describe, expect, it } from 'vitest';
import type { InstanceCondition, InstanceView } from '../../../src/engine/drill/drill-controls.js';
import { previewFault } from '../../../src/engine/drill/fault-previews.js';

function view(id: string, condition: InstanceCondition = 'up'): InstanceView {
  const [service, region, zone] = id.split(':') as [string, string, string];
  return { id: `${service}-${zone}`, service, region, zone, condition, restarts: 0 };
}

/** us-east has two zones, eu-west one; the front door is global. */
const stack: InstanceView[] = [
  view('frontdoor:global:global'),
  view('gateway:us-east:us-east-1a'),
  view('gateway:us-east:us-east-1b'),
  view('playback:us-east:us-east-1a'),
  view('playback:us-east:us-east-1b', 'slowed'),
  view('user:us-east:us-east-1b', 'down'),
  view('gateway:eu-west:eu-west-1a'),
  view('playback:eu-west:eu-west-1a', 'sick'),
];

const FIVE_MINUTES = 300_000;

describe('previewFault', () => {
  it('names the instance Chaos Monkey kills, its peers in the region, and how many stay serving', () => {
    expect(previewFault({ kind: 'chaos', instance: 'playback-us-east-1a' }, stack, FIVE_MINUTES)).toEqual({
      action: { kind: 'chaos', instance: 'playback-us-east-1a' },
      title: 'Chaos Monkey: kill playback-us-east-1a',
      target: 'playback-us-east-1a (playback in us-east/us-east-1a)',
      blastRadius: '1 of 2 playback instances in us-east, killed with SIGKILL',
      healthyLeft: '1 playback instance left serving in us-east',
    });
  });

  it('says so when the instance is not on the map', () => {
    expect(previewFault({ kind: 'chaos', instance: 'ghost-0' }, stack, FIVE_MINUTES)).toMatchObject({ target: 'ghost-0', blastRadius: '1 instance', healthyLeft: 'unknown: the instance is not on the map' });
  });

  it('counts what serves for a random kill: down instances are not serving', () => {
    expect(previewFault({ kind: 'chaos' }, stack, FIVE_MINUTES)).toMatchObject({
      title: 'Chaos Monkey: kill a random instance',
      target: 'one instance of a service the blast radius allows (3 services up)',
      healthyLeft: '6 instances of 7 keep serving',
    });
  });

  it('never says fewer than none are left serving', () => {
    expect(previewFault({ kind: 'chaos' }, [], FIVE_MINUTES)).toMatchObject({ target: 'one instance of a service the blast radius allows (0 services up)', healthyLeft: '0 instances of 0 keep serving' });
  });

  it('counts a zone outage within its region and names the zones left, for how long', () => {
    expect(previewFault({ kind: 'zone', region: 'us-east', zone: 'us-east-1a' }, stack, FIVE_MINUTES)).toEqual({
      action: { kind: 'zone', region: 'us-east', zone: 'us-east-1a' },
      title: 'Chaos Gorilla: take zone us-east/us-east-1a down',
      target: 'every instance in us-east/us-east-1a: its proxies refuse connections',
      blastRadius: '2 instances of 4 in us-east',
      healthyLeft: '2 instances in us-east-1b',
      duration: '5m',
    });
  });

  it("warns when the zone is its region's only one", () => {
    expect(previewFault({ kind: 'zone', region: 'eu-west', zone: 'eu-west-1a' }, stack, 90_000)).toMatchObject({
      blastRadius: '2 instances of 2 in eu-west',
      healthyLeft: "none in eu-west: it is the region's only zone",
      duration: '1m30s',
    });
  });

  it('names the regions left for an evacuation, not the global front door, and warns about the last region', () => {
    expect(previewFault({ kind: 'region', region: 'us-east' }, stack, FIVE_MINUTES)).toEqual({
      action: { kind: 'region', region: 'us-east' },
      title: 'Chaos Kong: evacuate region us-east',
      target: "the front door sends us-east's viewers elsewhere",
      blastRadius: "all of us-east's traffic (4 instances stop getting viewers)",
      healthyLeft: 'eu-west serve every viewer',
      duration: '5m',
    });
    const oneRegion = stack.filter((i) => i.region !== 'eu-west');
    expect(previewFault({ kind: 'region', region: 'us-east' }, oneRegion, FIVE_MINUTES).healthyLeft).toBe('no other region: the safety pipeline refuses to evacuate the last one');
  });

  it('counts the instances a latency fault slows', () => {
    expect(previewFault({ kind: 'latency', service: 'playback', latencyMs: 500 }, stack, 60_000)).toEqual({
      action: { kind: 'latency', service: 'playback', latencyMs: 500 },
      title: 'Latency Monkey: +500ms on playback',
      target: 'every playback instance, through its fault proxy',
      blastRadius: '3 playback instances answer 500ms slower',
      healthyLeft: "every other service; playback's callers time out and fall back if it is too slow",
      duration: '1m',
    });
    expect(previewFault({ kind: 'latency', service: 'user', latencyMs: 100 }, stack, 60_000).blastRadius).toBe('0 user instances answer 100ms slower');
  });
});
