/**
 * The lease elector (client-go's protocol) on the state store's lease, with a ManualClock: one leader at a time,
 * a hand-over only after the leader stopped renewing (it steps down first), a quick one after a release, and the
 * transition count as the fencing token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../../../src/core/index.js';
import { CLIENT_GO_TIMINGS, LeaseElector, checkTimings } from '../../../src/daemon/leader/lease-elector.js';
import type { LeaseLock } from '../../../src/daemon/leader/lease-lock.js';
import { storeLeaseLock } from '../../../src/daemon/leader/store-lease-lock.js';
import { StateStore } from '../../../src/state/index.js';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 2, 9, 8, 0));
  const store = StateStore.open(':memory:', { clock });
  stops.push(() => store.close());
  return { clock, store, lock: storeLeaseLock(store, 'simian-daemon') };
}

/** A lock whose reads and writes fail while `broken` is set: a leader cut off from its lease. */
function breakable(lock: LeaseLock): LeaseLock & { broken: boolean } {
  const guard = <T>(call: () => Promise<T>): Promise<T> => (wrapper.broken ? Promise.reject(new Error('the lease is out of reach')) : call());
  const wrapper = {
    broken: false,
    get: () => guard(() => lock.get()),
    create: (record: Parameters<LeaseLock['create']>[0]) => guard(() => lock.create(record)),
    update: (record: Parameters<LeaseLock['update']>[0], version: string) => guard(() => lock.update(record, version)),
    describe: () => lock.describe(),
  };
  return wrapper;
}

function candidate(identity: string, clock: ManualClock, lock: LeaseLock, seed: number) {
  const changes: boolean[] = [];
  const elector = new LeaseElector({ lock, identity, clock, random: new SeededRandom(seed), onChange: (leading) => changes.push(leading) });
  stops.push(() => elector.stop());
  return { elector, changes };
}

/** Advances `ms` in steps, failing if ever both lead; returns when `b` first led (ms after the start), if it did. */
async function watch(clock: ManualClock, a: LeaseElector, b: LeaseElector, ms: number, step = 100): Promise<number | undefined> {
  let bLedAt: number | undefined;
  for (let t = 0; t < ms; t += step) {
    await clock.advance(step);
    expect(a.isLeader() && b.isLeader(), `both lead at +${t + step} ms`).toBe(false);
    if (bLedAt === undefined && b.isLeader()) bLedAt = t + step;
  }
  return bLedAt;
}

describe('lease elector', () => {
  it('lets the first candidate lead, with token 0, and keeps the other standing by while it renews', async () => {
    const { clock, lock } = setup();
    const a = candidate('host/1', clock, lock, 1);
    const b = candidate('host/2', clock, lock, 2);
    await a.elector.start();
    await b.elector.start();
    expect(a.elector.isLeader()).toBe(true);
    expect(a.elector.fence()).toEqual({ token: 0 });
    expect(b.elector.isLeader()).toBe(false);
    expect(b.elector.fence()).toBeUndefined();
    expect(b.elector.holder()).toBe('host/1');
    expect(await watch(clock, a.elector, b.elector, 120_000)).toBeUndefined();
    expect(a.changes).toEqual([true]);
    expect(b.changes).toEqual([]);
  });

  it('hands over when the leader stops renewing: the leader steps down at the renew deadline, the other takes over after the lease', async () => {
    const { clock, lock } = setup();
    const cut = breakable(lock);
    const a = candidate('host/1', clock, cut, 1);
    const b = candidate('host/2', clock, lock, 2);
    await a.elector.start();
    await b.elector.start();
    await clock.advance(3_000);
    const lastRenewal = (await lock.get())!.record.renewedAt;
    cut.broken = true;
    const cutAt = clock.now();
    let aSteppedDownAt: number | undefined;
    let bLedAt: number | undefined;
    for (let t = 0; t < 30_000; t += 100) {
      await clock.advance(100);
      expect(a.elector.isLeader() && b.elector.isLeader()).toBe(false);
      if (aSteppedDownAt === undefined && !a.elector.isLeader()) aSteppedDownAt = clock.now();
      if (bLedAt === undefined && b.elector.isLeader()) bLedAt = clock.now();
    }
    expect(aSteppedDownAt! - lastRenewal).toBe(CLIENT_GO_TIMINGS.renewDeadlineMs);
    // b saw the last renewal at most one jittered retry after it, and waits a whole lease from then.
    expect(bLedAt! - lastRenewal).toBeGreaterThanOrEqual(CLIENT_GO_TIMINGS.leaseDurationMs);
    expect(bLedAt! - cutAt).toBeLessThanOrEqual(CLIENT_GO_TIMINGS.leaseDurationMs + 2 * CLIENT_GO_TIMINGS.retryPeriodMs * (1 + CLIENT_GO_TIMINGS.jitterFactor));
    expect(b.elector.fence()).toEqual({ token: 1 });
    expect(a.changes).toEqual([true, false]);
    // Back in reach, a finds the lease held and stays down.
    cut.broken = false;
    expect(await watch(clock, b.elector, a.elector, 60_000)).toBeUndefined();
  });

  it('releases the lease on stop, so the other leads within a retry period rather than a lease', async () => {
    const { clock, lock } = setup();
    const a = candidate('host/1', clock, lock, 1);
    const b = candidate('host/2', clock, lock, 2);
    await a.elector.start();
    await b.elector.start();
    await clock.advance(5_000);
    await a.elector.stop();
    expect(a.changes).toEqual([true, false]);
    expect((await lock.get())!.record.holder).toBeUndefined();
    const stoppedAt = clock.now();
    while (!b.elector.isLeader() && clock.now() - stoppedAt < 20_000) await clock.advance(100);
    expect(clock.now() - stoppedAt).toBeLessThanOrEqual(CLIENT_GO_TIMINGS.retryPeriodMs * (1 + CLIENT_GO_TIMINGS.jitterFactor));
    expect(b.elector.fence()).toEqual({ token: 1 });
  });

  it('steps down at once when it finds another holding the lease', async () => {
    const { clock, store, lock } = setup();
    const a = candidate('host/1', clock, lock, 1);
    await a.elector.start();
    const read = store.readLease('simian-daemon')!;
    store.updateLease('simian-daemon', { ...read.lease, holder: 'intruder', transitions: 7 }, read.version);
    await clock.advance(CLIENT_GO_TIMINGS.retryPeriodMs);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.elector.holder()).toBe('intruder');
  });

  it('names the store lease in its fence when told it is one, and refuses timings that allow two leaders', async () => {
    const { clock, lock } = setup();
    const elector = new LeaseElector({ lock, identity: 'x', clock, random: new SeededRandom(1), storeLease: 'simian-daemon' });
    stops.push(() => elector.stop());
    expect(elector.fence()).toBeUndefined();
    await elector.start();
    expect(elector.fence()).toEqual({ token: 0, lease: 'simian-daemon' });
    expect(() => checkTimings({ ...CLIENT_GO_TIMINGS, renewDeadlineMs: 15_000 })).toThrow(/longer than the renew deadline/);
    expect(() => checkTimings({ ...CLIENT_GO_TIMINGS, retryPeriodMs: 9_000 })).toThrow(/1.2 retry periods/);
    expect(() => checkTimings(CLIENT_GO_TIMINGS)).not.toThrow();
  });
});
