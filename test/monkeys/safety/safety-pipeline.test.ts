import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import type { SafetyDecision, SkipReason } from '../../../src/monkeys/safety/decision.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { SKIP_REASONS } from '../../../src/monkeys/safety/decision.js';
import type { DecisionEvent } from '../../../src/monkeys/safety/safety-pipeline.js';
import { DEFAULT_SPEC, harness, instance, OPT_IN } from './harness.js';

const HOUR = 3_600_000;

function expectSkip(decision: SafetyDecision, reason: SkipReason): void {
  expect(decision.outcome).toBe('skipped');
  if (decision.outcome === 'skipped') expect(decision.reason).toBe(reason);
}

const request = { monkey: 'chaos', group: 'api' } as const;

describe('SafetyPipeline: every skip reason, and what it did not consult', () => {
  it('disabled: consults nothing at all', async () => {
    const h = harness({ config: { enabled: false, leashed: false, killSwitch: true }, outage: () => true });
    expectSkip(await h.pipeline.terminate(request), 'disabled');
    expect(h.counts).toEqual({ outage: 0, fileExists: 0, inventoryReads: 0, ledgerReads: 0, ledgerRecords: 0 });
    expect(h.memory.calls).toEqual([]);
  });

  it('kill-switch (flag): the outage check is not consulted', async () => {
    const h = harness({ config: { killSwitch: true, leashed: false }, outage: () => true });
    expectSkip(await h.pipeline.terminate(request), 'kill-switch');
    expect(h.counts.outage).toBe(0);
    expect(h.memory.calls).toEqual([]);
  });

  it('kill-switch (file): a configured file that exists stops the fault', async () => {
    const h = harness({ config: { killSwitchFile: '/run/simian/stop', leashed: false }, fileExists: async () => true });
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'kill-switch');
    if (decision.outcome === 'skipped') expect(decision.detail).toContain('/run/simian/stop');
    expect(h.counts.fileExists).toBe(1);
    expect(h.counts.outage).toBe(0);
  });

  describe('kill-switch against the real filesystem', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('is engaged once the file is created, and not before', async () => {
      dir = mkdtempSync(join(tmpdir(), 'simian-kill-switch-'));
      const file = join(dir, 'stop');
      const memory = new MemoryProvider(DEFAULT_SPEC);
      const pipeline = new SafetyPipeline({
        provider: memory,
        ledger: new MemoryFaultLedger(),
        clock: new ManualClock(),
        random: new SeededRandom(3),
        config: { killSwitchFile: file, leashed: false },
      });
      expect((await pipeline.terminate(request)).outcome).toBe('executed');
      writeFileSync(file, '');
      expectSkip(await pipeline.terminate(request), 'kill-switch');
      expect(memory.calls.filter((c) => c.method === 'terminate')).toHaveLength(1);
    });
  });

  it('check-failed: a kill-switch file that cannot be checked skips', async () => {
    const h = harness({
      config: { killSwitchFile: '/x', leashed: false },
      fileExists: async () => {
        throw new Error('EACCES');
      },
    });
    expectSkip(await h.pipeline.terminate(request), 'check-failed');
    expect(h.counts.outage).toBe(0);
  });

  it('outage: an outage in progress skips before the inventory is read', async () => {
    const h = harness({ outage: () => true });
    expectSkip(await h.pipeline.terminate(request), 'outage');
    expect(h.counts.outage).toBe(1);
    expect(h.counts.inventoryReads).toBe(0);
    expect(h.memory.calls).toEqual([]);
  });

  it('outage-unknown: an outage check that throws skips (we cannot see, so we do not break things)', async () => {
    const boom = new Error('prometheus unreachable');
    const h = harness({
      outage: () => {
        throw boom;
      },
    });
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'outage-unknown');
    if (decision.outcome === 'skipped') expect(decision.error).toBe(boom);
    expect(h.counts.inventoryReads).toBe(0);
    expect(h.memory.calls).toEqual([]);
  });

  it('outage-unknown: an outage check that rejects skips too', async () => {
    const h = harness({ outage: () => Promise.reject(new Error('timeout')) });
    expectSkip(await h.pipeline.terminate(request), 'outage-unknown');
    expect(h.memory.calls).toEqual([]);
  });

  it('outage-unknown: an outage check that answers it cannot tell skips, with its reason', async () => {
    const h = harness({ outage: () => ({ state: 'unknown', detail: 'no data for gateway-availability' }) });
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'outage-unknown');
    if (decision.outcome === 'skipped') expect(decision.detail).toContain('no data for gateway-availability');
    expect(h.counts.inventoryReads).toBe(0);
    expect(h.memory.calls).toEqual([]);
  });

  it('outage: an outage verdict skips with what shows it', async () => {
    const h = harness({ outage: () => ({ state: 'outage', detail: 'gateway-availability burns 20x over 5m' }) });
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'outage');
    if (decision.outcome === 'skipped') expect(decision.detail).toContain('burns 20x');
  });

  it('check-failed: an unreadable inventory skips', async () => {
    const h = harness();
    h.memory.failAlways('groups');
    expectSkip(await h.pipeline.terminate(request), 'check-failed');
    expect(h.counts.ledgerReads).toBe(0);
  });

  it('unknown-target: an unknown group, with a did-you-mean and the known names', async () => {
    const h = harness();
    const decision = await h.pipeline.terminate({ monkey: 'chaos', group: 'apii' });
    expectSkip(decision, 'unknown-target');
    if (decision.outcome === 'skipped') expect(decision.detail).toBe('no group "apii"; did you mean "api"? (known: api) in provider memory');
    expect(h.counts.ledgerReads).toBe(0);
  });

  it('not-eligible: a group that did not opt in', async () => {
    const spec = { instances: [0, 1, 2].map((i) => instance(`api-${i}`, 'api', { tags: {} })) };
    const h = harness({ spec });
    expectSkip(await h.pipeline.terminate(request), 'not-eligible');
    expect(h.memory.calls).toEqual([]);
  });

  it('eligibility: the group tag opts in, an instance tag overrides it, exceptions and non-running are out', async () => {
    const spec = {
      instances: [
        instance('a', 'api', { tags: {} }),
        instance('b', 'api', { tags: { [OPT_IN]: 'false' } }),
        instance('c', 'api', { tags: {}, state: 'stopped' }),
        instance('d', 'api', { tags: {} }),
        instance('e', 'api', { tags: {} }),
        instance('f', 'api', { tags: {} }),
      ],
      groupTags: { api: { [OPT_IN]: 'true' } },
    };
    const hit = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const h = harness({ spec, seed, config: { leashed: false, exceptInstances: ['d', 'e'] } });
      const decision = await h.pipeline.terminate(request);
      expect(decision.outcome).toBe('executed');
      if (decision.outcome !== 'executed') continue;
      expect(decision.fault.targets).toHaveLength(1);
      for (const id of decision.fault.targets) hit.add(id);
    }
    expect([...hit].sort()).toEqual(['a', 'f']);
  });

  it('not-eligible: an excepted group', async () => {
    const h = harness({ config: { leashed: false, exceptGroups: ['api'] } });
    expectSkip(await h.pipeline.terminate(request), 'not-eligible');
  });

  it('no-victims: a percentage that rounds down to nobody', async () => {
    const h = harness();
    expectSkip(await h.pipeline.terminate({ ...request, selection: { mode: 'percent', percent: 10 } }), 'no-victims');
    expect(h.counts.ledgerReads).toBe(0);
  });

  it('blast-radius: more than the allowed share of the group', async () => {
    const h = harness();
    // 3 of 4 is 75% > the default 50%.
    expectSkip(await h.pipeline.terminate({ ...request, selection: { mode: 'fixed', count: 3 } }), 'blast-radius');
    expect(h.counts.ledgerReads).toBe(0);
    expect(h.memory.calls).toEqual([]);
  });

  it('blast-radius: not enough healthy instances would be left', async () => {
    const h = harness({ config: { leashed: false, maxGroupShare: 1, minHealthyLeft: 3 } });
    expectSkip(await h.pipeline.terminate({ ...request, selection: { mode: 'fixed', count: 2 } }), 'blast-radius');
    const ok = harness({ config: { leashed: false, maxGroupShare: 1, minHealthyLeft: 3 } });
    expect((await ok.pipeline.terminate(request)).outcome).toBe('executed');
  });

  it('blast-radius: a group of one is never emptied by default', async () => {
    const h = harness({ spec: { instances: [instance('solo', 'api')] } });
    expectSkip(await h.pipeline.terminate(request), 'blast-radius');
  });

  it('leashed is the default: it says what it would do and how to lift the leash, and touches nothing', async () => {
    const h = harness({ config: {} });
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'leashed');
    if (decision.outcome === 'skipped') {
      expect(decision.fault?.targets).toHaveLength(1);
      expect(decision.detail).toContain(decision.fault?.targets[0]);
      expect(decision.detail).toContain('--unleash');
    }
    expect(h.memory.calls).toEqual([]);
    expect(h.counts.ledgerRecords).toBe(0);
  });

  it('a dry run (leashed) evaluates every guard and reports the first that would stop the real run', async () => {
    const recent = { id: 'chaos-1', kind: 'terminate' as const, targets: ['api-0'], startedAt: new ManualClock().now(), parameters: {}, group: 'api', monkey: 'chaos' };
    const h = harness({ config: { minIntervalMs: HOUR }, history: [recent] });
    await h.clock.advance(36_000);
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'min-interval');
    if (decision.outcome === 'skipped') expect(decision.detail).toBe('api had a fault 36s ago; safety.minInterval is 1h (the next one may come in 59m24s; lower safety.minInterval in simian.yaml to go sooner)');
    // Past the interval the same dry run says it would act.
    await h.clock.advance(HOUR);
    expectSkip(await h.pipeline.terminate(request), 'leashed');
    expect(h.memory.calls).toEqual([]);
    expect(h.counts.ledgerRecords).toBe(0);
  });

  it('unleashed-in-test: refuses in the test environment unless allowed', async () => {
    const refused = harness({ config: { leashed: false, environment: 'test' } });
    expectSkip(await refused.pipeline.terminate(request), 'unleashed-in-test');
    expect(refused.memory.calls).toEqual([]);
    expect(refused.counts.ledgerReads).toBe(0);
    const allowed = harness({ config: { leashed: false, environment: 'test', allowUnleashedInTest: true } });
    expect((await allowed.pipeline.terminate(request)).outcome).toBe('executed');
    // A dry run in the test environment says the real run would be refused, rather than "would terminate".
    const leashedInTest = harness({ config: { environment: 'test' } });
    const decision = await leashedInTest.pipeline.terminate(request);
    expectSkip(decision, 'unleashed-in-test');
    if (decision.outcome === 'skipped') expect(decision.detail).toContain('safety.allowUnleashedInTest');
    expectSkip(await harness({ config: { environment: 'test', allowUnleashedInTest: true } }).pipeline.terminate(request), 'leashed');
  });

  it('min-interval: a fault too recent in the group skips; after the interval it runs', async () => {
    const h = harness({ config: { leashed: false, minIntervalMs: HOUR } });
    expect((await h.pipeline.terminate(request)).outcome).toBe('executed');
    await h.clock.advance(HOUR - 1);
    expectSkip(await h.pipeline.terminate(request), 'min-interval');
    expect(h.counts.ledgerRecords).toBe(1);
    await h.clock.advance(1);
    expect((await h.pipeline.terminate(request)).outcome).toBe('executed');
    // Another group's history does not hold this one back.
    const elsewhere = h.ledger.faults.map((f) => ({ ...f, group: 'web' }));
    const other = harness({ config: { leashed: false, minIntervalMs: HOUR }, history: elsewhere });
    expect((await other.pipeline.terminate(request)).outcome).toBe('executed');
  });

  it('max-per-day: the quota over a rolling 24 hours', async () => {
    const spec = { instances: Array.from({ length: 10 }, (_, i) => instance(`api-${i}`, 'api')) };
    const h = harness({ spec, config: { leashed: false, minIntervalMs: 0, maxFaultsPerGroupPerDay: 2 } });
    expect((await h.pipeline.terminate(request)).outcome).toBe('executed');
    await h.clock.advance(HOUR);
    expect((await h.pipeline.terminate(request)).outcome).toBe('executed');
    await h.clock.advance(HOUR);
    expectSkip(await h.pipeline.terminate(request), 'max-per-day');
    expect(h.counts.ledgerRecords).toBe(2);
    await h.clock.advance(22 * HOUR); // exactly 24 h after the first fault: still inside the window
    expectSkip(await h.pipeline.terminate(request), 'max-per-day');
    await h.clock.advance(1); // now it has left the window
    expect((await h.pipeline.terminate(request)).outcome).toBe('executed');
  });

  it('check-failed: an unreadable fault history skips without recording or acting', async () => {
    const h = harness();
    h.ledger.failReads = true;
    expectSkip(await h.pipeline.terminate(request), 'check-failed');
    expect(h.counts.ledgerRecords).toBe(0);
    expect(h.memory.calls).toEqual([]);
  });

  it('record-failed: a fault that cannot be recorded is not injected', async () => {
    const h = harness();
    h.ledger.failRecords = true;
    const decision = await h.pipeline.terminate(request);
    expectSkip(decision, 'record-failed');
    expect(h.counts.ledgerRecords).toBe(1);
    expect(h.memory.calls).toEqual([]);
  });

  it('executed: records first, then terminates exactly the victims with the asked signal', async () => {
    const h = harness();
    const decision = await h.pipeline.terminate({ ...request, selection: { mode: 'fixed', count: 2 }, signal: 'SIGTERM' });
    expect(decision.outcome).toBe('executed');
    if (decision.outcome !== 'executed') return;
    expect(decision.fault.kind).toBe('terminate');
    expect(decision.fault.startedAt).toBe(h.clock.now());
    expect(h.ledger.faults.map((f) => f.id)).toEqual([decision.fault.id]);
    expect(h.ledger.faults[0]).toMatchObject({ group: 'api', monkey: 'chaos' });
    expect(h.memory.calls).toEqual(
      decision.fault.targets.map((instanceId) => ({ method: 'terminate', instanceId, signal: 'SIGTERM', ok: true })),
    );
    const states = await h.memory.inventory.instances({ states: ['terminated'] });
    expect(states.map((i) => i.id).sort()).toEqual([...decision.fault.targets].sort());
  });

  it('failed: an actuator error stops at the first failure and says what was hit', async () => {
    const h = harness();
    h.memory.failNext('terminate');
    h.memory.failNext('terminate');
    const one = await h.pipeline.terminate(request);
    expect(one.outcome).toBe('failed');
    if (one.outcome === 'failed') expect(one.affected).toEqual([]);
    expect(h.memory.calls).toHaveLength(1);
  });

  it('emits one typed event per decision, skipped ones included', async () => {
    const h = harness({ config: { leashed: false, minIntervalMs: HOUR } });
    const events: DecisionEvent[] = [];
    const sub = h.pipeline.decisions((e) => events.push(e));
    await h.pipeline.terminate(request);
    await h.pipeline.terminate(request);
    sub.dispose();
    await h.pipeline.terminate(request);
    expect(events.map((e) => e.decision.outcome)).toEqual(['executed', 'skipped']);
    expect(events[1]).toMatchObject({ monkey: 'chaos', provider: 'memory', group: 'api', at: h.clock.now() });
  });

  it('every skip reason is listed once in pipeline order', () => {
    expect(new Set(SKIP_REASONS).size).toBe(SKIP_REASONS.length);
    expect(SKIP_REASONS[0]).toBe('disabled');
    expect(SKIP_REASONS.at(-1)).toBe('record-failed');
  });
});
