/**
 * The safety properties of issue 4, for reversible faults: over random inventories and configs, Latency Monkey's
 * and Chaos Gorilla's targets are always running, opted in and within the blast radius; a leashed run never calls
 * the actuator; a recording failure prevents the fault. Eligibility is restated here, independently of src/.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { randomInt, SeededRandom, type Random } from '../../../src/core/random.js';
import { zoneOutageRequest } from '../../../src/monkeys/gorilla/chaos-gorilla.js';
import { toxicRequest } from '../../../src/monkeys/latency/latency-monkey.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import { resolveSafetyConfig, type SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { MemoryProvider, type MemoryProviderSpec } from '../../../src/providers/memory/memory-provider.js';
import { randomInventory } from '../../../src/providers/memory/random-inventory.js';
import type { ToxicSpec } from '../../../src/providers/provider.js';

const SEEDS = 2_000;
const OPT_IN = 'simian/opt-in';
const MINUTE = 60_000;

function pick<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, items.length)]!;
}

function optedIn(instance: Instance, spec: MemoryProviderSpec): boolean {
  return (instance.tags[OPT_IN] ?? spec.groupTags?.[instance.group]?.[OPT_IN]) === 'true';
}

function eligible(instance: Instance, spec: MemoryProviderSpec, config: SafetyConfig): boolean {
  return optedIn(instance, spec) && instance.state === 'running' && !config.exceptGroups.includes(instance.group) && !config.exceptInstances.includes(instance.id);
}

function scenario(seed: number, leashed: boolean) {
  const random = new SeededRandom(seed);
  const spec = randomInventory(random, { optInTag: OPT_IN });
  const groups = [...new Set(spec.instances.map((i) => i.group))];
  const config = resolveSafetyConfig({
    leashed,
    minIntervalMs: 0,
    maxGroupShare: pick(random, [0.25, 0.5, 0.75, 1]),
    minHealthyLeft: randomInt(random, 3),
    minHealthyZones: randomInt(random, 2),
    exceptGroups: groups.filter(() => random.next() < 0.1),
    exceptInstances: spec.instances.map((i) => i.id).filter(() => random.next() < 0.1),
  });
  const toxic: ToxicSpec = pick(random, [{ type: 'latency', attributes: { latency: 100 } }, { type: 'down' }] as const);
  const zone = spec.instances.length > 0 ? pick(random, spec.instances) : undefined;
  return { spec, config, group: groups.length > 0 ? pick(random, groups) : 'none', toxic, zone };
}

function pipelineFor(seed: number, spec: MemoryProviderSpec, config: SafetyConfig, ledger = new MemoryFaultLedger()) {
  const provider = new MemoryProvider(spec);
  const pipeline = new SafetyPipeline({ provider, ledger, clock: new ManualClock(), random: new SeededRandom(seed + 1), config });
  return { provider, pipeline, ledger };
}

describe('reversible faults over random inventories and configs', () => {
  it(`Latency Monkey's targets are eligible, and a down toxic stays within the group's blast radius (${SEEDS} seeds)`, async () => {
    const outcomes = new Map<string, number>();
    for (let seed = 0; seed < SEEDS; seed++) {
      const s = scenario(seed, false);
      const { provider, pipeline } = pipelineFor(seed, s.spec, s.config);
      const decision = await pipeline.inject(toxicRequest(s.config, new SeededRandom(seed), { group: s.group }, s.toxic, MINUTE));
      const key = decision.outcome === 'skipped' ? decision.reason : decision.outcome;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      const hit = provider.calls.filter((c) => c.method === 'addToxic').map((c) => c.target);
      if (decision.outcome !== 'executed') {
        expect(provider.activeActions(), `seed ${seed}`).toEqual([]);
        continue;
      }
      expect(hit, `seed ${seed}: exactly the targets`).toEqual(decision.fault.targets);
      const members = s.spec.instances.filter((i) => i.group === s.group);
      for (const id of hit) expect(eligible(members.find((i) => i.id === id)!, s.spec, s.config), `seed ${seed}: ${id}`).toBe(true);
      if (s.toxic.type === 'down') {
        const running = members.filter((i) => i.state === 'running').length;
        expect(hit.length, `seed ${seed}: share`).toBeLessThanOrEqual(Math.floor(running * s.config.maxGroupShare + 1e-9));
        expect(running - hit.length, `seed ${seed}: left`).toBeGreaterThanOrEqual(s.config.minHealthyLeft);
      }
    }
    expect(outcomes.get('executed') ?? 0).toBeGreaterThan(30);
    for (const reason of ['not-eligible', 'blast-radius']) expect(outcomes.get(reason) ?? 0, reason).toBeGreaterThan(0);
  });

  it(`Chaos Gorilla only takes a zone whose every running instance opted in, leaving each group its floor (${SEEDS} seeds)`, async () => {
    let executed = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const s = scenario(seed, false);
      if (!s.zone) continue;
      const { provider, pipeline } = pipelineFor(seed, s.spec, s.config);
      const decision = await pipeline.inject(zoneOutageRequest(s.config, { zone: s.zone.zone, region: s.zone.region }, MINUTE));
      if (decision.outcome !== 'executed') {
        expect(provider.calls.filter((c) => c.method === 'isolateZone'), `seed ${seed}`).toEqual([]);
        continue;
      }
      executed++;
      const running = s.spec.instances.filter((i) => i.state === 'running');
      const inZone = running.filter((i) => i.zone === s.zone!.zone && i.region === s.zone!.region);
      for (const instance of inZone) expect(eligible(instance, s.spec, s.config), `seed ${seed}: ${instance.id}`).toBe(true);
      for (const group of new Set(inZone.map((i) => i.group))) {
        const members = running.filter((i) => i.group === group);
        const lost = inZone.filter((i) => i.group === group).length;
        expect(members.length - lost, `seed ${seed}: ${group} keeps its floor`).toBeGreaterThanOrEqual(s.config.minHealthyLeft);
        expect(lost, `seed ${seed}: ${group} share`).toBeLessThanOrEqual(Math.floor(members.length * s.config.maxGroupShare + 1e-9));
      }
    }
    expect(executed).toBeGreaterThan(5);
  });

  it(`leashed runs never call the actuator, and a recording failure prevents the fault (${SEEDS} seeds)`, async () => {
    let leashedSeen = 0;
    let recordFailed = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const leashed = scenario(seed, true);
      const dry = pipelineFor(seed, leashed.spec, leashed.config);
      const decision = await dry.pipeline.inject(toxicRequest(leashed.config, new SeededRandom(seed), { group: leashed.group }, leashed.toxic, MINUTE));
      expect(decision.outcome, `seed ${seed}`).toBe('skipped');
      expect(dry.provider.calls, `seed ${seed}`).toEqual([]);
      if (decision.outcome === 'skipped' && decision.reason === 'leashed') leashedSeen++;

      const failing = new MemoryFaultLedger();
      failing.failRecords = true;
      const s = scenario(seed, false);
      const wet = pipelineFor(seed, s.spec, s.config, failing);
      const refused = await wet.pipeline.inject(toxicRequest(s.config, new SeededRandom(seed), { group: s.group }, s.toxic, MINUTE));
      expect(refused.outcome, `seed ${seed}`).not.toBe('executed');
      expect(wet.provider.calls, `seed ${seed}`).toEqual([]);
      if (refused.outcome === 'skipped' && refused.reason === 'record-failed') recordFailed++;
    }
    expect(leashedSeen).toBeGreaterThan(30);
    expect(recordFailed).toBeGreaterThan(30);
  });
});
