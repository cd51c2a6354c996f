/**
 * Zone isolation on EC2 (stop the zone's running, opted-in, grouped instances; start exactly those on revert) and
 * region evacuation through a TrafficShift, against the loopback fake EC2 endpoint.
 */
import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { AwsProvider, type AwsProviderOptions } from '../../../src/providers/aws/aws-provider.js';
import { ASG_TAG } from '../../../src/providers/aws/instance-mapping.js';
import type { TrafficShift } from '../../../src/providers/provider.js';
import { fakeEc2Client, fakeInstanceId, ImmediateClock, useFakeEc2, type FakeEc2Endpoint, type FakeInstanceSpec } from '../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();
const ZONE = { name: 'us-east-1a', region: 'us-east-1' };
const id = fakeInstanceId;

function spec(n: number, zone: string, tags: Record<string, string>, extra: Partial<FakeInstanceSpec> = {}): FakeInstanceSpec {
  return { id: id(n), zone, tags, ...extra };
}

const OPTED_WEB = { [ASG_TAG]: 'web', 'simian/opt-in': 'true' };

/** A zone with what must be stopped (1, 2, 3) and everything that must not (4 to 8). */
const FLEET: FakeInstanceSpec[] = [
  spec(1, 'us-east-1a', OPTED_WEB),
  spec(2, 'us-east-1a', OPTED_WEB),
  spec(3, 'us-east-1a', { [ASG_TAG]: 'api', 'simian/opt-in': 'true' }),
  spec(4, 'us-east-1a', { [ASG_TAG]: 'web' }),
  spec(5, 'us-east-1a', { [ASG_TAG]: 'web', 'simian/opt-in': 'false' }),
  spec(6, 'us-east-1a', OPTED_WEB, { state: 'stopped' }),
  spec(7, 'us-east-1a', { 'simian/opt-in': 'true' }),
  spec(8, 'us-east-1b', OPTED_WEB),
];

async function setup(options: Partial<AwsProviderOptions> = {}, fleet: FakeInstanceSpec[] = FLEET) {
  const { fake, client } = await startFake({ instances: fleet });
  const clock = new ImmediateClock();
  // Time passes for the fake's instances only while the provider waits.
  clock.onSleep = () => fake.settle();
  const aws = new AwsProvider({ client, region: fake.region, clock, batchSize: 2, ...options });
  return { fake, clock, aws };
}

/** A provider as a restarted process builds it: a new client and nothing remembered. */
function restarted(fake: FakeEc2Endpoint, options: Partial<AwsProviderOptions> = {}): { aws: AwsProvider; clock: ImmediateClock; destroy: () => void } {
  const client = fakeEc2Client(fake);
  const clock = new ImmediateClock();
  clock.onSleep = () => fake.settle();
  return { aws: new AwsProvider({ client, region: fake.region, clock, ...options }), clock, destroy: () => client.destroy() };
}

function startedIds(fake: FakeEc2Endpoint): string[][] {
  return fake.calls('StartInstances').map((c) => [...c.instanceIds]);
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSimianError(error)) throw new Error(`expected a SimianError, got ${String(error)}`);
  return error;
}

