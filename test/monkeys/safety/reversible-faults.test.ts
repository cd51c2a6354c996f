import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { SeededRandom } from '../../../src/core/random.js';
import { zoneOutageRequest } from '../../../src/monkeys/gorilla/chaos-gorilla.js';
import { killEvacuatedRegion, regionEvacuationRequest } from '../../../src/monkeys/kong/chaos-kong.js';
import { toxicRequest } from '../../../src/monkeys/latency/latency-monkey.js';
import { FaultReverter } from '../../../src/monkeys/revert/fault-reverter.js';
import type { SafetyDecision } from '../../../src/monkeys/safety/decision.js';
import { resolveSafetyConfig, type SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { StateStoreLedger } from '../../../src/monkeys/safety/state-store-ledger.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { StateStore } from '../../../src/state/state-store.js';
import { OPT_IN, instance } from './harness.js';

const MINUTE = 60_000;

/** Two regions; us-1 has zones a and b, eu-1 has zone a; groups api (3 per region) and web. */
function inventory(): Instance[] {
  const at = (id: string, group: string, region: string, zone: string) => instance(id, group, { region, zone: `${region}-${zone}` });
  return [
    at('api-1', 'api', 'us-1', 'a'),
    at('api-2', 'api', 'us-1', 'b'),
    at('api-3', 'api', 'us-1', 'b'),
    at('web-1', 'web', 'us-1', 'a'),
    at('web-2', 'web', 'us-1', 'b'),
    at('api-4', 'api', 'eu-1', 'a'),
  ];
}

const stores: StateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(config: Partial<SafetyConfig> = {}, instances: Instance[] = inventory()) {
  const clock = new ManualClock();
  const store = StateStore.open(':memory:', { clock });
  stores.push(store);
  const provider = new MemoryProvider({ instances });
  const resolved = resolveSafetyConfig({ leashed: false, minIntervalMs: 0, ...config });
  const reverter = new FaultReverter({ store, clock, actuators: () => provider.actuator, pid: 100, isAlive: () => false });
  const ledger = new StateStoreLedger(store, provider.name);
  const pipeline = new SafetyPipeline({ provider, ledger, clock, random: new SeededRandom(3), config: resolved, reverter, ownerPid: 100 });
  return { clock, store, provider, pipeline, reverter, config: resolved, ledger };
}

function skipped(decision: SafetyDecision): string | undefined {
  return decision.outcome === 'skipped' ? decision.reason : undefined;
}

describe('reversible faults through the safety pipeline', () => {
  it('records the fault with its TTL and owner before acting, attaches the revert id, and reverts on time', async () => {
    const { clock, store, provider, pipeline, config } = setup();
    const decision = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { group: 'web' }, { type: 'latency', attributes: { latency: 300 } }, 5 * MINUTE));
    expect(decision.outcome).toBe('executed');
    const [fault] = store.activeFaults();
    expect(fault).toMatchObject({ kind: 'latency', group: 'web', monkey: 'latency', ownerPid: 100, expiresAt: clock.now() + 5 * MINUTE });
    expect(fault!.targets).toEqual(['web-1', 'web-2']);
    expect(fault!.revertIds).toHaveLength(2);
    expect(provider.activeActions()).toHaveLength(2);

    await clock.advance(5 * MINUTE - 1);
    expect(provider.activeActions()).toHaveLength(2);
    await clock.advance(1);
    expect(provider.activeActions()).toEqual([]);
    expect(store.activeFaults()).toEqual([]);
    expect(store.fault(fault!.id)?.revert).toMatchObject({ outcome: 'reverted', trigger: 'ttl' });
  });

  it('leashed: plans, reports what it would do, records nothing and touches nothing', async () => {
    const { store, provider, pipeline, config } = setup({ leashed: true });
    const decision = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-a' }, MINUTE));
    expect(skipped(decision)).toBe('leashed');
    expect(decision.outcome === 'skipped' && decision.detail).toMatch(/would inject zone-outage on us-1\/us-1-a/);
    expect(provider.calls).toEqual([]);
    expect(store.activeFaults()).toEqual([]);
  });

  it('a fault that cannot be recorded is not injected', async () => {
    const { store, provider, pipeline, config } = setup();
    store.close();
    const decision = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-a' }, MINUTE));
    // The closed store fails the history read first: either way, nothing is touched.
    expect(['check-failed', 'record-failed']).toContain(skipped(decision));
    expect(provider.calls).toEqual([]);
  });

  it('an action failing half-way is rolled back, and the fault is marked reverted by abort', async () => {
    const { store, provider, pipeline, config } = setup();
    // The first toxic goes on, the second fails.
    const original = provider.actuator.addToxic;
    let calls = 0;
    (provider.actuator as { addToxic: typeof original }).addToxic = async (target, toxic) => {
      if (++calls === 2) throw new Error('proxy vanished');
      return original(target, toxic);
    };
    const decision = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { group: 'web' }, { type: 'latency', attributes: { latency: 1 } }, MINUTE));
    expect(decision.outcome).toBe('failed');
    expect(decision.outcome === 'failed' && decision.affected).toHaveLength(1);
    expect(provider.activeActions()).toEqual([]);
    expect(store.activeFaults()).toEqual([]);
    expect(store.history()[0]).toMatchObject({ type: 'fault', revert: { outcome: 'reverted', trigger: 'abort' } });
  });

  it('refuses a duration beyond maxFaultDurationMs', async () => {
    const { provider, pipeline, config } = setup({ maxFaultDurationMs: MINUTE });
    const decision = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-a' }, MINUTE + 1));
    expect(skipped(decision)).toBe('blast-radius');
    expect(provider.calls).toEqual([]);
  });

  it('counts the minimum interval per scope: a second outage of the same zone is refused, another zone is not', async () => {
    const { pipeline, config, provider, reverter } = setup({ minIntervalMs: 10 * MINUTE, maxGroupShare: 1 });
    const first = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-a' }, MINUTE));
    expect(first.outcome).toBe('executed');
    await reverter.revert(first.outcome === 'executed' ? first.fault.id : '', 'manual');
    expect(skipped(await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-a' }, MINUTE)))).toBe('min-interval');
    expect((await pipeline.inject(regionEvacuationRequest(config, 'eu-1', MINUTE))).outcome).toBe('executed');
    expect(provider.activeActions().map((a) => a.method)).toEqual(['evacuateRegion']);
  });

  it('a zone outage counts for the minimum interval of every group it hits', async () => {
    const { pipeline, config, reverter } = setup({ minIntervalMs: 10 * MINUTE, maxGroupShare: 1 });
    const outage = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-a' }, MINUTE));
    expect(outage.outcome).toBe('executed');
    await reverter.revert(outage.outcome === 'executed' ? outage.fault.id : '', 'manual');
    const toxic = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { group: 'web' }, { type: 'latency', attributes: { latency: 100 } }, MINUTE));
    expect(skipped(toxic)).toBe('min-interval');
    expect(toxic.outcome === 'skipped' && toxic.detail).toMatch(/^web had a fault 0ms ago; safety.minInterval is 10m/);
    expect(skipped(await pipeline.terminate({ monkey: 'chaos', group: 'api' }))).toBe('min-interval');
  });
});

