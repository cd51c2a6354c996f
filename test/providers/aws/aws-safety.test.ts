/**
 * The same monkey tests as for every provider, here with the real SafetyPipeline in front of the AWS provider and
 * the loopback fake EC2 endpoint behind it: the guards decide, EC2 only sees what they let through.
 */
import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { zoneOutageRequest } from '../../../src/monkeys/gorilla/chaos-gorilla.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import type { SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { AwsProvider } from '../../../src/providers/aws/aws-provider.js';
import { ASG_TAG } from '../../../src/providers/aws/instance-mapping.js';
import { fakeInstanceId, ImmediateClock, useFakeEc2, type FakeInstanceSpec } from '../../support/fake-ec2-endpoint.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

const startFake = useFakeEc2();
const UNLEASHED: Partial<SafetyConfig> = { leashed: false, minIntervalMs: 0 };
const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];

/** ASG `web`: six instances over three zones; `optedIn` says which of them (by number) carry simian/opt-in=true. */
function webFleet(optedIn: readonly number[]): FakeInstanceSpec[] {
  return [1, 2, 3, 4, 5, 6].map((n) => ({
    id: fakeInstanceId(n),
    zone: ZONES[(n - 1) % 3] as string,
    tags: { [ASG_TAG]: 'web', ...(optedIn.includes(n) ? { 'simian/opt-in': 'true' } : {}) },
  }));
}

async function setup(fleet: FakeInstanceSpec[], config?: Partial<SafetyConfig>, seed = 1) {
  const { fake, client } = await startFake({ instances: fleet });
  const providerClock = new ImmediateClock();
  providerClock.onSleep = () => fake.settle();
  const provider = new AwsProvider({ client, region: fake.region, clock: providerClock });
  const ledger = new MemoryFaultLedger();
  const pipeline = new SafetyPipeline({
    provider,
    ledger,
    clock: new ManualClock(),
    random: new SeededRandom(seed),
    ...(config ? { config } : {}),
    fileExists: async () => false,
  });
  return { fake, provider, ledger, pipeline };
}

describe('SafetyPipeline with AwsProvider', () => {
  it('terminates exactly one opted-in instance of the ASG', async () => {
    const { fake, pipeline } = await setup(webFleet([1, 2, 3, 4, 5, 6]), UNLEASHED);
    const decision = await pipeline.terminate({ monkey: 'chaos', group: 'web' });
    expect(decision.outcome).toBe('executed');
    const calls = fake.calls('TerminateInstances');
    expect(calls).toHaveLength(1);
    expect(calls[0]?.instanceIds).toHaveLength(1);
    const victim = calls[0]?.instanceIds[0] as string;
    expect(decision.outcome === 'executed' && decision.fault.targets).toEqual([victim]);
    expect(fake.state(victim)).toBe('shutting-down');
    expect([1, 2, 3, 4, 5, 6].map(fakeInstanceId).filter((i) => fake.state(i) === 'running')).toHaveLength(5);
  });

  it('sends no TerminateInstances when leashed (the default config)', async () => {
    const { fake, pipeline } = await setup(webFleet([1, 2, 3, 4, 5, 6]));
    const decision = await pipeline.terminate({ monkey: 'chaos', group: 'web' });
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'leashed' });
    expect(fake.calls('DescribeInstances').length).toBeGreaterThan(0);
    expect(fake.requests.filter((r) => r.action !== 'DescribeInstances')).toEqual([]);
  });

  it('never chooses an instance that did not opt in', async () => {
    const opted = [2, 5].map(fakeInstanceId);
    const victims = new Set<string>();
    const { fake, provider } = await setup(webFleet([2, 5]), UNLEASHED);
    for (let seed = 1; seed <= 12; seed++) {
      const pipeline = new SafetyPipeline({ provider, ledger: new MemoryFaultLedger(), clock: new ManualClock(), random: new SeededRandom(seed), config: UNLEASHED, fileExists: async () => false });
      const decision = await pipeline.terminate({ monkey: 'chaos', group: 'web' });
      expect(decision.outcome).toBe('executed');
      const victim = fake.calls('TerminateInstances').at(-1)?.instanceIds[0] as string;
      expect(opted).toContain(victim);
      victims.add(victim);
      fake.setState(victim, 'running');
    }
    // Both opted-in instances were picked at some point: the choice is random, not fixed.
    expect([...victims].sort()).toEqual(opted);
    expect(fake.calls('TerminateInstances')).toHaveLength(12);
  });

  it('skips a group none of whose instances opted in, touching nothing', async () => {
    const { fake, pipeline } = await setup(webFleet([]), UNLEASHED);
    expect(await pipeline.terminate({ monkey: 'chaos', group: 'web' })).toMatchObject({ outcome: 'skipped', reason: 'not-eligible' });
    expect(fake.calls('TerminateInstances')).toHaveLength(0);
  });

  it('reports an EC2 refusal as a failed decision carrying provider.forbidden', async () => {
    const { fake, pipeline } = await setup(webFleet([1, 2, 3, 4, 5, 6]), UNLEASHED);
    fake.failNext('TerminateInstances', 1, { code: 'UnauthorizedOperation', status: 403 });
    const decision = await pipeline.terminate({ monkey: 'chaos', group: 'web' });
    expect(decision.outcome).toBe('failed');
    expect(decision.outcome === 'failed' && isSimianError(decision.error, 'provider.forbidden')).toBe(true);
  });

  it('runs Chaos Gorilla: stops one zone, records a revert id that starts exactly those instances', async () => {
    const { fake, provider, ledger, pipeline } = await setup(webFleet([1, 2, 3, 4, 5, 6]), UNLEASHED);
    const decision = await pipeline.inject(zoneOutageRequest(pipeline.config, { zone: 'us-east-1a' }, 60_000));
    expect(decision.outcome).toBe('executed');
    const zoneA = [fakeInstanceId(1), fakeInstanceId(4)];
    expect(fake.calls('StopInstances').map((c) => c.instanceIds)).toEqual([zoneA]);
    const faultId = decision.outcome === 'executed' ? decision.fault.id : '';
    const revertIds = ledger.revertIds(faultId);
    expect(revertIds).toEqual([`aws:stop-zone:us-east-1a:${zoneA.join(',')}`]);
    await provider.actuator.revert(revertIds[0] as string);
    expect(fake.calls('StartInstances').map((c) => c.instanceIds)).toEqual([zoneA]);
  });

  it('refuses Chaos Gorilla on a zone with an instance that did not opt in', async () => {
    const { fake, pipeline } = await setup(webFleet([1, 2, 3, 5, 6]), UNLEASHED);
    const decision = await pipeline.inject(zoneOutageRequest(pipeline.config, { zone: 'us-east-1a' }, 60_000));
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'not-eligible' });
    expect(fake.calls('StopInstances')).toHaveLength(0);
  });
});
