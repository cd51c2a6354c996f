import { afterEach, describe, expect, it } from 'vitest';
import { SimianError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { FaultReverter, TARGET_GONE, type RevertOutcome } from '../../../src/monkeys/revert/fault-reverter.js';
import type { Actuator } from '../../../src/providers/provider.js';
import type { FaultToRecord } from '../../../src/state/records.js';
import { StateStore } from '../../../src/state/state-store.js';

const MINUTE = 60_000;

/** An actuator that only reverts, and remembers what (and can be told to fail). */
function revertLog() {
  const reverted: string[] = [];
  let failing = false;
  const actuator = {
    revert: async (id: string) => {
      if (failing) throw new Error('platform says no');
      reverted.push(id);
    },
  } as unknown as Actuator;
  return { actuator, reverted, fail: (on: boolean) => (failing = on) };
}

const stores: StateStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function setup(alive: ReadonlySet<number> = new Set()) {
  const clock = new ManualClock();
  const store = StateStore.open(':memory:', { clock });
  stores.push(store);
  const log = revertLog();
  const reverter = new FaultReverter({ store, clock, actuators: () => log.actuator, pid: 1, isAlive: (pid) => alive.has(pid) });
  const record = (id: string, extra: Partial<FaultToRecord> = {}, revertIds: string[] = [`${id}-r1`, `${id}-r2`]) => {
    store.recordFault({
      id,
      kind: 'latency',
      targets: ['a'],
      startedAt: clock.now(),
      expiresAt: clock.now() + 5 * MINUTE,
      parameters: {},
      group: 'api',
      monkey: 'latency',
      provider: 'memory',
      ...extra,
    });
    for (const revertId of revertIds) store.addRevertId(id, revertId);
  };
  return { clock, store, log, reverter, record };
}

describe('FaultReverter', () => {
  it('on start, reverts what a dead owner left and what expired, and arms the rest', async () => {
    const { clock, store, log, reverter, record } = setup(new Set([7]));
    record('dead-owner', { ownerPid: 99 });
    record('live-owner', { ownerPid: 7 });
    record('detached');
    record('expired', { ownerPid: 7, expiresAt: clock.now() });
    const outcomes = await reverter.recover();
    expect(outcomes.map((o) => [o.faultId, o.outcome])).toEqual([
      ['dead-owner', 'reverted'],
      ['expired', 'reverted'],
    ]);
    // Newest action first.
    expect(log.reverted).toEqual(['dead-owner-r2', 'dead-owner-r1', 'expired-r2', 'expired-r1']);
    expect(store.fault('dead-owner')?.revert).toMatchObject({ outcome: 'reverted', trigger: 'restart' });
    expect([...reverter.armed].sort()).toEqual(['detached', 'live-owner']);

    await clock.advance(5 * MINUTE);
    await reverter.settled();
    expect(store.activeFaults()).toEqual([]);
    expect(store.fault('detached')?.revert?.trigger).toBe('ttl');
  });

  it('a sweep reverts only what expired, whoever owns it', async () => {
    const { clock, store, reverter, record } = setup(new Set([7]));
    record('soon', { ownerPid: 7, expiresAt: clock.now() + MINUTE });
    record('later', { expiresAt: clock.now() + 2 * MINUTE });
    record('orphan', { ownerPid: 99, expiresAt: clock.now() + 3 * MINUTE });
    expect(await reverter.revertExpired()).toEqual([]);
    await clock.advance(MINUTE);
    expect((await reverter.revertExpired()).map((o) => o.faultId)).toEqual(['soon']);
    expect(store.activeFaults().map((f) => f.id)).toEqual(['later', 'orphan']);
    expect(store.fault('soon')?.revert?.trigger).toBe('ttl');
  });

  it('on a signal, reverts only the faults this process owns', async () => {
    const { store, reverter, record } = setup(new Set([7]));
    record('mine', { ownerPid: 1 });
    record('theirs', { ownerPid: 7 });
    await reverter.revertOwned('signal');
    expect(store.activeFaults().map((f) => f.id)).toEqual(['theirs']);
    expect(store.fault('mine')?.revert?.trigger).toBe('signal');
  });

  it('keeps a fault active when its revert fails, so the next trigger retries it', async () => {
    const { store, log, reverter, record } = setup();
    record('stubborn', { ownerPid: 1 });
    log.fail(true);
    const [failed] = await reverter.revertAll();
    expect(failed).toMatchObject({ faultId: 'stubborn', outcome: 'failed' });
    expect(store.activeFaults().map((f) => f.id)).toEqual(['stubborn']);
    log.fail(false);
    expect((await reverter.revertAll())[0]?.outcome).toBe('reverted');
  });

  it('records a fault whose platform is gone as gone, and a fault reverted elsewhere as already reverted', async () => {
    const clock = new ManualClock();
    const store = StateStore.open(':memory:', { clock });
    stores.push(store);
    const reverter = new FaultReverter({
      store,
      clock,
      pid: 1,
      actuators: () => {
        throw new SimianError(TARGET_GONE, 'the stack is not running');
      },
    });
    store.recordFault({ id: 'f', kind: 'down', targets: [], startedAt: 0, expiresAt: 1, parameters: {}, group: 'g', monkey: 'm', provider: 'local' });
    const seen: RevertOutcome[] = [];
    reverter.reverts((o) => seen.push(o));
    expect(await reverter.revert('f', 'manual')).toEqual({ faultId: 'f', outcome: 'gone' });
    expect(store.fault('f')?.revert).toMatchObject({ outcome: 'gone', detail: 'the stack is not running' });
    expect(await reverter.revert('f', 'manual')).toEqual({ faultId: 'f', outcome: 'already-reverted' });
    expect(seen.map((o) => o.outcome)).toEqual(['gone', 'already-reverted']);
  });

  it('shares one attempt between concurrent reverts of a fault, and dispose cancels the TTL timers', async () => {
    const { clock, log, reverter, record } = setup();
    record('f', { ownerPid: 1 });
    const [a, b] = await Promise.all([reverter.revert('f', 'manual'), reverter.revert('f', 'ttl')]);
    expect(a).toBe(b);
    expect(log.reverted).toEqual(['f-r2', 'f-r1']);
    record('g', { ownerPid: 1 });
    reverter.arm({ id: 'g', expiresAt: clock.now() + MINUTE });
    expect(clock.pendingTimers).toBe(1);
    reverter.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});
