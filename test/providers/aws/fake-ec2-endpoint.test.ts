/**
 * The fake EC2 endpoint itself: it must refuse what EC2 refuses, or the provider tests would prove nothing.
 */
import { DescribeInstancesCommand, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { fakeEc2Client, FakeEc2Endpoint, fakeInstanceId, useFakeEc2 } from '../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; $metadata: { httpStatusCode?: number; requestId?: string } }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: { name: string; $metadata: { httpStatusCode?: number; requestId?: string } }) => e,
  );
}

describe('FakeEc2Endpoint', () => {
  it('refuses unsigned requests and unknown actions', async () => {
    const { fake } = await startFake();
    const unsigned = await fetch(fake.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeInstances&Version=2016-11-15' });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('x-amzn-requestid')).toMatch(/^fake-/);
    expect(await unsigned.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    const unknown = await fetch(fake.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/x' },
      body: 'Action=RebootInstances&Version=2016-11-15',
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('<Code>InvalidAction</Code>');
  });

  it('answers like EC2 through the real SDK: request ids, unknown ids, bad filters, invalid combinations', async () => {
    const { fake, client } = await startFake({ instances: [{ id: fakeInstanceId(1), zone: 'us-east-1a' }] });
    const ok = await client.send(new DescribeInstancesCommand({ InstanceIds: [fakeInstanceId(1)] }));
    expect(ok.$metadata.requestId).toMatch(/^fake-/);
    expect(ok.Reservations?.[0]?.Instances?.[0]?.LaunchTime).toBeInstanceOf(Date);
    const missing = await errorOf(client.send(new DescribeInstancesCommand({ InstanceIds: [fakeInstanceId(1), fakeInstanceId(2)] })));
    expect(missing.name).toBe('InvalidInstanceID.NotFound');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    expect((await errorOf(client.send(new DescribeInstancesCommand({ Filters: [{ Name: 'owner-id', Values: ['1'] }] })))).name).toBe('InvalidParameterValue');
    expect((await errorOf(client.send(new DescribeInstancesCommand({ InstanceIds: [fakeInstanceId(1)], MaxResults: 5 })))).name).toBe('InvalidParameterCombination');
    expect((await errorOf(client.send(new StopInstancesCommand({ InstanceIds: ['i-nope'] })))).name).toBe('InvalidInstanceID.Malformed');
    expect(fake.state(fakeInstanceId(1))).toBe('running');
  });

  it('moves states only when told, and refuses a start while stopping', async () => {
    const { fake, client } = await startFake({ instances: [{ id: fakeInstanceId(1), zone: 'us-east-1a' }] });
    const stop = await client.send(new StopInstancesCommand({ InstanceIds: [fakeInstanceId(1)] }));
    expect(stop.StoppingInstances?.[0]).toMatchObject({ CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } });
    expect((await errorOf(client.send(new StartInstancesCommand({ InstanceIds: [fakeInstanceId(1)] })))).name).toBe('IncorrectInstanceState');
    expect(fake.settle()).toBe(1);
    const start = await client.send(new StartInstancesCommand({ InstanceIds: [fakeInstanceId(1)] }));
    expect(start.StartingInstances?.[0]?.CurrentState).toEqual({ Code: 0, Name: 'pending' });
  });

  it('refuses a key it was not told about, and closes twice harmlessly', async () => {
    const fake = await FakeEc2Endpoint.start({ accessKeyId: 'AKIDOTHER' });
    const client = fakeEc2Client(fake);
    try {
      expect((await errorOf(client.send(new DescribeInstancesCommand({})))).name).toBe('AuthFailure');
    } finally {
      client.destroy();
      await fake.close();
      await fake.close();
    }
  });
});
