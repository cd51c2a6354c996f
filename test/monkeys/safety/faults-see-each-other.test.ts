/**
 * Issue 9 item 4 (and 3): faults see each other. Each test injects one fault, then asks the pipeline for a second
 * that is safe alone but would add up to an outage with the first; each second fault was executed before the fix.
 * Every pipeline here is a separate one over the same state store, as two `simian` processes are.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { SeededRandom } from '../../../src/core/random.js';
import { zoneOutageRequest } from '../../../src/monkeys/gorilla/chaos-gorilla.js';
import { killEvacuatedRegion, regionEvacuationRequest } from '../../../src/monkeys/kong/chaos-kong.js';
import { toxicRequest } from '../../../src/monkeys/latency/latency-monkey.js';
import type { SafetyDecision } from '../../../src/monkeys/safety/decision.js';
import { resolveSafetyConfig, type SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { StateStoreLedger } from '../../../src/monkeys/safety/state-store-ledger.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import type { ToxicSpec } from '../../../src/providers/provider.js';
import { StateStore } from '../../../src/state/state-store.js';
import { instance } from './harness.js';

const MINUTE = 60_000;

/** Region us-1 with zones a and b (api: 2 + 2, web: 1 + 1), region eu-1 with zone a (api-eu: 2). */
function inventory(): Instance[] {
  const at = (id: string, group: string, region: string, zone: string) => instance(id, group, { region, zone: `${region}-${zone}` });
  return [
    at('api-a0', 'api', 'us-1', 'a'),
    at('api-a1', 'api', 'us-1', 'a'),
    at('api-b0', 'api', 'us-1', 'b'),
    at('api-b1', 'api', 'us-1', 'b'),
    at('web-a0', 'web', 'us-1', 'a'),
    at('web-b0', 'web', 'us-1', 'b'),
    at('api-eu0', 'api-eu', 'eu-1', 'a'),
    at('api-eu1', 'api-eu', 'eu-1', 'a'),
  ];
}

const stores: StateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** One store and one provider shared by `pipeline()`s that stand for separate processes. */
function platform(config: Partial<SafetyConfig> = {}) {
  const clock = new ManualClock();
  const store = StateStore.open(':memory:', { clock });
  stores.push(store);
  const provider = new MemoryProvider({ instances: inventory() });
  const resolved = resolveSafetyConfig({ leashed: false, minIntervalMs: 0, maxFaultsPerGroupPerDay: 100, ...config });
  let seed = 1;
  const pipeline = () =>
    new SafetyPipeline({ provider, ledger: new StateStoreLedger(store, provider.name), clock, random: new SeededRandom(seed++), config: resolved });
  return { clock, store, provider, pipeline, config: resolved };
}

function reason(decision: SafetyDecision): string {
  return decision.outcome === 'skipped' ? decision.reason : decision.outcome;
}

function detail(decision: SafetyDecision): string {
  return decision.outcome === 'skipped' ? decision.detail : '';
}

describe('faults in force count against the blast radius of the next one', () => {
  it('instances of an isolated zone are not healthy: Chaos Monkey may not take the other zone\'s half too', async () => {
    const p = platform({ maxGroupShare: 0.5, minHealthyLeft: 1 });
    expect(reason(await p.pipeline().inject(zoneOutageRequest(p.config, { zone: 'us-1-a' }, MINUTE)))).toBe('executed');
    // Alone, 2 of api's 4 is within a 0.5 share; with zone a dark, it would leave api with nothing.
    const kill = await p.pipeline().terminate({ monkey: 'chaos', group: 'api', selection: { mode: 'fixed', count: 2 } });
    expect(reason(kill)).toBe('blast-radius');
    expect(detail(kill)).toContain('2 healthy (2 more running but out of service under another fault)');
    expect(p.provider.calls.filter((c) => c.method === 'terminate')).toEqual([]);
  });

  it('an outage-like toxic takes its instances out of service: a second one on the rest of the group is refused', async () => {
    const p = platform({ maxGroupShare: 0.5, minHealthyLeft: 1 });
    const random = new SeededRandom(1);
    const timeout: ToxicSpec = { type: 'timeout', attributes: { timeout: 0 } };
    expect(reason(await p.pipeline().inject(toxicRequest(p.config, random, { instances: ['api-a0', 'api-a1'] }, timeout, MINUTE)))).toBe('executed');
    // Alone, 2 of 4 is within a 0.5 share; with two already timing out, it would leave api nothing.
    const second = await p.pipeline().inject(toxicRequest(p.config, random, { instances: ['api-b0', 'api-b1'] }, { type: 'reset_peer', attributes: { timeout: 0 } }, MINUTE));
    expect(reason(second)).toBe('blast-radius');
    // A mild latency is no outage: it may still cover what is left.
    expect(reason(await p.pipeline().inject(toxicRequest(p.config, random, { instances: ['api-b0', 'api-b1'] }, { type: 'latency', attributes: { latency: 100 } }, MINUTE)))).toBe('executed');
  });

  it.each<[string, ToxicSpec]>([
    ['timeout', { type: 'timeout', attributes: { timeout: 0 } }],
    ['reset_peer', { type: 'reset_peer', attributes: { timeout: 0 } }],
    ['limit_data', { type: 'limit_data', attributes: { bytes: 10 } }],
    ['down', { type: 'down' }],
    ['latency at the callers\' timeout', { type: 'latency', attributes: { latency: 1000 } }],
    ['latency plus jitter past it', { type: 'latency', attributes: { latency: 800, jitter: 300 } }],
  ])('a %s toxic on a whole group is refused by the blast radius', async (_name, toxic) => {
    const p = platform();
    const decision = await p.pipeline().inject(toxicRequest(p.config, new SeededRandom(1), { group: 'web' }, toxic, MINUTE));
    expect(reason(decision)).toBe('blast-radius');
    expect(detail(decision)).toContain('takes its instances out of service');
    expect(p.provider.activeActions()).toEqual([]);
  });

  it('a latency below safety.callerTimeout may still cover a whole group (fallbacks get tested that way)', async () => {
    const p = platform({ callerTimeoutMs: 2_000 });
    const decision = await p.pipeline().inject(toxicRequest(p.config, new SeededRandom(1), { group: 'web' }, { type: 'latency', attributes: { latency: 1500 } }, MINUTE));
    expect(reason(decision)).toBe('executed');
  });
});

