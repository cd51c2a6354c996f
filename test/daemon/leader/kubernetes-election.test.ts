/**
 * Leader election on a coordination.k8s.io Lease, against the loopback fake kube-apiserver through the real
 * client: two daemons, one leads; when the leader stops renewing (its API calls fail) it steps down at the renew
 * deadline and the other takes the Lease after a whole lease, with the transition count as its fencing token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../../../src/core/index.js';
import { coordinationApi, kubernetesLeaseLock } from '../../../src/daemon/leader/kubernetes-lease-lock.js';
import { CLIENT_GO_TIMINGS, LeaseElector } from '../../../src/daemon/leader/lease-elector.js';
import type { LeaseLock } from '../../../src/daemon/leader/lease-lock.js';
import { FakeKubeApiserver } from '../../support/fake-kube-apiserver.js';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** A lock whose calls are counted while in flight (real HTTP: the test waits for them between clock steps), and that fails while `cut`. */
function tracked(lock: LeaseLock) {
  let inFlight = 0;
  const wrap =
    <A extends unknown[], T>(call: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      if (wrapper.cut) throw new Error('connection refused');
      inFlight++;
      try {
        return await call(...args);
      } finally {
        inFlight--;
      }
    };
  const wrapper = {
    cut: false,
    gets: 0,
    writes: 0,
    get: wrap(() => {
      wrapper.gets++;
      return lock.get();
    }),
    create: wrap((record: Parameters<LeaseLock['create']>[0]) => {
      wrapper.writes++;
      return lock.create(record);
    }),
    update: wrap((record: Parameters<LeaseLock['update']>[0], version: string) => {
      wrapper.writes++;
      return lock.update(record, version);
    }),
    describe: () => lock.describe(),
    idle: async () => {
      // Real sockets answer on the event loop, not on the clock's microtasks.
      while (inFlight > 0) await new Promise((done) => setImmediate(done));
      await new Promise((done) => setImmediate(done));
    },
  };
  return wrapper;
}

describe('leader election on a Kubernetes Lease', () => {
  it('elects one of two daemons and hands over when the leader stops renewing', async () => {
    const fake = await FakeKubeApiserver.start({ nodes: [], pods: [] });
    stops.push(() => fake.close());
    const clock = new ManualClock(Date.UTC(2026, 2, 9, 8, 0));
    const lockFor = () => tracked(kubernetesLeaseLock({ api: coordinationApi(fake.kubeConfig()), namespace: 'simian', name: 'simian-daemon' }));
    const [lockA, lockB] = [lockFor(), lockFor()];
    const a = new LeaseElector({ lock: lockA, identity: 'simian-daemon-7d9f-a', clock, random: new SeededRandom(1) });
    const b = new LeaseElector({ lock: lockB, identity: 'simian-daemon-7d9f-b', clock, random: new SeededRandom(2) });
    stops.push(() => a.stop(), () => b.stop());
    await a.start();
    await b.start();
    expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
    expect(b.holder()).toBe('simian-daemon-7d9f-a');
    const step = async (ms: number) => {
      await clock.advance(ms);
      await lockA.idle();
      await lockB.idle();
      expect(a.isLeader() && b.isLeader(), 'both lead').toBe(false);
    };
    for (let t = 0; t < 30_000; t += 500) await step(500);
    expect(b.isLeader()).toBe(false);
    // One read per renewal, before its write: the write's answer carries the new version, so none follows it.
    expect(lockA.writes).toBeGreaterThan(10);
    expect(lockA.gets).toBe(lockA.writes);
    const renewed = fake.leases.get('simian/simian-daemon')!.spec!.renewTime!;
    lockA.cut = true;
    let aDown: number | undefined;
    let bUp: number | undefined;
    for (let t = 0; t < 30_000; t += 500) {
      await step(500);
      aDown ??= a.isLeader() ? undefined : clock.now();
      bUp ??= b.isLeader() ? clock.now() : undefined;
    }
    expect(aDown! - new Date(renewed).getTime()).toBeLessThanOrEqual(CLIENT_GO_TIMINGS.renewDeadlineMs);
    expect(bUp! - new Date(renewed).getTime()).toBeGreaterThanOrEqual(CLIENT_GO_TIMINGS.leaseDurationMs);
    expect(b.fence()).toEqual({ token: 1 });
    const spec = fake.leases.get('simian/simian-daemon')!.spec!;
    expect(spec.holderIdentity).toBe('simian-daemon-7d9f-b');
    expect(spec.leaseTransitions).toBe(1);
    expect(spec.leaseDurationSeconds).toBe(15);
    // Every write named the version it read: the fake refused none as stale while one leader wrote.
    const puts = fake.requestsTo({ method: 'PUT' });
    expect(puts.length).toBeGreaterThan(10);
    expect(puts.filter((r) => r.status !== 200)).toEqual([]);
  }, 60_000);
});
