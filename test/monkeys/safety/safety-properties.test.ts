import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { randomInt, SeededRandom, type Random } from '../../../src/core/random.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import type { SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import type { VictimSelection } from '../../../src/monkeys/safety/victim-selection.js';
import { MemoryProvider, type MemoryProviderSpec } from '../../../src/providers/memory/memory-provider.js';
import { randomInventory } from '../../../src/providers/memory/random-inventory.js';

const SEEDS = 2_000;
const OPT_IN = 'simian/opt-in';

function pick<T>(random: Random, items: readonly T[]): T {
  return items[randomInt(random, items.length)]!;
}

function randomSelection(random: Random): VictimSelection {
  switch (randomInt(random, 4)) {
    case 0:
      return { mode: 'one' };
    case 1:
      return { mode: 'fixed', count: 1 + randomInt(random, 6) };
    case 2:
      return { mode: 'percent', percent: 1 + randomInt(random, 100) };
    default:
      return { mode: 'max-percent', percent: 1 + randomInt(random, 100) };
  }
}

function randomConfig(random: Random, spec: MemoryProviderSpec, leashed: boolean): Partial<SafetyConfig> {
  const ids = spec.instances.map((i) => i.id);
  const groups = [...new Set(spec.instances.map((i) => i.group))];
  return {
    leashed,
    maxGroupShare: pick(random, [0.1, 0.25, 0.34, 0.5, 0.75, 1]),
    minHealthyLeft: randomInt(random, 4),
    exceptGroups: groups.filter(() => random.next() < 0.15),
    exceptInstances: ids.filter(() => random.next() < 0.1),
    minIntervalMs: 0,
  };
}

/** Eligibility restated independently of src/, so a bug there cannot hide behind itself. */
function independentlyEligible(instance: Instance, spec: MemoryProviderSpec, config: Partial<SafetyConfig>): boolean {
  const groupTag = spec.groupTags?.[instance.group]?.[OPT_IN];
  const optedIn = (instance.tags[OPT_IN] ?? groupTag) === 'true';
  return (
    optedIn &&
    instance.state === 'running' &&
    !(config.exceptGroups ?? []).includes(instance.group) &&
    !(config.exceptInstances ?? []).includes(instance.id)
  );
}

interface Scenario {
  spec: MemoryProviderSpec;
  config: Partial<SafetyConfig>;
  group: string;
  selection: VictimSelection;
}

function scenario(seed: number, leashed: boolean): Scenario {
  const random = new SeededRandom(seed);
  const spec = randomInventory(random, { optInTag: OPT_IN });
  const groups = [...new Set(spec.instances.map((i) => i.group))];
  // Now and then ask for a group that does not exist.
  const group = groups.length === 0 || random.next() < 0.05 ? 'missing' : pick(random, groups);
  return { spec, config: randomConfig(random, spec, leashed), group, selection: randomSelection(random) };
}

async function run(seed: number, s: Scenario, ledger = new MemoryFaultLedger()) {
  const provider = new MemoryProvider(s.spec);
  const pipeline = new SafetyPipeline({
    provider,
    ledger,
    clock: new ManualClock(),
    random: new SeededRandom(seed * 7919 + 1),
    config: s.config,
  });
  const decision = await pipeline.terminate({ monkey: 'chaos', group: s.group, selection: s.selection });
  return { decision, provider, ledger };
}

describe('SafetyPipeline properties over random inventories and configs', () => {
  it(`chosen victims are always eligible, opted in and within the blast radius (${SEEDS} seeds)`, async () => {
    const outcomes = new Map<string, number>();
    for (let seed = 0; seed < SEEDS; seed++) {
      const s = scenario(seed, false);
      const { decision, provider, ledger } = await run(seed, s);
      const key = decision.outcome === 'skipped' ? decision.reason : decision.outcome;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      const terminated = provider.calls.filter((c) => c.method === 'terminate').map((c) => c.instanceId);
      if (decision.outcome !== 'executed') {
        expect(terminated, `seed ${seed}`).toEqual([]);
        continue;
      }
      const targets = decision.fault.targets;
      expect(new Set(targets).size, `seed ${seed}: no repeats`).toBe(targets.length);
      expect(terminated, `seed ${seed}: exactly the victims`).toEqual(targets);
      const group = s.spec.instances.filter((i) => i.group === s.group);
      for (const id of targets) {
        const victim = group.find((i) => i.id === id);
        expect(victim, `seed ${seed}: ${id} is in group ${s.group}`).toBeDefined();
        expect(independentlyEligible(victim!, s.spec, s.config), `seed ${seed}: ${id} eligible`).toBe(true);
      }
      const running = group.filter((i) => i.state === 'running').length;
      expect(targets.length, `seed ${seed}: share`).toBeLessThanOrEqual(Math.floor(running * s.config.maxGroupShare! + 1e-9));
      expect(running - targets.length, `seed ${seed}: healthy left`).toBeGreaterThanOrEqual(s.config.minHealthyLeft!);
      expect(ledger.faults.map((f) => f.id), `seed ${seed}: recorded`).toEqual([decision.fault.id]);
    }
    // The property is not vacuous: the generator reaches executions and the main refusals.
    expect(outcomes.get('executed') ?? 0).toBeGreaterThan(20);
    for (const reason of ['not-eligible', 'blast-radius', 'no-victims']) expect(outcomes.get(reason) ?? 0, reason).toBeGreaterThan(0);
  });

  it(`a leashed (dry-run) run never calls the actuator (${SEEDS} seeds)`, async () => {
    let wouldHaveActed = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const { decision, provider, ledger } = await run(seed, scenario(seed, true));
      expect(decision.outcome, `seed ${seed}`).toBe('skipped');
      expect(provider.calls, `seed ${seed}`).toEqual([]);
      expect(ledger.faults, `seed ${seed}`).toEqual([]);
      if (decision.outcome === 'skipped' && decision.reason === 'leashed') wouldHaveActed++;
    }
    expect(wouldHaveActed).toBeGreaterThan(20);
  });

  it(`a recording failure prevents the fault (${SEEDS} seeds)`, async () => {
    let refused = 0;
    for (let seed = 0; seed < SEEDS; seed++) {
      const ledger = new MemoryFaultLedger();
      ledger.failRecords = true;
      const { decision, provider } = await run(seed, scenario(seed, false), ledger);
      expect(decision.outcome, `seed ${seed}`).not.toBe('executed');
      expect(provider.calls, `seed ${seed}`).toEqual([]);
      if (decision.outcome === 'skipped' && decision.reason === 'record-failed') refused++;
    }
    expect(refused).toBeGreaterThan(20);
  });

  it('replays the same decision from the same seed', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const a = await run(seed, scenario(seed, false));
      const b = await run(seed, scenario(seed, false));
      expect(a.decision, `seed ${seed}`).toEqual(b.decision);
    }
  });
});
