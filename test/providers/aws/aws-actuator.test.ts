/**
 * The AWS provider's terminate and stop against the loopback fake EC2 endpoint, and how every EC2 failure becomes
 * a `provider.*` SimianError: throttling and 5xx retried with a growing backoff through the injected clock.
 */
import { describe, expect, it } from 'vitest';
import { isSimianError, type SimianError } from '../../../src/core/errors.js';
import type { Instance } from '../../../src/core/model.js';
import { AwsProvider, type AwsProviderOptions } from '../../../src/providers/aws/aws-provider.js';
import { ASG_TAG } from '../../../src/providers/aws/instance-mapping.js';
import { fakeEc2Client, FakeEc2Endpoint, fakeInstanceId, ImmediateClock, useFakeEc2 } from '../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();
const ID = fakeInstanceId(1);

async function setup(options: Partial<AwsProviderOptions> = {}) {
  const { fake, client } = await startFake({
    instances: [1, 2, 3].map((n) => ({ id: fakeInstanceId(n), zone: 'us-east-1a', tags: { [ASG_TAG]: 'web', 'simian/opt-in': 'true' } })),
  });
  const clock = new ImmediateClock();
  const aws = new AwsProvider({ client, region: fake.region, clock, ...options });
  const [victim] = await aws.inventory.instances({ states: ['running'] });
  return { fake, clock, aws, victim: victim as Instance };
}

/** The SimianError `promise` rejects with; fails the test if it resolves or rejects with anything else. */
async function rejection(promise: Promise<unknown>): Promise<SimianError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isSimianError(error)) throw new Error(`expected a SimianError, got ${String(error)}`);
  return error;
}

