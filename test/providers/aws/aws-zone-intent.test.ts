/**
 * Issue 9 item 9 on EC2: the instances a zone stop is about to stop are announced (and recorded by the pipeline)
 * before the first StopInstances, so a process that dies half-way, with its own rollback failing, leaves an id
 * that a new process uses to start them again.
 */
import { describe, expect, it } from 'vitest';
import { AwsProvider } from '../../../src/providers/aws/aws-provider.js';
import { ASG_TAG } from '../../../src/providers/aws/instance-mapping.js';
import { fakeEc2Client, fakeInstanceId as id, ImmediateClock, useFakeEc2 } from '../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();
const ZONE = { name: 'us-east-1a', region: 'us-east-1' };
const OPTED = { [ASG_TAG]: 'web', 'simian/opt-in': 'true' };

describe('AwsProvider zone stop and the crash in the middle', () => {
  it('announces every instance it will stop before the first StopInstances; the intent starts them from a new process', async () => {
    const { fake, client } = await startFake({ instances: [1, 2, 3].map((n) => ({ id: id(n), zone: 'us-east-1a', tags: OPTED })) });
    const clock = new ImmediateClock();
    clock.onSleep = () => fake.settle();
    const aws = new AwsProvider({ client, region: fake.region, clock, batchSize: 1 });
    const intents: Array<{ id: string; stopsSoFar: number }> = [];
    // The second batch fails, and so does starting the first again: instance 1 is left stopped.
    fake.failNext('StopInstances', 1, { code: 'UnauthorizedOperation', status: 403, when: (r) => r.instanceIds[0] === id(2) });
    fake.failNext('StartInstances', 1, { code: 'UnauthorizedOperation', status: 403 });
    const failed = await aws.actuator
      .isolateZone(ZONE, {
        onIntent: async (revertId) => {
          intents.push({ id: revertId, stopsSoFar: fake.calls('StopInstances').length });
        },
      })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toMatch(/failed too/);
    expect(intents).toEqual([{ id: `aws:stop-zone:us-east-1a:${id(1)},${id(2)},${id(3)}`, stopsSoFar: 0 }]);
    fake.settle();
    expect(fake.state(id(1))).toBe('stopped');

    // The next start, with nothing but the recorded intent.
    const restartedClient = fakeEc2Client(fake);
    try {
      const restartedClock = new ImmediateClock();
      restartedClock.onSleep = () => fake.settle();
      await new AwsProvider({ client: restartedClient, region: fake.region, clock: restartedClock }).actuator.revert(intents[0]!.id);
    } finally {
      restartedClient.destroy();
    }
    fake.settle();
    expect([1, 2, 3].map((n) => fake.state(id(n)))).toEqual(['running', 'running', 'running']);
  });
});
