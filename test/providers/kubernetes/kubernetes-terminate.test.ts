import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { KubernetesProvider, type KubernetesProviderOptions } from '../../../src/providers/kubernetes/index.js';
import { FakeKubeApiserver, sampleCluster } from '../../support/fake-kube-apiserver.js';

const fakes: FakeKubeApiserver[] = [];

async function start(): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start(sampleCluster());
  fakes.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

function provider(fake: FakeKubeApiserver, options: Partial<KubernetesProviderOptions> = {}): KubernetesProvider {
  return new KubernetesProvider({ kubeConfig: fake.kubeConfig(), ...options });
}

async function instance(p: KubernetesProvider, id: string): Promise<Instance> {
  const found = (await p.inventory.instances()).find((i) => i.id === id);
  if (!found) throw new Error(`no instance ${id}`);
  return found;
}

/**
 * Settles `promise`, firing the clock's timers whenever a retry waits on one. Between timers it yields to the event
 * loop (the HTTP round trips happen there); it never sleeps on wall time.
 */
async function drive<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  while (!settled) {
    if (clock.pendingTimers > 0) await clock.runNext();
    else await new Promise((resolve) => setImmediate(resolve));
  }
  return tracked;
}

const WEB_A1 = 'default/web-7d9f8c6b5-aaaaa';
const DELETE_WEB_A1 = { method: 'DELETE', path: `/api/v1/namespaces/default/pods/web-7d9f8c6b5-aaaaa` };