describe('AwsProvider.isolateZone', () => {
  it("stops only the zone's running, grouped, opted-in instances, in batches", async () => {
    const { fake, aws } = await setup();
    const handle = await aws.actuator.isolateZone(ZONE);
    expect(handle.id).toBe(`aws:stop-zone:us-east-1a:${id(1)},${id(2)},${id(3)}`);
    expect(fake.calls('StopInstances').map((c) => c.instanceIds)).toEqual([[id(1), id(2)], [id(3)]]);
    expect([1, 2, 3].map((n) => fake.state(id(n)))).toEqual(['stopping', 'stopping', 'stopping']);
    expect([4, 5, 7, 8].map((n) => fake.state(id(n)))).toEqual(['running', 'running', 'running', 'running']);
    expect(fake.state(id(6))).toBe('stopped');
    expect(fake.calls('DescribeInstances')[0]?.filters).toEqual([
      { name: 'availability-zone', values: ['us-east-1a'] },
      { name: 'instance-state-name', values: ['running'] },
      { name: 'tag:simian/opt-in', values: ['true'] },
      { name: 'tag-key', values: [ASG_TAG] },
    ]);
  });

  it('reverts by starting exactly those, waiting for them to finish stopping', async () => {
    const { fake, clock, aws } = await setup();
    const handle = await aws.actuator.isolateZone(ZONE);
    await handle.revert();
    expect(clock.sleeps).toEqual([5_000]);
    expect(startedIds(fake)).toEqual([[id(1), id(2)], [id(3)]]);
    expect(fake.state(id(6))).toBe('stopped');
    fake.settle();
    expect([1, 2, 3].map((n) => fake.state(id(n)))).toEqual(['running', 'running', 'running']);
  });

  it('reverts by id from a new provider (a restart), and reverting twice is harmless', async () => {
    const { fake, aws } = await setup();
    const { id: revertId } = await aws.actuator.isolateZone(ZONE);
    fake.settle();
    const second = restarted(fake);
    try {
      await second.aws.actuator.revert(revertId);
      expect(startedIds(fake)).toEqual([[id(1), id(2), id(3)]]);
      await second.aws.actuator.revert(revertId);
      fake.settle();
      await second.aws.actuator.revert(revertId);
      expect(startedIds(fake)).toHaveLength(1);
      expect(second.clock.sleeps).toEqual([]);
    } finally {
      second.destroy();
    }
  });

  it('starts only the listed instances that still exist and are stopped', async () => {
    const { fake, aws } = await setup();
    const { id: revertId } = await aws.actuator.isolateZone(ZONE);
    fake.settle();
    fake.remove(id(1));
    fake.setState(id(2), 'terminated');
    await aws.actuator.revert(revertId);
    expect(startedIds(fake)).toEqual([[id(3)]]);
  });

  it('reports instances that never finish stopping as provider.revertIncomplete, and a later revert finishes', async () => {
    const { fake, clock, aws } = await setup({ startWait: { pollIntervalMs: 10, maxPolls: 2 } });
    const { id: revertId } = await aws.actuator.isolateZone(ZONE);
    clock.onSleep = undefined;
    const error = await rejection(aws.actuator.revert(revertId));
    expect(error.code).toBe('provider.revertIncomplete');
    expect(error.message).toContain(id(3));
    expect(clock.sleeps).toEqual([10, 10]);
    expect(startedIds(fake)).toEqual([]);
    fake.settle();
    await aws.actuator.revert(revertId);
    expect(startedIds(fake).flat()).toEqual([id(1), id(2), id(3)]);
  });

  it('starts again what it stopped when a later batch fails, then throws', async () => {
    const { fake, aws } = await setup({ batchSize: 1 });
    fake.failNext('StopInstances', 1, { code: 'UnauthorizedOperation', status: 403, when: (r) => r.instanceIds[0] === id(2) });
    const error = await rejection(aws.actuator.isolateZone(ZONE));
    expect(error.code).toBe('provider.forbidden');
    expect(error.message).toContain('ec2:StopInstances');
    expect(startedIds(fake)).toEqual([[id(1)]]);
    expect(fake.calls('StopInstances').map((c) => c.instanceIds)).toEqual([[id(1)], [id(2)]]);
    expect([1, 2, 3].map((n) => fake.state(id(n)))).toEqual(['pending', 'running', 'running']);
  });

  it('looks again when an instance changed state under it, and stops the rest', async () => {
    const { fake, aws } = await setup({ batchSize: 10 });
    fake.failNext('StopInstances', 1, {
      code: 'IncorrectInstanceState',
      // The ASG terminated instance 2 between the listing and the stop.
      when: () => (fake.setState(id(2), 'shutting-down'), true),
    });
    const handle = await aws.isolateZone(ZONE);
    expect(handle.stopped).toEqual([id(1), id(3)]);
    expect(fake.calls('StopInstances').map((c) => c.instanceIds)).toEqual([
      [id(1), id(2), id(3)],
      [id(1), id(3)],
    ]);
  });

  it('hands out an id that stops nothing when nothing qualifies', async () => {
    const { fake, aws } = await setup();
    const handle = await aws.actuator.isolateZone({ name: 'us-east-1c', region: 'us-east-1' });
    expect(handle.id).toBe('aws:stop-zone:us-east-1c:');
    expect(fake.calls('StopInstances')).toHaveLength(0);
    await handle.revert();
    expect(fake.calls('StartInstances')).toHaveLength(0);
  });

  it('honours a custom opt-in tag', async () => {
    const { fake, aws } = await setup({ optInTag: 'chaos' }, [
      spec(1, 'us-east-1a', { [ASG_TAG]: 'web', chaos: 'true' }),
      spec(2, 'us-east-1a', { [ASG_TAG]: 'web', 'simian/opt-in': 'true' }),
    ]);
    expect((await aws.isolateZone(ZONE)).stopped).toEqual([id(1)]);
    expect(fake.state(id(2))).toBe('running');
  });

  it('refuses zones and revert ids outside its region, and ids it did not make', async () => {
    const { fake, aws } = await setup();
    expect((await rejection(aws.actuator.isolateZone({ name: 'eu-west-1a', region: 'eu-west-1' }))).code).toBe('provider.badZone');
    expect((await rejection(aws.actuator.isolateZone({ name: 'us-east-1a', region: 'eu-west-1' }))).code).toBe('provider.badZone');
    expect((await rejection(aws.actuator.isolateZone({ name: 'us-east-1a,b', region: 'us-east-1' }))).code).toBe('provider.badZone');
    expect((await rejection(aws.actuator.revert(`aws:stop-zone:eu-west-1a:${id(1)}`))).code).toBe('provider.badZone');
    for (const bad of ['kubernetes:cordon:a:', 'aws:stop-zone:us-east-1a:web-1', 'aws:reboot:us-east-1a', 'aws:stop-zone:us-east-1a']) {
      expect((await rejection(aws.actuator.revert(bad))).code).toBe('provider.badRevertId');
    }
    expect(fake.requests).toHaveLength(0);
  });
});

