/**
 * The Kubernetes Janitor cleaner against the fake kube-apiserver: deletes each of its five kinds, counts a 404 as
 * cleaned, rejects what the API refuses, and refuses names not of its form without a request.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/core/manual-clock.js';
import { KubernetesJanitorCleaner, parseKubeJanitorResource } from '../../../../src/monkeys/audit/kubernetes/kube-janitor-cleaner.js';
import { KubeAuditApi } from '../../../../src/providers/kubernetes/kube-audit-api.js';
import { FakeKubeApiserver } from '../../../support/fake-kube-apiserver.js';
import { AUDIT_CLUSTER_NOW, auditCluster } from '../../../support/fake-kube-audit-cluster.js';

const fakes: FakeKubeApiserver[] = [];

async function start(): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start({ ...auditCluster(), nowMs: AUDIT_CLUSTER_NOW });
  fakes.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

describe('KubernetesJanitorCleaner', () => {
  it('deletes a claim, a ConfigMap, a Secret, a Job (with its pods) and a ReplicaSet', async () => {
    const fake = await start();
    const cleaner = new KubernetesJanitorCleaner({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW) });
    expect(cleaner.provider).toBe('kubernetes');
    for (const resource of ['persistentvolumeclaim/shop/cart-export', 'configmap/shop/old-cart-config', 'secret/shop/cart-db', 'job/batch/nightly-old', 'replicaset/shop/cart-1']) {
      await cleaner.clean(resource);
    }
    expect(fake.deleted).toEqual([
      'persistentvolumeclaims/shop/cart-export',
      'configmaps/shop/old-cart-config',
      'secrets/shop/cart-db',
      'jobs/batch/nightly-old',
      'replicasets/shop/cart-1',
    ]);
    expect(fake.objects.get('configmaps')?.has('shop/old-cart-config')).toBe(false);
    const jobDelete = fake.requestsTo({ method: 'DELETE', path: '/apis/batch/v1/namespaces/batch/jobs/nightly-old' });
    expect(jobDelete).toHaveLength(1);
    // Background: the Job's pods go too (the API's default for a Job orphans them).
    const propagation = jobDelete[0]?.query['propagationPolicy'] ?? (jobDelete[0]?.body as { propagationPolicy?: string } | undefined)?.propagationPolicy;
    expect(propagation).toBe('Background');
  });

  it('counts an object already gone (404) as cleaned', async () => {
    const fake = await start();
    const cleaner = new KubernetesJanitorCleaner({ api: new KubeAuditApi({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW) }) });
    await expect(cleaner.clean('configmap/shop/never-was')).resolves.toBeUndefined();
    expect(fake.requestsTo({ method: 'DELETE' }).map((r) => r.status)).toEqual([404]);
  });

  it('rejects with what the API answered when it keeps failing (500), after the retries', async () => {
    const fake = await start();
    const cleaner = new KubernetesJanitorCleaner({
      api: new KubeAuditApi({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW), retry: { attempts: 1 } }),
    });
    fake.failNext({ method: 'DELETE' }, { status: 500, message: 'etcdserver: request timed out' });
    await expect(cleaner.clean('secret/shop/cart-db')).rejects.toMatchObject({ code: 'provider.unavailable', message: expect.stringContaining('etcdserver: request timed out') });
    expect(fake.objects.get('secrets')?.has('shop/cart-db')).toBe(true);
    fake.failNext({ method: 'DELETE' }, { status: 403, message: 'forbidden' });
    await expect(cleaner.clean('secret/shop/cart-db')).rejects.toMatchObject({ code: 'provider.forbidden', message: expect.stringContaining('"delete" on "secrets"') });
  });

  it('retries a 500 on the clock and then deletes', async () => {
    const fake = await start();
    const clock = new ManualClock(AUDIT_CLUSTER_NOW);
    const cleaner = new KubernetesJanitorCleaner({ kubeConfig: fake.kubeConfig(), clock });
    fake.failNext({ method: 'DELETE' }, { status: 500 });
    const cleaning = cleaner.clean('job/batch/nightly-old');
    // Fire the retry's wait once it is armed; in between, yield to the HTTP round trips (no wall-time sleep).
    while (clock.pendingTimers === 0) await new Promise((resolve) => setImmediate(resolve));
    await clock.runNext();
    await cleaning;
    expect(fake.requestsTo({ method: 'DELETE' }).map((r) => r.status)).toEqual([500, 200]);
    expect(fake.deleted).toEqual(['jobs/batch/nightly-old']);
  });

  it('refuses a name not of its form with janitor.unknownResource, asking the API nothing', async () => {
    const fake = await start();
    const cleaner = new KubernetesJanitorCleaner({ kubeConfig: fake.kubeConfig(), clock: new ManualClock(AUDIT_CLUSTER_NOW) });
    for (const bad of ['pod/shop/cart', 'configmap/shop', 'configmap//x', 'i-0123456789abcdef0', 'deployment/shop/cart', 'configmap/shop/a/b', 'constructor/a/b']) {
      await expect(cleaner.clean(bad), bad).rejects.toMatchObject({ code: 'janitor.unknownResource' });
    }
    expect(fake.requests).toEqual([]);
    expect(parseKubeJanitorResource('replicaset/shop/cart-1')).toEqual({ resource: 'replicasets', namespace: 'shop', name: 'cart-1' });
  });
});