describe('Chaos Gorilla planning', () => {
  it('hits everything running in the zone; keeps minHealthyZones and the group floor', async () => {
    const { pipeline, config, store } = setup();
    const decision = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-b' }, MINUTE));
    // api loses 2 of 3 in us-1... but api is one group across regions here: 2 of 4, within a 0.5 share.
    expect(decision.outcome).toBe('executed');
    expect(store.activeFaults()[0]?.parameters).toMatchObject({ region: 'us-1', zone: 'us-1-b', instances: ['api-2', 'api-3', 'web-2'] });
  });

  it('refuses the last zone of a region unless forced, and a zone with non-opted-in instances always', async () => {
    const { pipeline, config, provider } = setup({ maxGroupShare: 1, minHealthyLeft: 0 });
    const last = await pipeline.inject(zoneOutageRequest(config, { zone: 'eu-1-a' }, MINUTE));
    expect(skipped(last)).toBe('blast-radius');
    expect(last.outcome === 'skipped' && last.detail).toMatch(/region eu-1 would keep 0 zone\(s\)/);
    expect((await pipeline.inject(zoneOutageRequest(config, { zone: 'eu-1-a' }, MINUTE, true))).outcome).toBe('executed');

    const shy = setup({}, [...inventory(), instance('db-1', 'db', { region: 'us-1', zone: 'us-1-a', tags: { [OPT_IN]: 'false' } })]);
    const refused = await shy.pipeline.inject(zoneOutageRequest(shy.config, { zone: 'us-1-a' }, MINUTE, true));
    expect(skipped(refused)).toBe('not-eligible');
    expect(refused.outcome === 'skipped' && refused.detail).toMatch(/db-1/);
    expect(shy.provider.calls).toEqual([]);
    expect(provider.calls.filter((c) => c.method === 'isolateZone')).toHaveLength(1);
  });

  it('names an unknown zone', async () => {
    const { pipeline, config } = setup();
    const decision = await pipeline.inject(zoneOutageRequest(config, { zone: 'mars-1a' }, MINUTE));
    expect(skipped(decision)).toBe('unknown-target');
    expect(decision.outcome === 'skipped' && decision.detail).toBe('no zone "mars-1a" (known: us-1-a, us-1-b, eu-1-a) in provider memory');
    const typo = await pipeline.inject(zoneOutageRequest(config, { zone: 'us-1-c' }, MINUTE));
    expect(typo.outcome === 'skipped' && typo.detail).toMatch(/did you mean "us-1-a"\?/);
  });
});

