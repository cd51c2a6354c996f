/**
 * The EC2 collector against the loopback fake EC2 endpoint, through the real SDK: what it reads of a realistic
 * account, the three rule sets over it, pagination of every listing, and a throttled page retried on its own.
 */
import { describe, expect, it } from 'vitest';
import { collectEc2Snapshot } from '../../../../src/monkeys/audit/aws/collect-ec2-snapshot.js';
import { ec2ConformityRules } from '../../../../src/monkeys/audit/aws/ec2-conformity-rules.js';
import { ec2JanitorRules } from '../../../../src/monkeys/audit/aws/ec2-janitor-rules.js';
import { ec2SecurityRules } from '../../../../src/monkeys/audit/aws/ec2-security-rules.js';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../../../../src/monkeys/audit/audit-config.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { ASG_TAG } from '../../../../src/providers/aws/instance-mapping.js';
import { fakeEc2Id, fakeInstanceId, ImmediateClock, useFakeEc2, type FakeEc2Options } from '../../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();
const NOW = Date.parse('2026-03-02T12:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW - days * 86_400_000).toISOString();
const [web1, web2, api1, bastion, scratch, gone] = [1, 2, 3, 4, 5, 6].map(fakeInstanceId) as [string, string, string, string, string, string];
const vol = (n: number) => fakeEc2Id('vol', n);
const snap = (n: number) => fakeEc2Id('snap', n);
const sg = (n: number) => fakeEc2Id('sg', n);

/**
 * A small real-looking account: web (two zones) and api (one zone) Auto Scaling groups, a long-lived untagged
 * bastion open to the world on SSH, a forgotten scratch instance, a terminated one; a root volume, a volume
 * detached long ago (opted out) and a fresh one; snapshots kept by a volume, by the AMI, and one orphaned;
 * a public snapshot of another account; a default group, web and db groups, and an unused one.
 */
const ACCOUNT: FakeEc2Options = {
  instances: [
    { id: web1, zone: 'us-east-1a', tags: { [ASG_TAG]: 'web', owner: 'team-web' }, launchTime: daysAgo(1) },
    { id: web2, zone: 'us-east-1b', tags: { [ASG_TAG]: 'web', owner: 'team-web' }, launchTime: daysAgo(1) },
    { id: api1, zone: 'us-east-1a', tags: { [ASG_TAG]: 'api', owner: 'team-api' }, launchTime: daysAgo(2) },
    { id: bastion, zone: 'us-east-1c', tags: { Name: 'bastion' }, launchTime: daysAgo(200) },
    { id: scratch, zone: 'us-east-1a', state: 'stopped', tags: { owner: 'carol' }, launchTime: daysAgo(5) },
    { id: gone, zone: 'us-east-1a', state: 'terminated', launchTime: daysAgo(400) },
  ],
  volumes: [
    { id: vol(1), attachedTo: web1, createTime: daysAgo(1) },
    { id: vol(2), createTime: daysAgo(90), tags: { 'simian/janitor': 'opt-out', owner: 'dave' } },
    { id: vol(3), createTime: daysAgo(3) },
  ],
  snapshots: [
    { id: snap(1), volumeId: vol(1), startTime: daysAgo(1) },
    { id: snap(2), volumeId: fakeEc2Id('vol', 99), startTime: daysAgo(100) },
    { id: snap(3), volumeId: fakeEc2Id('vol', 98), startTime: daysAgo(100), tags: { owner: 'erin' } },
    { id: snap(4), volumeId: fakeEc2Id('vol', 97), ownerId: '999999999999' },
  ],
  images: [
    { id: fakeEc2Id('ami', 1), snapshotIds: [snap(2)] },
    // Another account's image: it does not keep our snap(3) (and is not listed with Owners: self).
    { id: fakeEc2Id('ami', 2), snapshotIds: [snap(3)], ownerId: '999999999999' },
  ],
  securityGroups: [
    { id: sg(1), name: 'default', ingress: [{ protocol: '-1', groupIds: [sg(1)] }] },
    { id: sg(2), name: 'web', ingress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['0.0.0.0/0'], ipv6Cidrs: ['::/0'] }] },
    { id: sg(3), name: 'db', ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, groupIds: [sg(2)] }] },
    { id: sg(4), name: 'ssh', ingress: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0'] }], tags: { owner: 'ops' } },
    { id: sg(5), name: 'old-experiment', ingress: [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrs: ['10.0.0.0/8'] }] },
  ],
  networkInterfaces: [
    { id: fakeEc2Id('eni', 1), groupIds: [sg(2)], instanceId: web1 },
    { id: fakeEc2Id('eni', 2), groupIds: [sg(2)], instanceId: web2 },
    { id: fakeEc2Id('eni', 3), groupIds: [sg(3)], instanceId: api1 },
    { id: fakeEc2Id('eni', 4), groupIds: [sg(4)], instanceId: bastion },
  ],
};

