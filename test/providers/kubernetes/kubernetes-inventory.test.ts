import { afterEach, describe, expect, it } from 'vitest';
import { KubernetesProvider, type KubernetesProviderOptions } from '../../../src/providers/kubernetes/index.js';
import { FakeKubeApiserver, fakeNode, fakePod, sampleCluster, type FakeKubeOptions } from '../../support/fake-kube-apiserver.js';

const fakes: FakeKubeApiserver[] = [];

async function start(options: FakeKubeOptions = sampleCluster()): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start(options);
  fakes.push(fake);
  return fake;
}

function provider(fake: FakeKubeApiserver, options: Partial<KubernetesProviderOptions> = {}): KubernetesProvider {
  return new KubernetesProvider({ kubeConfig: fake.kubeConfig(), ...options });
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

describe('KubernetesProvider inventory', () => {
  it('groups pods by controller: a ReplicaSet becomes its Deployment, StatefulSets and DaemonSets keep their names', async () => {
    const fake = await start();
    const groups = await provider(fake).inventory.groups();
    const byName = new Map(groups.map((g) => [g.name, g.instances.map((i) => i.id).sort()]));
    expect([...byName.keys()].sort()).toEqual(['default/db', 'default/edge', 'default/logs', 'default/solo', 'default/web', 'shop/cart']);
    expect(byName.get('default/web')).toEqual([
      'default/web-7d9f8c6b5-aaaaa',
      'default/web-7d9f8c6b5-bbbbb',
      'default/web-7d9f8c6b5-ccccc',
      'default/web-7d9f8c6b5-ppppp',
    ]);
    expect(byName.get('default/db')).toEqual(['default/db-0', 'default/db-1']);
    // No owner: the pod is a group of its own.
    expect(byName.get('default/solo')).toEqual(['default/solo']);
    expect(groups.find((g) => g.name === 'default/web')?.region).toBe('eu-1');
  });

  it('keeps a ReplicaSet name whose suffix is not the pod-template-hash', async () => {
    const fake = await start({
      nodes: [],
      pods: [fakePod({ name: 'batch-abc-1', owner: { kind: 'ReplicaSet', name: 'batch-abc' } }), fakePod({ name: 'j-1', owner: { kind: 'Job', name: 'nightly' } })],
    });
    const names = (await provider(fake).inventory.groups()).map((g) => g.name).sort();
    expect(names).toEqual(['default/batch-abc', 'default/nightly']);
  });

  it('groups by a label when asked, falling back to the owner for pods without it', async () => {
    const fake = await start();
    const groups = await provider(fake, { groupBy: { kind: 'label', key: 'app' } }).inventory.groups();
    const names = groups.map((g) => g.name).sort();
    expect(names).toEqual(['default/db', 'default/edge', 'default/logs', 'default/solo', 'default/web', 'shop/cart']);
    expect(groups.find((g) => g.name === 'default/logs')?.instances).toHaveLength(2);
  });

  it('places pods by their node topology labels, unknown when unscheduled or unlabelled', async () => {
    const fake = await start();
    const instances = new Map((await provider(fake).inventory.instances()).map((i) => [i.id, i]));
    expect(instances.get('default/web-7d9f8c6b5-aaaaa')).toMatchObject({ zone: 'eu-1a', region: 'eu-1', state: 'running' });
    expect(instances.get('default/web-7d9f8c6b5-ccccc')).toMatchObject({ zone: 'eu-1b', region: 'eu-1' });
    expect(instances.get('default/web-7d9f8c6b5-ppppp')).toMatchObject({ zone: 'unknown', region: 'unknown', state: 'pending' });
    expect(instances.get('default/edge-0')).toMatchObject({ zone: 'unknown', region: 'unknown' });
  });

  it('maps tags (annotations win over labels), launch time and states', async () => {
    const fake = await start({
      nodes: [fakeNode({ name: 'n', zone: 'z', region: 'r' })],
      pods: [
        fakePod({ name: 'a', nodeName: 'n', labels: { 'simian/opt-in': 'false', app: 'x' }, annotations: { 'simian/opt-in': 'true' }, startTime: '2026-02-01T00:00:00Z' }),
        fakePod({ name: 'b', nodeName: 'n', creationTimestamp: '2026-03-01T00:00:00Z', deletionTimestamp: '2026-03-02T00:00:00Z' }),
        fakePod({ name: 'c', nodeName: 'n', phase: 'Succeeded' }),
        fakePod({ name: 'd', nodeName: 'n', phase: 'Failed' }),
        fakePod({ name: 'e', nodeName: 'n', phase: 'Unknown' }),
      ],
    });
    const instances = new Map((await provider(fake).inventory.instances()).map((i) => [i.id, i]));
    expect(instances.get('default/a')?.tags).toEqual({ 'simian/opt-in': 'true', app: 'x' });
    expect(instances.get('default/a')?.launchedAt).toBe(Date.UTC(2026, 1, 1));
    // Terminating: still Running in its phase, but on its way out.
    expect(instances.get('default/b')).toMatchObject({ state: 'stopping', launchedAt: Date.UTC(2026, 2, 1) });
    expect(instances.get('default/c')?.state).toBe('terminated');
    expect(instances.get('default/d')?.state).toBe('terminated');
    expect(instances.get('default/e')?.state).toBe('unknown');
  });

  it('hides kube-system by default and shows it when the deny-list is emptied', async () => {
    const fake = await start();
    const ids = (await provider(fake).inventory.instances()).map((i) => i.id);
    expect(ids.some((id) => id.startsWith('kube-system/'))).toBe(false);
    const all = (await provider(fake, { excludeNamespaces: [] }).inventory.instances()).map((i) => i.id);
    expect(all).toContain('kube-system/coredns-5d78c9869d-qqqqq');
  });

  it('lists only allowed namespaces, one namespaced list each, and the deny-list still wins', async () => {
    const fake = await start();
    const instances = await provider(fake, { namespaces: ['shop', 'kube-system'] }).inventory.instances();
    expect(instances.map((i) => i.id)).toEqual(['shop/cart-6c8f-zzzzz']);
    expect(instances[0]?.group).toBe('shop/cart');
    expect(fake.count({ method: 'GET', path: '/api/v1/namespaces/shop/pods' })).toBe(1);
    expect(fake.count({ path: '/api/v1/pods' })).toBe(0);
    expect(fake.count({ path: '/api/v1/namespaces/kube-system/pods' })).toBe(0);
  });

  it('passes a pod selector to the API server', async () => {
    const fake = await start();
    const instances = await provider(fake, { podSelector: 'simian/opt-in=true' }).inventory.instances();
    expect(instances.map((i) => i.group)).toEqual(['default/web', 'default/web', 'default/web', 'default/web']);
    expect(fake.requestsTo({ path: '/api/v1/pods' })[0]?.query['labelSelector']).toBe('simian/opt-in=true');
  });

  it('pages through more pods than one page holds', async () => {
    const pods = Array.from({ length: 1203 }, (_, i) =>
      fakePod({ name: `api-5f5f-${String(i).padStart(5, '0')}`, labels: { 'pod-template-hash': '5f5f' }, owner: { kind: 'ReplicaSet', name: 'api-5f5f' }, nodeName: 'n' }),
    );
    const fake = await start({ nodes: [fakeNode({ name: 'n', zone: 'z', region: 'r' })], pods });
    const groups = await provider(fake, { pageSize: 500 }).inventory.groups();
    expect(groups).toHaveLength(1);
    expect(groups[0]?.name).toBe('default/api');
    expect(new Set(groups[0]?.instances.map((i) => i.id)).size).toBe(1203);
    const pages = fake.requestsTo({ path: '/api/v1/pods' });
    expect(pages).toHaveLength(3);
    expect(pages.map((p) => p.query['limit'])).toEqual(['500', '500', '500']);
    expect(pages[0]?.query['continue']).toBeUndefined();
    expect(pages[1]?.query['continue']).toBeTruthy();
  });

  it('lists nodes once per inventory call, and again on the next call', async () => {
    const fake = await start();
    const p = provider(fake);
    await p.inventory.groups();
    expect(fake.count({ method: 'GET', path: '/api/v1/nodes' })).toBe(1);
    // A node relabelled between calls is seen: nothing is cached across calls.
    fake.addNode(fakeNode({ name: 'node-b1', zone: 'eu-1c', region: 'eu-1' }));
    const moved = (await p.inventory.instances({ zone: 'eu-1c' })).map((i) => i.id).sort();
    expect(fake.count({ method: 'GET', path: '/api/v1/nodes' })).toBe(2);
    expect(moved).toEqual(['default/db-1', 'default/web-7d9f8c6b5-ccccc']);
  });

  it('derives zones and regions from nodes', async () => {
    const fake = await start();
    const p = provider(fake);
    expect([...(await p.inventory.zones())].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'eu-1a', region: 'eu-1' },
      { name: 'eu-1b', region: 'eu-1' },
    ]);
    expect(await p.inventory.regions()).toEqual([{ name: 'eu-1' }]);
  });

  it('filters instances by group, zone and state', async () => {
    const fake = await start();
    const p = provider(fake);
    const running = await p.inventory.instances({ group: 'default/web', states: ['running'] });
    expect(running.map((i) => i.id).sort()).toEqual(['default/web-7d9f8c6b5-aaaaa', 'default/web-7d9f8c6b5-bbbbb', 'default/web-7d9f8c6b5-ccccc']);
    expect((await p.inventory.instances({ zone: 'eu-1b' })).map((i) => i.id).sort()).toEqual(['default/db-1', 'default/web-7d9f8c6b5-ccccc']);
  });

  it('reports a listing failure as a provider error, not a raw ApiException', async () => {
    const fake = await start();
    fake.failNext({ path: '/api/v1/pods' }, { status: 403, message: 'pods is forbidden: User "simian" cannot list resource "pods"' }, Infinity);
    const error = await provider(fake).inventory.groups().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'provider.forbidden' });
    expect((error as Error).message).toMatch(/list pods.*RBAC/);
  });
});