describe('AwsProvider.evacuateRegion', () => {
  it('is unsupported without a TrafficShift, and says how to configure one', async () => {
    const { fake, aws } = await setup();
    const error = await rejection(aws.actuator.evacuateRegion({ name: 'us-east-1' }));
    expect(error.code).toBe('provider.unsupported');
    expect(error.message).toContain('trafficShift');
    expect((await rejection(aws.actuator.revert('aws:evacuate:us-east-1'))).code).toBe('provider.unsupported');
    expect(fake.requests).toHaveLength(0);
  });

  it('evacuates through the TrafficShift and restores on revert, also by id after a restart', async () => {
    const calls: string[] = [];
    const trafficShift: TrafficShift = {
      evacuate: async (region) => void calls.push(`evacuate ${region}`),
      restore: async (region) => void calls.push(`restore ${region}`),
    };
    const { fake, aws } = await setup({ trafficShift });
    const handle = await aws.actuator.evacuateRegion({ name: 'us-east-1' });
    expect(handle.id).toBe('aws:evacuate:us-east-1');
    await handle.revert();
    const second = restarted(fake, { trafficShift });
    try {
      await second.aws.actuator.revert(handle.id);
    } finally {
      second.destroy();
    }
    expect(calls).toEqual(['evacuate us-east-1', 'restore us-east-1', 'restore us-east-1']);
    expect(fake.requests).toHaveLength(0);
  });
});
