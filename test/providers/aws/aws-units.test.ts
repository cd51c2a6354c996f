/**
 * The AWS provider's pure parts: revert ids, instance mapping, error mapping and the retry loop, without a server.
 */
import { describe, expect, it } from 'vitest';
import { isSimianError, SimianError } from '../../../src/core/errors.js';
import { ec2ErrorCode, toProviderError } from '../../../src/providers/aws/ec2-errors.js';
import { resolveEc2Retry, withEc2Retry } from '../../../src/providers/aws/ec2-retry.js';
import { chunk } from '../../../src/providers/aws/ec2-api.js';
import { ASG_TAG, mapInstanceState, tagsToRecord, toInstance } from '../../../src/providers/aws/instance-mapping.js';
import { evacuateRevertId, parseAwsRevertId, stopZoneRevertId } from '../../../src/providers/aws/revert-id.js';
import { ImmediateClock } from '../../support/fake-ec2-endpoint.js';

const I1 = 'i-0123456789abcdef0';
const I2 = 'i-1234abcd';

/** An error shaped like the SDK's service exceptions. */
function serviceError(name: string, status: number): Error {
  return Object.assign(new Error(`${name} message`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

describe('AWS revert ids', () => {
  it('round-trips zone stops and evacuations', () => {
    expect(parseAwsRevertId(stopZoneRevertId('us-east-1a', [I1, I2]))).toEqual({ kind: 'stop-zone', zone: 'us-east-1a', instanceIds: [I1, I2] });
    expect(parseAwsRevertId(stopZoneRevertId('us-west-2-lax-1a', []))).toEqual({ kind: 'stop-zone', zone: 'us-west-2-lax-1a', instanceIds: [] });
    expect(parseAwsRevertId(evacuateRevertId('eu-west-1'))).toEqual({ kind: 'evacuate', region: 'eu-west-1' });
  });

  it('refuses anything else with provider.badRevertId', () => {
    for (const bad of ['', 'aws:', 'aws:stop-zone:Us-East-1a:', `aws:stop-zone:us-east-1a:${I1},,${I2}`, `aws:stop-zone:us-east-1a:${I1}:x`, 'aws:evacuate:', 'aws:evacuate:a:b', 'local:x']) {
      expect(() => parseAwsRevertId(bad), bad).toThrow(expect.objectContaining({ code: 'provider.badRevertId' }));
    }
  });
});

describe('EC2 instance mapping', () => {
  it('maps every EC2 state, unknown ones to unknown', () => {
    expect(['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated', 'rebooting', undefined].map(mapInstanceState)).toEqual([
      'pending',
      'running',
      'stopping',
      'stopped',
      'stopping',
      'terminated',
      'unknown',
      'unknown',
    ]);
  });

  it('turns tags into a record and drops instances it cannot place or group', () => {
    expect(tagsToRecord([{ Key: 'a', Value: '1' }, { Key: 'b' }, { Value: 'orphan' }])).toEqual({ a: '1', b: '' });
    const raw = { InstanceId: I1, Placement: { AvailabilityZone: 'us-east-1a' }, State: { Name: 'running' as const }, Tags: [{ Key: ASG_TAG, Value: 'web' }] };
    expect(toInstance(raw, 'us-east-1', { kind: 'asg' })).toMatchObject({ id: I1, group: 'web', zone: 'us-east-1a', launchedAt: 0 });
    expect(toInstance(raw, 'us-east-1', { kind: 'tag', key: 'service' })).toBeUndefined();
    expect(toInstance({ ...raw, Placement: {} }, 'us-east-1', { kind: 'asg' })).toBeUndefined();
    expect(toInstance({ ...raw, Tags: [{ Key: ASG_TAG, Value: '' }] }, 'us-east-1', { kind: 'asg' })).toBeUndefined();
  });
});

describe('EC2 error mapping', () => {
  const action = { operation: 'TerminateInstances' as const, instanceIds: [I1] };

  it.each([
    ['InvalidInstanceID.NotFound', 400, 'provider.instanceGone'],
    ['InvalidInstanceID.Malformed', 400, 'provider.instanceGone'],
    ['InvalidVolume.NotFound', 400, 'provider.notFound'],
    ['InvalidSnapshot.NotFound', 400, 'provider.notFound'],
    ['InvalidGroup.NotFound', 400, 'provider.notFound'],
    ['UnauthorizedOperation', 403, 'provider.forbidden'],
    ['AuthFailure', 401, 'provider.forbidden'],
    ['RequestLimitExceeded', 503, 'provider.throttled'],
    ['Throttling', 400, 'provider.throttled'],
    ['InternalError', 500, 'provider.unavailable'],
    ['Unknown', 502, 'provider.unavailable'],
    ['IncorrectInstanceState', 400, 'provider.conflict'],
    ['InvalidParameterValue', 400, 'provider.awsError'],
  ])('%s (%i) becomes %s', (name, status, code) => {
    const error = toProviderError(serviceError(name, status), action);
    expect(error).toBeInstanceOf(SimianError);
    expect(error.code).toBe(code);
    expect(error.message).toContain(`TerminateInstances ${I1}`);
  });

  it('maps network and credential failures, and passes SimianErrors through', () => {
    expect(toProviderError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 1 } }), action).code).toBe('provider.unreachable');
    expect(toProviderError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), action).code).toBe('provider.forbidden');
    expect(toProviderError(new TypeError('boom'), action).code).toBe('provider.awsError');
    const own = new SimianError('provider.badInstance', 'x');
    expect(toProviderError(own, action)).toBe(own);
  });

  it("keeps EC2's own code readable behind the mapped error (ec2ErrorCode), and none when EC2 did not answer", () => {
    expect(ec2ErrorCode(toProviderError(serviceError('VolumeInUse', 400), action))).toBe('VolumeInUse');
    expect(ec2ErrorCode(serviceError('InvalidGroup.NotFound', 400))).toBe('InvalidGroup.NotFound');
    expect(ec2ErrorCode(toProviderError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), action))).toBeUndefined();
    expect(ec2ErrorCode(new SimianError('x.y', 'no cause'))).toBeUndefined();
  });

  it('names the IAM permission for UnauthorizedOperation', () => {
    expect(toProviderError(serviceError('UnauthorizedOperation', 403), { operation: 'StartInstances' }).message).toContain('ec2:StartInstances');
  });
});

describe('withEc2Retry', () => {
  it('backs off exponentially up to the cap, and only for retryable errors', async () => {
    const clock = new ImmediateClock();
    let calls = 0;
    const result = withEc2Retry(clock, resolveEc2Retry({ attempts: 6, baseDelayMs: 100, maxDelayMs: 500 }), { operation: 'DescribeInstances' }, async () => {
      calls++;
      throw serviceError('RequestLimitExceeded', 503);
    });
    await expect(result).rejects.toSatisfy((e: unknown) => isSimianError(e, 'provider.throttled'));
    expect(calls).toBe(6);
    expect(clock.sleeps).toEqual([100, 200, 400, 500, 500]);

    const once = new ImmediateClock();
    let forbiddenCalls = 0;
    const forbidden = withEc2Retry(once, resolveEc2Retry(), { operation: 'DescribeInstances' }, async () => {
      forbiddenCalls++;
      throw serviceError('UnauthorizedOperation', 403);
    });
    await expect(forbidden).rejects.toSatisfy((e: unknown) => isSimianError(e, 'provider.forbidden'));
    expect(forbiddenCalls).toBe(1);
    expect(once.sleeps).toEqual([]);
  });

  it('splits lists into batches in order', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 2)).toEqual([]);
  });
});