const CONFIG: AuditConfig = { ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, defaultOwner: 'cloud@example.com' } };

async function collect(options: FakeEc2Options = ACCOUNT) {
  const { fake, client } = await startFake(options);
  const clock = new ImmediateClock(NOW);
  return { fake, clock, snapshot: await collectEc2Snapshot({ client, clock, region: fake.region }) };
}

describe('collectEc2Snapshot', () => {
  it('reads the account once, and the three rule sets find what is wrong with it', async () => {
    const { fake, snapshot } = await collect();
    expect(snapshot.takenAt).toBe(NOW);
    expect(snapshot.region).toBe('us-east-1');
    expect(snapshot.instances.map((i) => i.id)).toEqual([web1, web2, api1, bastion, scratch]);
    expect(snapshot.instances[0]).toEqual({
      id: web1,
      state: 'running',
      zone: 'us-east-1a',
      launchedAt: Date.parse(daysAgo(1)),
      autoScalingGroup: 'web',
      tags: { [ASG_TAG]: 'web', owner: 'team-web' },
    });
    expect(snapshot.volumes).toEqual([
      { id: vol(1), state: 'in-use', createdAt: Date.parse(daysAgo(1)), attachedTo: [web1], tags: {} },
      { id: vol(2), state: 'available', createdAt: Date.parse(daysAgo(90)), attachedTo: [], tags: { 'simian/janitor': 'opt-out', owner: 'dave' } },
      { id: vol(3), state: 'available', createdAt: Date.parse(daysAgo(3)), attachedTo: [], tags: {} },
    ]);
    expect(snapshot.snapshots.map((s) => [s.id, s.volumeId])).toEqual([
      [snap(1), vol(1)],
      [snap(2), fakeEc2Id('vol', 99)],
      [snap(3), fakeEc2Id('vol', 98)],
    ]);
    expect(snapshot.images).toEqual([{ id: fakeEc2Id('ami', 1), snapshotIds: [snap(2)] }]);
    expect(snapshot.securityGroups[2]).toEqual({
      id: sg(3),
      name: 'db',
      vpcId: 'vpc-0123456789abcdef0',
      ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: [] }],
      referencedGroupIds: [sg(2)],
      tags: {},
    });
    expect(snapshot.securityGroups[1]!.ingress).toEqual([{ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['0.0.0.0/0', '::/0'] }]);
    expect(snapshot.networkInterfaces[3]).toEqual({ id: fakeEc2Id('eni', 4), groupIds: [sg(4)] });

    // Live instances only, and the account's own snapshots and images.
    expect(fake.calls('DescribeInstances')[0]?.filters).toEqual([{ name: 'instance-state-name', values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] }]);
    expect(fake.calls('DescribeSnapshots')[0]?.params['Owner.1']).toBe('self');
    expect(fake.calls('DescribeImages')[0]?.params['Owner.1']).toBe('self');
    expect(fake.requests.map((r) => r.action)).toEqual([
      'DescribeInstances',
      'DescribeVolumes',
      'DescribeSnapshots',
      'DescribeImages',
      'DescribeSecurityGroups',
      'DescribeNetworkInterfaces',
    ]);

    const found = [...runRules(ec2ConformityRules(CONFIG), snapshot), ...runRules(ec2SecurityRules(CONFIG), snapshot), ...runRules(ec2JanitorRules(CONFIG), snapshot)];
    expect(found.map((f) => [f.rule, f.resource, f.owner, f.optedOut ?? false])).toEqual([
      ['conformity.auto-scaling-group', bastion, undefined, false],
      ['conformity.auto-scaling-group', scratch, 'carol', false],
      ['conformity.single-zone', 'api@us-east-1', 'team-api', false],
      ['conformity.instance-age', bastion, undefined, false],
      ['conformity.required-tags', bastion, undefined, false],
      ['security.open-security-group', sg(4), 'ops', false],
      ['janitor.detached-volume', vol(2), 'dave', true],
      ['janitor.orphaned-instance', bastion, 'cloud@example.com', false],
      ['janitor.orphaned-instance', scratch, 'carol', false],
      ['janitor.orphaned-snapshot', snap(3), 'erin', false],
      ['janitor.unused-security-group', sg(5), 'cloud@example.com', false],
    ]);
    expect(found.find((f) => f.rule === 'security.open-security-group')?.why).toBe('ssh admits the whole internet on tcp 22 from 0.0.0.0/0; only ports 80 and 443 may be open to it');
  });

  it('follows every listing to its last page, each at its maximum page size', async () => {
    const many = 501;
    const { fake, snapshot } = await collect({
      volumes: Array.from({ length: many }, (_, i) => ({ id: vol(i + 1) })),
      snapshots: Array.from({ length: 1001 }, (_, i) => ({ id: snap(i + 1), volumeId: vol(1) })),
      securityGroups: [{ id: sg(1), name: 'default' }],
    });
    expect(snapshot.volumes).toHaveLength(many);
    expect(snapshot.snapshots).toHaveLength(1001);
    expect(fake.calls('DescribeVolumes').map((r) => [r.params['MaxResults'], r.params['NextToken'] !== undefined])).toEqual([
      ['500', false],
      ['500', true],
    ]);
    expect(fake.calls('DescribeSnapshots').map((r) => r.params['MaxResults'])).toEqual(['1000', '1000']);
    for (const action of ['DescribeImages', 'DescribeSecurityGroups', 'DescribeNetworkInterfaces']) expect(fake.calls(action)[0]?.params['MaxResults']).toBe('1000');
  });

  it('retries a throttled page on its own, waiting on the injected clock', async () => {
    const { fake, client } = await startFake({ volumes: Array.from({ length: 501 }, (_, i) => ({ id: vol(i + 1) })) });
    fake.failNext('DescribeVolumes', 2, { code: 'RequestLimitExceeded', status: 503, when: (r) => r.params['NextToken'] !== undefined });
    const clock = new ImmediateClock(NOW);
    const snapshot = await collectEc2Snapshot({ client, clock, region: fake.region });
    expect(snapshot.volumes).toHaveLength(501);
    expect(fake.calls('DescribeVolumes').map((r) => [r.params['NextToken'] !== undefined, r.status])).toEqual([
      [false, 200],
      [true, 503],
      [true, 503],
      [true, 200],
    ]);
    expect(clock.sleeps).toEqual([500, 1000]);
  });

  it('fails as a whole when a listing fails: rules judged on half an account would find used things unused', async () => {
    const { fake, client } = await startFake(ACCOUNT);
    fake.failNext('DescribeImages', 1, { code: 'UnauthorizedOperation', status: 403, message: 'You are not authorized to perform this operation.' });
    await expect(collectEc2Snapshot({ client, clock: new ImmediateClock(NOW), region: fake.region })).rejects.toMatchObject({
      code: 'provider.forbidden',
      message: expect.stringContaining('ec2:DescribeImages'),
    });
  });
});
