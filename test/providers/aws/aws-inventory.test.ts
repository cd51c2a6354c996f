/**
 * The AWS provider's inventory against the loopback fake EC2 endpoint, through the real SDK: grouping, zones,
 * regions, pagination and state mapping.
 */
import { describe, expect, it } from 'vitest';
import { AwsProvider } from '../../../src/providers/aws/aws-provider.js';
import { ASG_TAG } from '../../../src/providers/aws/instance-mapping.js';
import { fakeInstanceId, ImmediateClock, useFakeEc2, type FakeInstanceSpec, type FakeEc2Endpoint } from '../../support/fake-ec2-endpoint.js';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsProviderOptions } from '../../../src/providers/aws/aws-provider.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();

function asgInstance(n: number, asg: string, zone: string, extra: Partial<FakeInstanceSpec> = {}): FakeInstanceSpec {
  return { id: fakeInstanceId(n), zone, tags: { [ASG_TAG]: asg, 'simian/opt-in': 'true', ...extra.tags }, ...extra };
}

async function provider(instances: FakeInstanceSpec[], options: Partial<AwsProviderOptions> = {}): Promise<{ aws: AwsProvider; fake: FakeEc2Endpoint; client: EC2Client }> {
  const { fake, client } = await startFake({ instances });
  return { aws: new AwsProvider({ client, region: fake.region, clock: new ImmediateClock(), ...options }), fake, client };
}