describe('AwsProvider terminate and stop', () => {
  it('terminates exactly the instance asked for', async () => {
    const { fake, aws, victim } = await setup();
    await aws.actuator.terminate(victim);
    const calls = fake.calls('TerminateInstances');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.instanceIds).toEqual([ID]);
    expect(calls[0]?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    expect(fake.state(ID)).toBe('shutting-down');
    expect(fake.state(fakeInstanceId(2))).toBe('running');
    fake.settle();
    expect((await aws.inventory.instances()).map((i) => i.id)).toEqual([fakeInstanceId(2), fakeInstanceId(3)]);
  });

  it('stops exactly the instance asked for, without forcing', async () => {
    const { fake, aws, victim } = await setup();
    await aws.actuator.stop(victim);
    expect(fake.calls('StopInstances').map((c) => [c.instanceIds, c.params.Force])).toEqual([[[ID], 'false']]);
    expect(fake.state(ID)).toBe('stopping');
  });

  it('refuses an instance of another region or a non-EC2 id without calling EC2', async () => {
    const { fake, aws, victim } = await setup();
    expect((await rejection(aws.actuator.terminate({ ...victim, region: 'eu-west-1' }))).code).toBe('provider.badInstance');
    expect((await rejection(aws.actuator.terminate({ ...victim, id: 'web-1' }))).code).toBe('provider.badInstance');
    expect(fake.calls('TerminateInstances')).toHaveLength(0);
  });

  it('maps a vanished instance to provider.instanceGone', async () => {
    const { fake, aws, victim } = await setup();
    fake.remove(ID);
    const error = await rejection(aws.actuator.terminate(victim));
    expect(error.code).toBe('provider.instanceGone');
    expect(error.message).toContain(ID);
    expect((error.cause as Error).name).toBe('InvalidInstanceID.NotFound');
  });

  it('maps UnauthorizedOperation to provider.forbidden, naming the IAM permission, without retrying', async () => {
    const { fake, clock, aws, victim } = await setup();
    fake.failNext('TerminateInstances', 1, { code: 'UnauthorizedOperation', status: 403, message: 'You are not authorized to perform this operation.' });
    const error = await rejection(aws.actuator.terminate(victim));
    expect(error.code).toBe('provider.forbidden');
    expect(error.message).toContain('ec2:TerminateInstances');
    expect(fake.calls('TerminateInstances')).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('maps AuthFailure (a key EC2 does not know) to provider.forbidden', async () => {
    const { fake, aws, victim } = await setup();
    fake.failNext('StopInstances', 1, { code: 'AuthFailure', status: 401, message: 'AWS was not able to validate the provided access credentials' });
    const error = await rejection(aws.actuator.stop(victim));
    expect(error.code).toBe('provider.forbidden');
    expect(error.message).toContain('ec2:StopInstances');
  });

  it('retries RequestLimitExceeded with a growing backoff, then succeeds', async () => {
    const { fake, clock, aws, victim } = await setup();
    fake.throttle('TerminateInstances', 2);
    await aws.actuator.terminate(victim);
    expect(fake.calls('TerminateInstances').map((c) => c.status)).toEqual([503, 503, 200]);
    expect(clock.sleeps).toEqual([500, 1000]);
    expect(fake.state(ID)).toBe('shutting-down');
  });

  it('gives up on endless throttling with provider.throttled after the bounded attempts', async () => {
    const { fake, clock, aws, victim } = await setup({ retry: { attempts: 4, baseDelayMs: 100, maxDelayMs: 250 } });
    fake.throttle('TerminateInstances', 100);
    const error = await rejection(aws.actuator.terminate(victim));
    expect(error.code).toBe('provider.throttled');
    expect(error.message).toContain('after 4 attempts');
    expect(fake.calls('TerminateInstances')).toHaveLength(4);
    expect(clock.sleeps).toEqual([100, 200, 250]);
    expect(fake.state(ID)).toBe('running');
  });

  it('also treats Throttling answered with 400 as throttling', async () => {
    const { fake, clock, aws, victim } = await setup();
    fake.failNext('TerminateInstances', 1, { code: 'Throttling', status: 400, message: 'Rate exceeded' });
    await aws.actuator.terminate(victim);
    expect(clock.sleeps).toEqual([500]);
  });

  it('retries 5xx answers, then gives up with provider.unavailable', async () => {
    const { fake, clock, aws, victim } = await setup({ retry: { attempts: 3 } });
    fake.failNext('TerminateInstances', 3, { code: 'InternalError', status: 500, message: 'An internal error has occurred' });
    const error = await rejection(aws.actuator.terminate(victim));
    expect(error.code).toBe('provider.unavailable');
    expect(clock.sleeps).toEqual([500, 1000]);
    fake.failNext('TerminateInstances', 1, { code: 'Unavailable', status: 503 });
    await aws.actuator.terminate(victim);
    expect(fake.state(ID)).toBe('shutting-down');
  });

  it('retries a throttled DescribeInstances page on its own, with the same NextToken', async () => {
    const { fake, clock, aws } = await setup({ pageSize: 5 });
    fake.add(...[4, 5, 6, 7, 8].map((n) => ({ id: fakeInstanceId(n), zone: 'us-east-1b', tags: { [ASG_TAG]: 'web' } })));
    const before = fake.requests.length;
    fake.failNext('DescribeInstances', 1, { code: 'RequestLimitExceeded', status: 503, when: (r) => r.params.NextToken !== undefined });
    expect(await aws.inventory.instances()).toHaveLength(8);
    const pages = fake.requests.slice(before);
    expect(pages.every((p) => p.action === 'DescribeInstances')).toBe(true);
    expect(pages.map((p) => p.status)).toEqual([200, 503, 200]);
    expect(pages[2]?.params.NextToken).toBe(pages[1]?.params.NextToken);
    expect(clock.sleeps).toEqual([500]);
  });

  it('maps IncorrectInstanceState to provider.conflict and other EC2 errors to provider.awsError', async () => {
    const { fake, aws, victim } = await setup();
    fake.setState(ID, 'terminated');
    expect((await rejection(aws.actuator.stop(victim))).code).toBe('provider.conflict');
    fake.failNext('TerminateInstances', 1, { code: 'OperationNotPermitted', message: "The instance may not be terminated. Modify its 'disableApiTermination' instance attribute" });
    expect((await rejection(aws.actuator.terminate(victim))).code).toBe('provider.refused');
    fake.failNext('TerminateInstances', 1, { code: 'SomethingNew', message: 'new error' });
    const other = await rejection(aws.actuator.terminate(victim));
    expect(other.code).toBe('provider.awsError');
    expect(other.message).toContain('SomethingNew');
  });

  it('maps a refused connection to provider.unreachable, without retrying', async () => {
    const fake = await FakeEc2Endpoint.start();
    const client = fakeEc2Client(fake);
    await fake.close();
    try {
      const clock = new ImmediateClock();
      const aws = new AwsProvider({ client, region: 'us-east-1', clock });
      const error = await rejection(aws.inventory.groups());
      expect(error.code).toBe('provider.unreachable');
      expect(error.message).toContain('DescribeInstances');
      expect(clock.sleeps).toEqual([]);
    } finally {
      client.destroy();
    }
  });

  it('does not support network toxics', async () => {
    const { aws, victim } = await setup();
    const error = await rejection(aws.actuator.addToxic({ instance: victim }, { type: 'latency' }));
    expect(error.code).toBe('provider.unsupported');
  });
});
