/**
 * The EC2 Janitor cleaner against the loopback fake EC2 endpoint, through the real SDK: each kind of resource
 * deleted by its id, already gone counts as cleaned, EC2's refusals reject, and a name that is no EC2 id throws.
 */
import { describe, expect, it } from 'vitest';
import { Ec2JanitorCleaner } from '../../../../src/monkeys/audit/aws/ec2-janitor-cleaner.js';
import { isSimianError } from '../../../../src/core/errors.js';
import { fakeEc2Id, fakeInstanceId, ImmediateClock, useFakeEc2, type FakeEc2Options } from '../../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();
const instance = fakeInstanceId(1);
const [volume, attached, snapshot, imaged, group, usedGroup] = [fakeEc2Id('vol', 1), fakeEc2Id('vol', 2), fakeEc2Id('snap', 1), fakeEc2Id('snap', 2), fakeEc2Id('sg', 1), fakeEc2Id('sg', 2)];
const defaultGroup = fakeEc2Id('sg', 3);

const ACCOUNT: FakeEc2Options = {
  instances: [{ id: instance, zone: 'us-east-1a' }],
  volumes: [{ id: volume }, { id: attached, attachedTo: instance }],
  snapshots: [{ id: snapshot }, { id: imaged }],
  images: [{ id: fakeEc2Id('ami', 1), snapshotIds: [imaged] }],
  securityGroups: [
    { id: group, name: 'old' },
    { id: usedGroup, name: 'web' },
    { id: defaultGroup, name: 'default' },
  ],
  networkInterfaces: [{ id: fakeEc2Id('eni', 1), groupIds: [usedGroup], instanceId: instance }],
};

async function cleaner(options: FakeEc2Options = ACCOUNT) {
  const { fake, client } = await startFake(options);
  const clock = new ImmediateClock();
  return { fake, clock, cleaner: new Ec2JanitorCleaner({ client, clock }) };
}

describe('Ec2JanitorCleaner', () => {
  it('is the aws provider', async () => {
    expect((await cleaner()).cleaner.provider).toBe('aws');
  });

  it('deletes a volume, a snapshot and a security group, and terminates an instance, each by its id', async () => {
    const { fake, cleaner: c } = await cleaner();
    await c.clean(volume);
    await c.clean(snapshot);
    await c.clean(group);
    await c.clean(instance);
    expect(fake.requests.map((r) => [r.action, r.params['VolumeId'] ?? r.params['SnapshotId'] ?? r.params['GroupId'] ?? r.instanceIds.join()])).toEqual([
      ['DeleteVolume', volume],
      ['DeleteSnapshot', snapshot],
      ['DeleteSecurityGroup', group],
      ['TerminateInstances', instance],
    ]);
    expect([volume, snapshot, group].map((id) => fake.hasResource(id))).toEqual([false, false, false]);
    expect(fake.state(instance)).toBe('shutting-down');
    // Nothing else was touched.
    expect([attached, imaged, usedGroup, defaultGroup].every((id) => fake.hasResource(id))).toBe(true);
  });

  it('counts a resource already gone as cleaned, for every kind', async () => {
    const { fake, cleaner: c } = await cleaner({});
    for (const id of [volume, snapshot, group, instance]) await expect(c.clean(id)).resolves.toBeUndefined();
    expect(fake.requests.map((r) => [r.action, r.status])).toEqual([
      ['DeleteVolume', 400],
      ['DeleteSnapshot', 400],
      ['DeleteSecurityGroup', 400],
      ['TerminateInstances', 400],
    ]);
  });

  it.each([
    ['an attached volume', attached, 'VolumeInUse'],
    ['a snapshot an image uses', imaged, 'InvalidSnapshot.InUse'],
    ['a group an interface uses', usedGroup, 'DependencyViolation'],
    ['the default group', defaultGroup, 'CannotDelete'],
  ])('rejects with what EC2 answered when EC2 refuses: %s', async (_, id, code) => {
    const { fake, cleaner: c } = await cleaner();
    const error: unknown = await c.clean(id).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.awsError')).toBe(true);
    expect((error as Error).message).toContain(code);
    expect(((error as Error).cause as Error).name).toBe(code);
    expect(fake.hasResource(id)).toBe(true);
  });

  it('rejects when EC2 forbids it, naming the permission', async () => {
    const { fake, cleaner: c } = await cleaner();
    fake.failNext('DeleteVolume', 1, { code: 'UnauthorizedOperation', status: 403, message: 'You are not authorized to perform this operation.' });
    await expect(c.clean(volume)).rejects.toMatchObject({ code: 'provider.forbidden', message: expect.stringContaining('ec2:DeleteVolume') });
    expect(fake.hasResource(volume)).toBe(true);
  });

  it('retries a throttled deletion on the injected clock', async () => {
    const { fake, clock, cleaner: c } = await cleaner();
    fake.throttle('DeleteSnapshot', 2);
    await c.clean(snapshot);
    expect(fake.calls('DeleteSnapshot').map((r) => r.status)).toEqual([503, 503, 200]);
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(fake.hasResource(snapshot)).toBe(false);
  });

  it.each(['ami-0123456789abcdef0', 'eni-0123456789abcdef0', 'volume/vol-01', 'i-', 'sg-XYZ', '', 'persistentvolumeclaim/default/data'])(
    'throws janitor.unknownResource for %j and calls nothing',
    async (resource) => {
      const { fake, cleaner: c } = await cleaner();
      await expect(c.clean(resource)).rejects.toMatchObject({ code: 'janitor.unknownResource' });
      expect(fake.requests).toEqual([]);
    },
  );
});