describe('Chaos Kong planning', () => {
  it('refuses to evacuate the only region unless forced', async () => {
    const single = inventory().filter((i) => i.region === 'us-1');
    const { pipeline, config, provider } = setup({}, single);
    const refused = await pipeline.inject(regionEvacuationRequest(config, 'us-1', MINUTE));
    expect(skipped(refused)).toBe('blast-radius');
    expect(refused.outcome === 'skipped' && refused.detail).toMatch(/leave 0 region\(s\) with traffic/);
    expect(provider.calls).toEqual([]);
    const forced = await pipeline.inject(regionEvacuationRequest(config, 'us-1', MINUTE, { force: true }));
    expect(forced.outcome).toBe('executed');
  });

  it('with killInstances, terminates the evacuated region\'s opted-in instances after the traffic has gone', async () => {
    const { pipeline, config, provider } = setup();
    const decision = await pipeline.inject(regionEvacuationRequest(config, 'eu-1', MINUTE, { killInstances: true }));
    expect(decision.outcome).toBe('executed');
    const kills = await killEvacuatedRegion(pipeline, provider, decision.outcome === 'executed' ? decision.fault : (undefined as never));
    expect(kills.map((k) => [k.group, k.decision.outcome])).toEqual([['api', 'executed']]);
    expect(provider.calls.map((c) => c.method)).toEqual(['evacuateRegion', 'terminate']);
    expect(provider.calls[1]).toMatchObject({ instanceId: 'api-4' });
  });

  it('does not count a region already evacuated as healthy', async () => {
    const { pipeline, config } = setup();
    const decision = await pipeline.inject(regionEvacuationRequest(config, 'us-1', MINUTE, { alreadyEvacuated: ['eu-1'] }));
    expect(skipped(decision)).toBe('blast-radius');
  });
});

describe('Latency Monkey planning', () => {
  it('a slowing toxic may cover a whole group; a down toxic follows the group blast radius', async () => {
    const { pipeline, config } = setup();
    const slow = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { group: 'api' }, { type: 'latency', attributes: { latency: 100 } }, MINUTE));
    expect(slow.outcome === 'executed' && slow.fault.targets).toEqual(['api-1', 'api-2', 'api-3', 'api-4']);
    const down = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { group: 'web' }, { type: 'down' }, MINUTE));
    expect(skipped(down)).toBe('blast-radius');
  });

  it('narrows by zone and instance ids, and refuses targets with nothing eligible', async () => {
    const { pipeline, config } = setup();
    const zoned = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { zone: 'us-1-b' }, { type: 'timeout', attributes: { timeout: 0 } }, MINUTE));
    expect(zoned.outcome === 'executed' && zoned.fault).toMatchObject({ kind: 'timeout', targets: ['api-2', 'api-3', 'web-2'] });
    const unknown = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { instances: ['nope'] }, { type: 'latency' }, MINUTE));
    expect(skipped(unknown)).toBe('unknown-target');
    const none = await pipeline.inject(toxicRequest(config, new SeededRandom(1), { instances: ['api-1'] }, { type: 'latency' }, MINUTE, false));
    const excepted = await setup({ exceptInstances: ['api-1'] }).pipeline.inject(toxicRequest(resolveSafetyConfig({ exceptInstances: ['api-1'] }), new SeededRandom(1), { instances: ['api-1'] }, { type: 'latency' }, MINUTE));
    expect(none.outcome).toBe('executed');
    expect(skipped(excepted)).toBe('not-eligible');
  });
});