describe('KubernetesProvider terminate', () => {
  it('deletes exactly that pod, with grace period 0 for SIGKILL', async () => {
    const fake = await start();
    const p = provider(fake);
    const victim = await instance(p, WEB_A1);
    await p.actuator.terminate(victim);
    const deletes = fake.requestsTo({ method: 'DELETE' });
    expect(deletes).toHaveLength(1);
    expect(deletes[0]).toMatchObject({ path: DELETE_WEB_A1.path, query: { gracePeriodSeconds: '0' }, status: 200 });
    expect(fake.pods.has(WEB_A1)).toBe(false);
    expect(fake.pods.size).toBe(sampleCluster().pods.length - 1);
  });

  it("leaves the pod's own grace period for SIGTERM and stop, and uses a configured one for both signals", async () => {
    const fake = await start();
    const p = provider(fake);
    await p.actuator.terminate(await instance(p, WEB_A1), { signal: 'SIGTERM' });
    await p.actuator.stop(await instance(p, 'default/web-7d9f8c6b5-bbbbb'));
    const configured = provider(fake, { gracePeriodSeconds: 5 });
    await configured.actuator.terminate(await instance(p, 'default/web-7d9f8c6b5-ccccc'));
    await configured.actuator.terminate(await instance(p, 'default/db-0'), { signal: 'SIGTERM' });
    const graces = fake.requestsTo({ method: 'DELETE' }).map((r) => [r.path.split('/').pop(), r.query['gracePeriodSeconds']]);
    expect(graces).toEqual([
      ['web-7d9f8c6b5-aaaaa', undefined],
      ['web-7d9f8c6b5-bbbbb', undefined],
      ['web-7d9f8c6b5-ccccc', '5'],
      ['db-0', '5'],
    ]);
  });

  it('throws provider.instanceGone when the pod is already gone', async () => {
    const fake = await start();
    const p = provider(fake);
    const victim = await instance(p, WEB_A1);
    fake.pods.delete(WEB_A1);
    const error = await p.actuator.terminate(victim).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.instanceGone')).toBe(true);
    expect((error as Error).message).toContain('web-7d9f8c6b5-aaaaa');
  });

  it('throws provider.forbidden with an RBAC hint on 403, without retrying', async () => {
    const fake = await start();
    const p = provider(fake);
    fake.failNext({ method: 'DELETE' }, { status: 403, message: 'pods "web-7d9f8c6b5-aaaaa" is forbidden: User "simian" cannot delete resource "pods"' }, Infinity);
    const error = await p.actuator.terminate(await instance(p, WEB_A1)).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.forbidden')).toBe(true);
    expect((error as Error).message).toMatch(/delete pods "web-7d9f8c6b5-aaaaa" in namespace "default".*verb "delete" on "pods"/);
    expect(fake.count({ method: 'DELETE' })).toBe(1);
  });

  it('throws provider.forbidden when the token is rejected (401)', async () => {
    const fake = await start();
    const p = new KubernetesProvider({ kubeConfig: fake.kubeConfig('wrong-token') });
    const error = await p.inventory.instances().catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.forbidden')).toBe(true);
    expect((error as Error).message).toMatch(/401 Unauthorized/);
    expect(fake.requests.every((r) => r.status === 401)).toBe(true);
  });

  it('retries a throttled delete, honouring Retry-After on the injected clock', async () => {
    const fake = await start();
    const clock = new ManualClock();
    const p = provider(fake, { clock });
    const victim = await instance(p, WEB_A1);
    fake.failNext(DELETE_WEB_A1, { status: 429, retryAfterSeconds: 2 }, 2);
    await drive(clock, p.actuator.terminate(victim));
    expect(fake.requestsTo(DELETE_WEB_A1).map((r) => r.status)).toEqual([429, 429, 200]);
    expect(clock.monotonic()).toBe(4000);
    expect(fake.pods.has(WEB_A1)).toBe(false);
  });

  it('gives up with provider.throttled after three attempts when throttling does not stop', async () => {
    const fake = await start();
    const clock = new ManualClock();
    const p = provider(fake, { clock });
    const victim = await instance(p, WEB_A1);
    fake.failNext(DELETE_WEB_A1, { status: 429, retryAfterSeconds: 1 }, Infinity);
    const error = await drive(clock, p.actuator.terminate(victim)).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.throttled')).toBe(true);
    expect(fake.count(DELETE_WEB_A1)).toBe(3);
    expect(fake.pods.has(WEB_A1)).toBe(true);
  });

  it('backs off exponentially on 5xx without Retry-After, then gives up with provider.unavailable', async () => {
    const fake = await start();
    const clock = new ManualClock();
    const p = provider(fake, { clock, retry: { attempts: 4, baseDelayMs: 100 } });
    const victim = await instance(p, WEB_A1);
    fake.failNext(DELETE_WEB_A1, { status: 503 }, Infinity);
    const error = await drive(clock, p.actuator.terminate(victim)).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.unavailable')).toBe(true);
    expect(fake.count(DELETE_WEB_A1)).toBe(4);
    expect(clock.monotonic()).toBe(100 + 200 + 400);
  });

  it('caps a long Retry-After at maxDelayMs', async () => {
    const fake = await start();
    const clock = new ManualClock();
    const p = provider(fake, { clock, retry: { maxDelayMs: 1500 } });
    const victim = await instance(p, WEB_A1);
    fake.failNext(DELETE_WEB_A1, { status: 429, retryAfterSeconds: 3600 }, 1);
    await drive(clock, p.actuator.terminate(victim));
    expect(clock.monotonic()).toBe(1500);
  });

  it('throws provider.unreachable when nothing listens', async () => {
    const fake = await start();
    const kubeConfig = fake.kubeConfig();
    await fake.close();
    const error = await new KubernetesProvider({ kubeConfig }).inventory.groups().catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.unreachable')).toBe(true);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('refuses ids that are not namespace/name and namespaces it may not touch, without a request', async () => {
    const fake = await start();
    const p = provider(fake, { namespaces: ['default'] });
    const base: Instance = { id: 'x', group: 'g', region: 'r', zone: 'z', state: 'running', launchedAt: 0, tags: {} };
    for (const id of ['web-1', 'a/b/c', 'kube-system/coredns-5d78c9869d-qqqqq', 'shop/cart-6c8f-zzzzz']) {
      const error = await p.actuator.terminate({ ...base, id }).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.badInstance'), id).toBe(true);
    }
    expect(fake.count({ method: 'DELETE' })).toBe(0);
  });

  it('refuses an invalid grace period', async () => {
    const fake = await start();
    expect(() => provider(fake, { gracePeriodSeconds: -1 })).toThrow(/gracePeriodSeconds/);
  });
});
