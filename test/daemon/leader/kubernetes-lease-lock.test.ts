import { afterEach, describe, expect, it } from 'vitest';
import { coordinationApi, kubernetesLeaseLock } from '../../../src/daemon/leader/kubernetes-lease-lock.js';
import type { LeaseLock, LeaseRecord } from '../../../src/daemon/leader/lease-lock.js';
import { FakeKubeApiserver } from '../../support/fake-kube-apiserver.js';

const fakes: FakeKubeApiserver[] = [];
const LEASE_PATH = '/apis/coordination.k8s.io/v1/namespaces/simian/leases/simian-daemon';

async function start(): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start({ nodes: [], pods: [] });
  fakes.push(fake);
  return fake;
}

function lockOn(fake: FakeKubeApiserver): LeaseLock {
  return kubernetesLeaseLock({ api: coordinationApi(fake.kubeConfig()), namespace: 'simian', name: 'simian-daemon' });
}

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0, 123);
const record = (holder: string | undefined, transitions: number, renewedAt = T0): LeaseRecord => ({
  ...(holder === undefined ? {} : { holder }),
  durationMs: 15_000,
  acquiredAt: T0,
  renewedAt,
  transitions,
});

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

describe('kubernetesLeaseLock', () => {
  it('creates, reads back and updates the Lease, mapping the record onto its spec', async () => {
    const fake = await start();
    const lock = lockOn(fake);
    expect(lock.describe()).toBe('Lease simian/simian-daemon');

    const created = await lock.create(record('pod-a', 0));
    const stored = fake.leases.get('simian/simian-daemon');
    // The version comes back with the write: the elector needs no read after it.
    expect(created).toBe(stored?.metadata.resourceVersion);
    expect(stored?.spec).toEqual({
      holderIdentity: 'pod-a',
      leaseDurationSeconds: 15,
      acquireTime: '2026-01-01T09:00:00.123000Z',
      renewTime: '2026-01-01T09:00:00.123000Z',
      leaseTransitions: 0,
    });

    const first = await lock.get();
    expect(first).toEqual({ record: record('pod-a', 0), version: stored?.metadata.resourceVersion });

    const updated = await lock.update(record('pod-a', 0, T0 + 2000), first!.version);
    const second = await lock.get();
    expect(updated).toBe(second?.version);
    expect(second?.record).toEqual(record('pod-a', 0, T0 + 2000));
    expect(second?.version).not.toBe(first?.version);
    // The PUT named the version it read: that is what makes the write conditional.
    expect(fake.requestsTo({ method: 'PUT', path: LEASE_PATH })[0]?.body).toMatchObject({ metadata: { resourceVersion: first?.version } });
  });

  it('refuses an update at a stale version with undefined, and leaves the other writer\'s record', async () => {
    const fake = await start();
    const a = lockOn(fake);
    const b = lockOn(fake);
    await a.create(record('pod-a', 0));
    const seenByA = await a.get();
    const seenByB = await b.get();
    expect(await b.update(record('pod-b', 1), seenByB!.version)).toEqual(expect.stringMatching(/./));

    expect(await a.update(record('pod-a', 0, T0 + 2000), seenByA!.version)).toBeUndefined();
    expect(fake.requestsTo({ method: 'PUT', path: LEASE_PATH }).map((r) => r.status)).toEqual([200, 409]);
    expect((await a.get())?.record).toEqual(record('pod-b', 1));
  });

  it('answers undefined to the second of two creates', async () => {
    const fake = await start();
    const [first, second] = await Promise.all([lockOn(fake).create(record('pod-a', 0)), lockOn(fake).create(record('pod-b', 0))]);
    expect([first, second].filter((v) => v === undefined)).toHaveLength(1);
    expect([first, second].filter((v) => typeof v === 'string' && v !== '')).toHaveLength(1);
    expect(fake.requestsTo({ method: 'POST', path: '/apis/coordination.k8s.io/v1/namespaces/simian/leases' }).map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it('reads a missing Lease as undefined', async () => {
    const fake = await start();
    expect(await lockOn(fake).get()).toBeUndefined();
    expect(fake.requestsTo({ method: 'GET', path: LEASE_PATH }).map((r) => r.status)).toEqual([404]);
  });

  it('writes a released lease without a holder, and reads an empty holder as released', async () => {
    const fake = await start();
    const lock = lockOn(fake);
    await lock.create(record('pod-a', 3));
    const held = await lock.get();
    expect(await lock.update(record(undefined, 3), held!.version)).toEqual(expect.stringMatching(/./));
    expect(fake.leases.get('simian/simian-daemon')?.spec).not.toHaveProperty('holderIdentity');
    expect((await lock.get())?.record).toEqual(record(undefined, 3));

    // client-go releases with an empty holderIdentity: the same thing.
    const stored = fake.leases.get('simian/simian-daemon')!;
    fake.addLease({ ...stored, spec: { ...stored.spec, holderIdentity: '' } });
    expect((await lock.get())?.record.holder).toBeUndefined();
  });

  it('rounds a duration up to whole seconds', async () => {
    const fake = await start();
    const lock = lockOn(fake);
    await lock.create({ ...record('pod-a', 0), durationMs: 1500 });
    expect(fake.leases.get('simian/simian-daemon')?.spec?.leaseDurationSeconds).toBe(2);
    expect((await lock.get())?.record.durationMs).toBe(2000);
  });

  it('keeps the labels and annotations of the Lease it read when it updates', async () => {
    const fake = await start();
    fake.addLease({
      metadata: { name: 'simian-daemon', namespace: 'simian', labels: { team: 'sre' } },
      spec: { holderIdentity: 'pod-a', leaseDurationSeconds: 15, leaseTransitions: 0 },
    });
    const lock = lockOn(fake);
    const read = await lock.get();
    expect(await lock.update(record('pod-b', 1), read!.version)).toEqual(expect.stringMatching(/./));
    expect(fake.leases.get('simian/simian-daemon')?.metadata.labels).toEqual({ team: 'sre' });
  });

  it('throws an error naming the Lease and the verb to grant on a 403', async () => {
    const fake = await start();
    fake.failNext({ path: LEASE_PATH }, { status: 403, message: 'leases.coordination.k8s.io "simian-daemon" is forbidden: User "system:serviceaccount:simian:simian-daemon" cannot get resource "leases"' });
    const error = await lockOn(fake).get().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'provider.forbidden' });
    expect((error as Error).message).toMatch(/^Lease simian\/simian-daemon: cannot get leases\.coordination\.k8s\.io "simian-daemon" in namespace "simian": forbidden/);
    expect((error as Error).message).toContain('grant the verb "get"');
  });

  it('throws an error naming the Lease on a 500, for creates and updates too, without retrying', async () => {
    const fake = await start();
    const lock = lockOn(fake);
    fake.failNext({ method: 'POST' }, { status: 500, message: 'etcdserver: request timed out' });
    await expect(lock.create(record('pod-a', 0))).rejects.toMatchObject({
      code: 'provider.unavailable',
      message: expect.stringMatching(/^Lease simian\/simian-daemon: cannot create .*etcdserver: request timed out/),
    });
    expect(await lock.create(record('pod-a', 0))).toEqual(expect.stringMatching(/./));
    const read = await lock.get();
    fake.failNext({ method: 'PUT' }, { status: 500 });
    await expect(lock.update(record('pod-a', 0), read!.version)).rejects.toThrow(/^Lease simian\/simian-daemon: cannot update/);
    expect(fake.count({ method: 'PUT' })).toBe(1);
  });

  it('updates from a version alone, without having read the Lease itself', async () => {
    const fake = await start();
    await lockOn(fake).create(record('pod-a', 0));
    const read = await lockOn(fake).get();
    expect(await lockOn(fake).update(record('pod-b', 1), read!.version)).toEqual(expect.stringMatching(/./));
    expect(await lockOn(fake).update(record('pod-c', 2), read!.version)).toBeUndefined();
    expect((await lockOn(fake).get())?.record.holder).toBe('pod-b');
  });

  it('answers undefined to an update of a Lease deleted since it was read', async () => {
    const fake = await start();
    const lock = lockOn(fake);
    await lock.create(record('pod-a', 0));
    const read = await lock.get();
    fake.leases.delete('simian/simian-daemon');
    expect(await lock.update(record('pod-a', 0), read!.version)).toBeUndefined();
  });
});
