import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { ISOLATION_ANNOTATION, KubernetesProvider, type KubernetesProviderOptions } from '../../../src/providers/kubernetes/index.js';
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

const ZONE_A = { name: 'eu-1a', region: 'eu-1' };

function unschedulable(fake: FakeKubeApiserver): string[] {
  return [...fake.nodes.values()].filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata.name).sort();
}

describe('KubernetesProvider isolateZone', () => {
  it("cordons only the zone's schedulable nodes and evicts their pods, sparing DaemonSets and excluded namespaces", async () => {
    const fake = await start();
    const handle = await provider(fake).actuator.isolateZone(ZONE_A);

    expect(handle.id).toBe('kubernetes:cordon:eu-1a:node-a1,node-a2');
    expect(unschedulable(fake)).toEqual(['node-a1', 'node-a2', 'node-a3']);
    const patches = fake.requestsTo({ method: 'PATCH' });
    expect(patches.map((r) => r.path)).toEqual(['/api/v1/nodes/node-a1', '/api/v1/nodes/node-a2']);
    expect(patches.every((r) => r.contentType === 'application/strategic-merge-patch+json')).toBe(true);
    expect(fake.nodes.get('node-a1')?.metadata.annotations?.[ISOLATION_ANNOTATION]).toBe('eu-1a');
    // Nodes are selected by zone label on the server.
    expect(fake.requestsTo({ path: '/api/v1/nodes' })[0]?.query['labelSelector']).toBe('topology.kubernetes.io/zone=eu-1a');

    expect([...fake.evicted].sort()).toEqual(['default/db-0', 'default/solo', 'default/web-7d9f8c6b5-aaaaa', 'default/web-7d9f8c6b5-bbbbb']);
    // DaemonSet pods stay, kube-system stays, and the node somebody else cordoned is left alone.
    for (const kept of ['default/logs-x1', 'default/logs-x2', 'kube-system/coredns-5d78c9869d-qqqqq', 'shop/cart-6c8f-zzzzz', 'default/web-7d9f8c6b5-ccccc']) {
      expect(fake.pods.has(kept), kept).toBe(true);
    }
    expect(fake.count({ method: 'DELETE' })).toBe(0);
    const evictionBody = fake.requestsTo({ method: 'POST' })[0]?.body;
    expect(evictionBody).toMatchObject({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { namespace: 'default' } });
    const isolation = handle as Awaited<ReturnType<KubernetesProvider['isolateZone']>>;
    expect(isolation.cordoned).toEqual(['node-a1', 'node-a2']);
    expect(isolation.alreadyCordoned).toEqual(['node-a3']);
    expect(isolation.evictions.every((e) => e.outcome === 'evicted')).toBe(true);
  });

  it('lists pods per cordoned node with a field selector, after every node is cordoned', async () => {
    const fake = await start();
    await provider(fake).isolateZone(ZONE_A);
    const order = fake.requests.map((r) => `${r.method} ${r.path}${r.query['fieldSelector'] ? `?${r.query['fieldSelector']}` : ''}`);
    expect(order.slice(0, 5)).toEqual([
      'GET /api/v1/nodes',
      'PATCH /api/v1/nodes/node-a1',
      'PATCH /api/v1/nodes/node-a2',
      'GET /api/v1/pods?spec.nodeName=node-a1',
      'GET /api/v1/pods?spec.nodeName=node-a2',
    ]);
  });

  it('reports an eviction a PodDisruptionBudget refuses and still evicts the rest', async () => {
    const fake = await start();
    fake.pdbBlocks.add('default/db-0');
    const handle = await provider(fake).isolateZone(ZONE_A);
    const db0 = handle.evictions.find((e) => e.pod === 'default/db-0');
    expect(db0).toMatchObject({ outcome: 'refused' });
    expect(db0?.detail).toMatch(/disruption budget/);
    expect(fake.pods.has('default/db-0')).toBe(true);
    expect([...fake.evicted].sort()).toEqual(['default/solo', 'default/web-7d9f8c6b5-aaaaa', 'default/web-7d9f8c6b5-bbbbb']);
    // A PDB refusal is an answer: it is not retried.
    expect(fake.count({ method: 'POST', path: '/api/v1/namespaces/default/pods/db-0/eviction' })).toBe(1);
    // The cordon stands and reverts as usual.
    await handle.revert();
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('reports other eviction failures without stopping', async () => {
    const fake = await start();
    fake.failNext({ method: 'POST', path: /\/solo\/eviction$/ }, { status: 403 }, Infinity);
    const handle = await provider(fake, { retry: { attempts: 1 } }).isolateZone(ZONE_A);
    expect(handle.evictions.find((e) => e.pod === 'default/solo')).toMatchObject({ outcome: 'failed' });
    expect(handle.evictions.filter((e) => e.outcome === 'evicted')).toHaveLength(3);
  });

  it('reverts exactly the nodes it cordoned, not one that was cordoned before', async () => {
    const fake = await start();
    const handle = await provider(fake).actuator.isolateZone(ZONE_A);
    await handle.revert();
    expect(unschedulable(fake)).toEqual(['node-a3']);
    expect(fake.nodes.get('node-a1')?.metadata.annotations?.[ISOLATION_ANNOTATION]).toBeUndefined();
    expect(fake.requestsTo({ method: 'PATCH' }).map((r) => r.path)).toEqual([
      '/api/v1/nodes/node-a1',
      '/api/v1/nodes/node-a2',
      '/api/v1/nodes/node-a1',
      '/api/v1/nodes/node-a2',
    ]);
  });

  it('reverts by id from a new provider instance, as after a restart', async () => {
    const fake = await start();
    const { id } = await provider(fake).actuator.isolateZone(ZONE_A);
    const restarted = provider(fake);
    await restarted.actuator.revert(id);
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('reverting twice is harmless, and so is a node that was deleted meanwhile', async () => {
    const fake = await start();
    const handle = await provider(fake).actuator.isolateZone(ZONE_A);
    fake.nodes.delete('node-a2');
    await handle.revert();
    await handle.revert();
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('uncordons every node it can, reports the ones it could not, and a second revert finishes the job', async () => {
    const fake = await start();
    const handle = await provider(fake, { retry: { attempts: 1 } }).actuator.isolateZone(ZONE_A);
    fake.failNext({ method: 'PATCH', path: '/api/v1/nodes/node-a1' }, { status: 503 }, 1);
    const error = await handle.revert().catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.revertIncomplete')).toBe(true);
    expect((error as Error).message).toMatch(/node-a1/);
    expect(unschedulable(fake)).toEqual(['node-a1', 'node-a3']);
    await handle.revert();
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('gives an empty, revertable id when every node of the zone was already cordoned', async () => {
    const fake = await start();
    const p = provider(fake);
    const first = await p.actuator.isolateZone(ZONE_A);
    const second = await p.actuator.isolateZone(ZONE_A);
    expect(second.id).toBe('kubernetes:cordon:eu-1a:');
    await second.revert();
    expect(unschedulable(fake)).toEqual(['node-a1', 'node-a2', 'node-a3']);
    await first.revert();
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('undoes its own cordons when cordoning fails midway, and throws', async () => {
    const fake = await start();
    fake.failNext({ method: 'PATCH', path: '/api/v1/nodes/node-a2' }, { status: 403 }, 1);
    const error = await provider(fake).actuator.isolateZone(ZONE_A).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.forbidden')).toBe(true);
    expect((error as Error).message).toMatch(/patch nodes "node-a2"/);
    expect(unschedulable(fake)).toEqual(['node-a3']);
    expect(fake.evicted).toEqual([]);
  });

  it('retries a failing eviction (5xx) before it counts', async () => {
    const fake = await start();
    fake.failNext({ method: 'POST', path: /\/solo\/eviction$/ }, { status: 500 }, 1);
    const handle = await provider(fake, { retry: { baseDelayMs: 0 } }).isolateZone(ZONE_A);
    expect(handle.evictions.find((e) => e.pod === 'default/solo')).toMatchObject({ outcome: 'evicted' });
  });

  it('refuses a zone name that is not a label value, before any request', async () => {
    const fake = await start();
    for (const name of ['', 'eu-1a,x', 'a:b', 'zone with spaces']) {
      const error = await provider(fake).actuator.isolateZone({ name, region: 'eu-1' }).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.badZone'), name).toBe(true);
    }
    expect(fake.requests).toEqual([]);
  });

  it('refuses revert ids it did not make with provider.badRevertId, before any request', async () => {
    const fake = await start();
    const p = provider(fake);
    for (const id of ['memory-isolateZone-1', 'kubernetes:cordon:eu-1a', 'kubernetes:cordon:eu-1a:Node_A', 'kubernetes:drain:eu-1a:n', 'kubernetes:evacuate:', 'kubernetes:cordon::n1']) {
      const error = await p.actuator.revert(id).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.badRevertId'), id).toBe(true);
    }
    expect(fake.requests).toEqual([]);
  });
});

describe('KubernetesProvider evacuateRegion and addToxic', () => {
  it('without a traffic shift, evacuateRegion is unsupported and says how to configure one', async () => {
    const fake = await start();
    const error = await provider(fake).actuator.evacuateRegion({ name: 'eu-1' }).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.unsupported')).toBe(true);
    expect((error as Error).message).toMatch(/trafficShift/);
    const revert = await provider(fake).actuator.revert('kubernetes:evacuate:eu-1').catch((e: unknown) => e);
    expect(isSimianError(revert, 'provider.unsupported')).toBe(true);
  });

  it('with a traffic shift, evacuates and restores the region, also by id from a new instance', async () => {
    const fake = await start();
    const calls: string[] = [];
    const trafficShift = {
      evacuate: async (region: string) => void calls.push(`evacuate ${region}`),
      restore: async (region: string) => void calls.push(`restore ${region}`),
    };
    const handle = await provider(fake, { trafficShift }).actuator.evacuateRegion({ name: 'eu-1' });
    expect(handle.id).toBe('kubernetes:evacuate:eu-1');
    await handle.revert();
    await provider(fake, { trafficShift }).actuator.revert(handle.id);
    expect(calls).toEqual(['evacuate eu-1', 'restore eu-1', 'restore eu-1']);
    // The cluster itself is not touched.
    expect(fake.requests).toEqual([]);
  });

  it('addToxic is unsupported (network faults go through the toxiproxy provider)', async () => {
    const fake = await start();
    const error = await provider(fake).actuator.addToxic({ proxy: 'x' }, { type: 'latency' }).catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.unsupported')).toBe(true);
    expect((error as Error).message).toMatch(/toxiproxy/);
  });
});
