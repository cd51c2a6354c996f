/**
 * Issue 9 item 6: the kill switch is a safety lever. Engaging it (creating the file) ends the faults in force:
 * whoever holds one reverts it, and the running stack's sweep reverts detached ones, each within about a second.
 * Both failed on the main the issue was filed against: the fault stayed until its TTL.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { EngineEvents, type EngineEvent } from '../../src/engine/events.js';
import { holdFault } from '../../src/engine/fault-hold.js';
import { openFaultRun } from '../../src/engine/fault-run.js';
import { keepLocalFaultsOnTime } from '../../src/engine/fault-sweep.js';
import type { ProviderRegistry } from '../../src/engine/provider-registry.js';
import { toxicRequest } from '../../src/monkeys/latency/latency-monkey.js';
import { MemoryProvider } from '../../src/providers/memory/memory-provider.js';
import { StateStore } from '../../src/state/state-store.js';
import { instance } from '../monkeys/safety/harness.js';

const MINUTE = 60_000;
const dirs: string[] = [];
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A state directory with its kill-switch file, a `local`-named memory provider, and an engine fault run over both. */
async function setup(options: { ownerPid?: number } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'simian-lever-'));
  dirs.push(dir);
  const clock = new ManualClock();
  const config = parseConfig(`stateDir: ${dir}\nleashed: false\nsafety:\n  minInterval: 0\n`, { baseDir: dir });
  const provider = new MemoryProvider({ name: 'local', instances: [instance('web-0', 'web'), instance('web-1', 'web')] });
  const providers: ProviderRegistry = { create: () => provider, forRevert: () => provider };
  const events = new EngineEvents();
  const seen: EngineEvent[] = [];
  events.on((event) => seen.push(event));
  const run = await openFaultRun({ config, providers, clock, random: new SeededRandom(1), events, ...options });
  closers.push(() => run.close());
  const pipeline = run.pipeline(run.provider('local'));
  const inject = async () => {
    const decision = await pipeline.inject(toxicRequest(config.safety, new SeededRandom(3), { group: 'web' }, { type: 'latency', attributes: { latency: 100 } }, 10 * MINUTE));
    if (decision.outcome !== 'executed') throw new Error(`not injected: ${JSON.stringify(decision)}`);
    return decision.fault;
  };
  return { dir, clock, config, provider, run, events, seen, inject, engage: () => writeFileSync(config.safety.killSwitchFile!, '') };
}

/** Advances the clock a second at a time (real I/O in between) until `done()`; at most `maxSeconds`. */
async function secondsUntil(clock: ManualClock, done: () => boolean, maxSeconds: number): Promise<number> {
  for (let s = 0; s <= maxSeconds; s++) {
    for (let spin = 0; spin < 20 && !done(); spin++) await new Promise((resolve) => setTimeout(resolve, 5));
    if (done()) return s;
    await clock.advance(1000);
  }
  throw new Error(`still not done after ${maxSeconds} s of clock time`);
}

describe('the kill switch ends faults in force', () => {
  it('a holder reverts its fault within a second of the switch being engaged, and says why', async () => {
    const h = await setup({ ownerPid: process.pid });
    const fault = await h.inject();
    const held = holdFault(h.run, { id: fault.id, expiresAt: fault.expiresAt! }, { clock: h.clock, events: h.events, killSwitch: h.config.safety });
    await h.clock.advance(5_000);
    expect(h.provider.activeActions()).toHaveLength(2);
    h.engage();
    const seconds = await secondsUntil(h.clock, () => h.provider.activeActions().length === 0, 5);
    expect(seconds).toBeLessThanOrEqual(1);
    const result = await held;
    expect(result).toMatchObject({ endedBy: 'kill-switch', reason: expect.stringContaining('kill-switch exists') });
    expect(h.run.store.fault(fault.id)?.revert).toMatchObject({ outcome: 'reverted', trigger: 'kill-switch' });
    // The front ends learn it from the events: the decision, the fault in force, and its revert with its trigger.
    expect(h.seen.map((e) => e.kind)).toEqual(expect.arrayContaining(['decision', 'fault-injected', 'notice', 'fault-reverted']));
    expect(h.seen.find((e) => e.kind === 'fault-reverted')).toMatchObject({ faultId: fault.id, outcome: 'reverted', trigger: 'kill-switch' });
  });

  it('an abort signal reverts the held fault at once with the trigger asked for', async () => {
    const h = await setup({ ownerPid: process.pid });
    const fault = await h.inject();
    const controller = new AbortController();
    const held = holdFault(h.run, { id: fault.id, expiresAt: fault.expiresAt! }, { clock: h.clock, events: h.events, killSwitch: h.config.safety, signal: controller.signal, abortTrigger: 'signal' });
    controller.abort(new Error('SIGINT'));
    expect(await held).toMatchObject({ endedBy: 'abort', reason: 'SIGINT' });
    expect(h.provider.activeActions()).toEqual([]);
    expect(h.run.store.fault(fault.id)?.revert).toMatchObject({ trigger: 'signal' });
  });

  it('the running stack\'s sweep reverts a detached fault within a second of the switch being engaged', async () => {
    const h = await setup();
    const fault = await h.inject();
    const keeper = keepLocalFaultsOnTime({ clock: h.clock, events: h.events }, h.dir, h.provider, h.config.safety);
    closers.push(() => keeper.stop());
    await secondsUntil(h.clock, () => false, 3).catch(() => undefined);
    expect(h.provider.activeActions()).toHaveLength(2);
    h.engage();
    const seconds = await secondsUntil(h.clock, () => h.provider.activeActions().length === 0, 5);
    expect(seconds).toBeLessThanOrEqual(1);
    const reopened = StateStore.open(join(h.dir, 'simian.db'), { clock: h.clock });
    try {
      expect(reopened.fault(fault.id)?.revert).toMatchObject({ outcome: 'reverted', trigger: 'kill-switch' });
    } finally {
      reopened.close();
    }
  });
});