describe('zones and regions already hit', () => {
  it('a second Chaos Gorilla may not take the other zone of a region: one isolated zone is not a healthy one', async () => {
    const p = platform({ maxGroupShare: 1, minHealthyLeft: 0 });
    expect(reason(await p.pipeline().inject(zoneOutageRequest(p.config, { zone: 'us-1-a' }, MINUTE)))).toBe('executed');
    const second = await p.pipeline().inject(zoneOutageRequest(p.config, { zone: 'us-1-b' }, MINUTE));
    expect(reason(second)).toBe('blast-radius');
    expect(detail(second)).toContain('region us-1 would keep 0 zone(s) with healthy instances (safety.minHealthyZones 1)');
    expect(p.provider.activeActions().map((a) => a.target)).toEqual(['us-1-a']);
  });

  it('the same zone twice is refused as already isolated', async () => {
    const p = platform({ maxGroupShare: 1, minHealthyLeft: 0 });
    expect(reason(await p.pipeline().inject(zoneOutageRequest(p.config, { zone: 'us-1-a' }, MINUTE)))).toBe('executed');
    const again = await p.pipeline().inject(zoneOutageRequest(p.config, { zone: 'us-1-a' }, MINUTE));
    expect(reason(again)).toBe('not-eligible');
    expect(detail(again)).toContain('already isolated');
  });

  it('two Chaos Kong runs from two processes cannot evacuate every region', async () => {
    const p = platform();
    expect(reason(await p.pipeline().inject(regionEvacuationRequest(p.config, 'us-1', MINUTE)))).toBe('executed');
    const second = await p.pipeline().inject(regionEvacuationRequest(p.config, 'eu-1', MINUTE));
    expect(reason(second)).toBe('blast-radius');
    expect(detail(second)).toContain('would leave 0 region(s) with traffic (us-1 already evacuated)');
    expect(p.provider.activeActions().map((a) => a.target)).toEqual(['us-1']);
  });

  it('an evacuated region serves nobody: its instances do not count as healthy for another monkey', async () => {
    const p = platform();
    expect(reason(await p.pipeline().inject(regionEvacuationRequest(p.config, 'eu-1', MINUTE)))).toBe('executed');
    expect(reason(await p.pipeline().terminate({ monkey: 'chaos', group: 'api-eu' }))).toBe('blast-radius');
  });
});

describe('Chaos Kong --kill-instances goes through the pipeline', () => {
  it('kills as many of each group in the region as the blast radius allows, recorded, and nothing with the kill switch on', async () => {
    const p = platform();
    const kong = p.pipeline();
    const evacuation = await kong.inject(regionEvacuationRequest(p.config, 'eu-1', MINUTE, { killInstances: true }));
    expect(evacuation.outcome).toBe('executed');
    if (evacuation.outcome !== 'executed') return;
    const kills = await killEvacuatedRegion(kong, p.provider, evacuation.fault);
    // api-eu has 2: a 0.5 share and one left allow 1, whatever the evacuation did to their traffic.
    expect(kills.map((k) => [k.group, reason(k.decision), k.decision.outcome === 'executed' ? k.decision.fault.targets.length : 0])).toEqual([['api-eu', 'executed', 1]]);
    expect(p.store.history().filter((h) => h.type === 'termination' && h.monkey === 'kong')).toHaveLength(1);

    const forced = await killEvacuatedRegion(platform().pipeline(), p.provider, evacuation.fault, true);
    expect(forced.map((k) => reason(k.decision))).toEqual(['executed']);

    const stopped = platform({ killSwitch: true });
    const none = await killEvacuatedRegion(stopped.pipeline(), stopped.provider, evacuation.fault, true);
    expect(none.map((k) => reason(k.decision))).toEqual(['kill-switch']);
    expect(stopped.provider.calls).toEqual([]);
  });
});