describe('AwsProvider inventory', () => {
  it('groups instances by their Auto Scaling group and maps every field', async () => {
    const { aws } = await provider([
      asgInstance(1, 'web', 'us-east-1a', { privateIp: '10.0.1.5', launchTime: '2026-03-01T12:00:00.000Z' }),
      asgInstance(2, 'web', 'us-east-1b'),
      asgInstance(3, 'api', 'us-east-1a'),
      { id: fakeInstanceId(4), zone: 'us-east-1a', tags: { Name: 'bastion' } },
    ]);
    const groups = await aws.inventory.groups();
    expect(groups.map((g) => [g.name, g.instances.map((i) => i.id)])).toEqual([
      ['web', [fakeInstanceId(1), fakeInstanceId(2)]],
      ['api', [fakeInstanceId(3)]],
    ]);
    expect(groups.every((g) => g.region === 'us-east-1')).toBe(true);
    expect(groups[0]?.instances[0]).toEqual({
      id: fakeInstanceId(1),
      group: 'web',
      region: 'us-east-1',
      zone: 'us-east-1a',
      state: 'running',
      launchedAt: Date.parse('2026-03-01T12:00:00.000Z'),
      address: '10.0.1.5',
      tags: { [ASG_TAG]: 'web', 'simian/opt-in': 'true' },
    });
    expect(groups[0]?.instances[1]?.address).toBeUndefined();
  });

  it('leaves instances without the group tag out of groups and instances', async () => {
    const { aws, fake } = await provider([asgInstance(1, 'web', 'us-east-1a'), { id: fakeInstanceId(2), zone: 'us-east-1b', tags: { 'simian/opt-in': 'true' } }]);
    expect((await aws.inventory.instances()).map((i) => i.id)).toEqual([fakeInstanceId(1)]);
    // EC2 does the filtering: ungrouped and terminated instances are not even sent.
    expect(fake.calls('DescribeInstances')[0]?.filters).toEqual([
      { name: 'instance-state-name', values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] },
      { name: 'tag-key', values: [ASG_TAG] },
    ]);
  });

  it('groups by a chosen tag instead', async () => {
    const { aws } = await provider(
      [
        { id: fakeInstanceId(1), zone: 'us-east-1a', tags: { service: 'catalog', [ASG_TAG]: 'asg-1' } },
        { id: fakeInstanceId(2), zone: 'us-east-1b', tags: { service: 'catalog', [ASG_TAG]: 'asg-2' } },
        { id: fakeInstanceId(3), zone: 'us-east-1a', tags: { service: 'billing' } },
        { id: fakeInstanceId(4), zone: 'us-east-1a', tags: { [ASG_TAG]: 'asg-3' } },
      ],
      { groupBy: { kind: 'tag', key: 'service' } },
    );
    const groups = await aws.inventory.groups();
    expect(groups.map((g) => [g.name, g.instances.length])).toEqual([
      ['catalog', 2],
      ['billing', 1],
    ]);
  });

  it('derives zones from the instances and the region from the client', async () => {
    const { aws } = await provider([asgInstance(1, 'web', 'us-east-1c'), asgInstance(2, 'web', 'us-east-1a'), asgInstance(3, 'api', 'us-east-1a')]);
    expect(await aws.inventory.zones()).toEqual([
      { name: 'us-east-1a', region: 'us-east-1' },
      { name: 'us-east-1c', region: 'us-east-1' },
    ]);
    expect(await aws.inventory.regions()).toEqual([{ name: 'us-east-1' }]);
  });

  it('follows NextToken over more instances than MaxResults', async () => {
    const fleet = Array.from({ length: 23 }, (_, i) => asgInstance(i + 1, `asg-${i % 3}`, `us-east-1${'abc'[i % 3]}`));
    const { aws, fake } = await provider(fleet, { pageSize: 5 });
    const instances = await aws.inventory.instances();
    expect(instances.map((i) => i.id)).toEqual(fleet.map((f) => f.id));
    const pages = fake.calls('DescribeInstances');
    expect(pages).toHaveLength(5);
    expect(pages.map((p) => p.params.MaxResults)).toEqual(['5', '5', '5', '5', '5']);
    expect(pages[0]?.params.NextToken).toBeUndefined();
    expect(pages.slice(1).every((p) => typeof p.params.NextToken === 'string')).toBe(true);
  });

  it('reads instances that share a reservation', async () => {
    const { aws } = await provider([
      asgInstance(1, 'web', 'us-east-1a', { reservationId: 'r-1' }),
      asgInstance(2, 'web', 'us-east-1a', { reservationId: 'r-1' }),
      asgInstance(3, 'web', 'us-east-1a', { reservationId: 'r-1' }),
    ]);
    expect((await aws.inventory.instances()).map((i) => i.id)).toEqual([fakeInstanceId(1), fakeInstanceId(2), fakeInstanceId(3)]);
  });

  it('maps EC2 states, and leaves terminated instances out', async () => {
    const states = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'] as const;
    const { aws } = await provider(states.map((state, i) => asgInstance(i + 1, 'web', 'us-east-1a', { state })));
    const byId = new Map((await aws.inventory.instances()).map((i) => [i.id, i.state]));
    expect([...byId.values()]).toEqual(['pending', 'running', 'stopping', 'stopped', 'stopping']);
    expect(byId.has(fakeInstanceId(6))).toBe(false);
    expect((await aws.inventory.groups())[0]?.instances).toHaveLength(5);
  });

  it('filters instances by group, zone and state', async () => {
    const { aws } = await provider([
      asgInstance(1, 'web', 'us-east-1a'),
      asgInstance(2, 'web', 'us-east-1b', { state: 'stopped' }),
      asgInstance(3, 'api', 'us-east-1b'),
    ]);
    expect((await aws.inventory.instances({ group: 'web' })).map((i) => i.id)).toEqual([fakeInstanceId(1), fakeInstanceId(2)]);
    expect((await aws.inventory.instances({ zone: 'us-east-1b', states: ['running'] })).map((i) => i.id)).toEqual([fakeInstanceId(3)]);
  });

  it('refuses bad options before any call', async () => {
    const { client, fake } = await provider([]);
    expect(() => new AwsProvider({ client, region: 'us-east-1', pageSize: 2 })).toThrow(expect.objectContaining({ code: 'provider.invalidOption' }));
    expect(() => new AwsProvider({ client, region: 'us-east-1', batchSize: 0 })).toThrow(expect.objectContaining({ code: 'provider.invalidOption' }));
    expect(() => new AwsProvider({ client, region: 'US East', batchSize: 0 })).toThrow(expect.objectContaining({ code: 'provider.invalidOption' }));
    expect(() => new AwsProvider({ client, region: 'us-east-1', groupBy: { kind: 'tag', key: '' } })).toThrow(/groupBy.key/);
    expect(() => new AwsProvider({ client, region: 'us-east-1', retry: { attempts: 0 } })).toThrow(/retry.attempts/);
    expect(fake.requests).toHaveLength(0);
  });
});
