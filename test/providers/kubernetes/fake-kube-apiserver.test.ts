/**
 * The fake API server itself, checked with the real client-node (so the provider's tests rest on a fake the real
 * client accepts) and with plain fetch (for what the client hides: status codes, Status bodies, headers).
 */
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { FAKE_TOKEN, FakeKubeApiserver, fakeNode, fakePod, sampleCluster } from '../../support/fake-kube-apiserver.js';

const fakes: FakeKubeApiserver[] = [];

async function start(): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start(sampleCluster());
  fakes.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function get(fake: FakeKubeApiserver, path: string, token: string | null = FAKE_TOKEN): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const answer = await fetch(`${fake.url}${path}`, token === null ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: answer.status, body: (await answer.json()) as Record<string, unknown>, headers: answer.headers };
}

function names(body: Record<string, unknown>): string[] {
  return (body['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name);
}

describe('FakeKubeApiserver', () => {
  it('refuses requests without the bearer token with a 401 Status', async () => {
    const fake = await start();
    for (const token of [null, 'wrong']) {
      const { status, body } = await get(fake, '/api/v1/pods', token);
      expect(status).toBe(401);
      expect(body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    }
  });

  it('answers unknown routes and missing objects with a NotFound Status', async () => {
    const fake = await start();
    expect((await get(fake, '/apis/apps/v1/daemonsets')).body).toMatchObject({ reason: 'NotFound', code: 404 });
    const missing = await get(fake, '/api/v1/namespaces/default/pods/nope');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ reason: 'NotFound', details: { name: 'nope', kind: 'pods' } });
  });

  it('supports equality, inequality, existence and set label selectors', async () => {
    const fake = await start();
    const select = async (selector: string) => names((await get(fake, `/api/v1/namespaces/default/pods?labelSelector=${encodeURIComponent(selector)}`)).body);
    expect(await select('app=logs')).toEqual(['logs-x1', 'logs-x2']);
    expect(await select('app==web,simian/opt-in=true')).toHaveLength(4);
    expect(await select('app,app!=web')).toEqual(['logs-x1', 'logs-x2']);
    expect(await select('!app')).toEqual(['db-0', 'db-1', 'edge-0', 'solo']);
    expect(await select('app in (logs, nothing)')).toEqual(['logs-x1', 'logs-x2']);
    expect((await get(fake, `/api/v1/pods?labelSelector=${encodeURIComponent('a=(b')}`)).status).toBe(400);
  });

  it('supports field selectors on pods and refuses unknown fields', async () => {
    const fake = await start();
    const onA2 = await get(fake, `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=node-a2')}`);
    expect(names(onA2.body)).toEqual(['logs-x2', 'solo', 'web-7d9f8c6b5-bbbbb']);
    const unscheduled = await get(fake, `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=')}`);
    expect(names(unscheduled.body)).toEqual(['web-7d9f8c6b5-ppppp']);
    const bad = await get(fake, `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.schedulerName=x')}`);
    expect(bad.status).toBe(400);
  });

  it('pages with limit and continue, and refuses a forged token', async () => {
    const fake = await start();
    const first = await get(fake, '/api/v1/pods?limit=5');
    const meta = first.body['metadata'] as { continue?: string; remainingItemCount?: number };
    expect(names(first.body)).toHaveLength(5);
    expect(meta.remainingItemCount).toBe(sampleCluster().pods.length - 5);
    const rest = await get(fake, `/api/v1/pods?limit=100&continue=${meta.continue}`);
    expect(names(rest.body)).toHaveLength(sampleCluster().pods.length - 5);
    expect((rest.body['metadata'] as { continue?: string }).continue).toBeUndefined();
    expect((await get(fake, '/api/v1/pods?continue=garbage')).status).toBe(400);
  });

  it('works with client-node: list, read, delete, evict, patch', async () => {
    const fake = await start();
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    expect((await core.listNode({ labelSelector: 'topology.kubernetes.io/zone=eu-1b' })).items.map((n) => n.metadata?.name)).toEqual(['node-b1']);
    expect((await core.readNode({ name: 'node-a1' })).metadata?.labels?.['topology.kubernetes.io/zone']).toBe('eu-1a');
    expect((await core.readNamespacedPod({ name: 'solo', namespace: 'default' })).spec?.nodeName).toBe('node-a2');

    const deleted = await core.deleteNamespacedPod({ name: 'solo', namespace: 'default', gracePeriodSeconds: 7 });
    expect(deleted.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    expect(deleted.metadata?.deletionGracePeriodSeconds).toBe(7);
    expect(fake.pods.has('default/solo')).toBe(false);

    await core.createNamespacedPodEviction({
      name: 'db-0',
      namespace: 'default',
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'db-0', namespace: 'default' } },
    });
    expect(fake.evicted).toEqual(['default/db-0']);

    fake.pdbBlocks.add('*');
    const refused = await core
      .createNamespacedPodEviction({ name: 'db-1', namespace: 'default', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'db-1' } } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiException);
    expect((refused as ApiException<string>).code).toBe(429);
    expect(JSON.parse((refused as ApiException<string>).body)).toMatchObject({ reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget' }] } });
  });

  it('patches nodes as JSON Patch, merge patch and strategic merge patch, like the real server', async () => {
    const fake = await start();
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    // The default Content-Type is JSON Patch; `replace` of the omitted field fails as on a real server.
    const replace = await core.patchNode({ name: 'node-a1', body: [{ op: 'replace', path: '/spec/unschedulable', value: true }] }).catch((e: unknown) => e);
    expect((replace as ApiException<string>).code).toBe(422);
    await core.patchNode({ name: 'node-a1', body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    expect(fake.nodes.get('node-a1')?.spec?.unschedulable).toBe(true);
    await core.patchNode({ name: 'node-a1', body: { spec: { unschedulable: null } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    expect(fake.nodes.get('node-a1')?.spec).toEqual({});
    await core.patchNode({ name: 'node-a1', body: { metadata: { annotations: { a: 'b' } } } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
    expect(fake.nodes.get('node-a1')?.metadata.labels?.['topology.kubernetes.io/zone']).toBe('eu-1a');
    expect(fake.nodes.get('node-a1')?.metadata.annotations).toEqual({ a: 'b' });
    expect(fake.requestsTo({ method: 'PATCH' }).map((r) => r.contentType)).toEqual([
      'application/json-patch+json',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    const yaml = await fetch(`${fake.url}/api/v1/nodes/node-a1`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${FAKE_TOKEN}`, 'content-type': 'application/yaml' },
      body: '{}',
    });
    expect(yaml.status).toBe(415);
  });

  it('injects failures on matching routes for a number of requests, with Retry-After', async () => {
    const fake = await start();
    fake.failNext({ method: 'GET', path: '/api/v1/nodes' }, { status: 429, retryAfterSeconds: 3 }, 2);
    const first = await get(fake, '/api/v1/nodes');
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('3');
    expect(first.body).toMatchObject({ reason: 'TooManyRequests', details: { retryAfterSeconds: 3 } });
    expect((await get(fake, '/api/v1/pods')).status).toBe(200);
    expect((await get(fake, '/api/v1/nodes')).status).toBe(429);
    expect((await get(fake, '/api/v1/nodes')).status).toBe(200);
    expect(fake.count({ path: '/api/v1/nodes' })).toBe(3);
    fake.failNext({}, { status: 500 }, Infinity);
    expect((await get(fake, '/api/v1/pods')).body).toMatchObject({ reason: 'InternalError', code: 500 });
    fake.clearFailures();
    expect((await get(fake, '/api/v1/pods')).status).toBe(200);
  });

  it('builds pods and nodes the client decodes', async () => {
    const fake = await FakeKubeApiserver.start({
      nodes: [fakeNode({ name: 'n', zone: 'z', region: 'r' })],
      pods: [fakePod({ name: 'p', namespace: 'x', startTime: '2026-05-01T00:00:00Z', nodeName: 'n' })],
    });
    fakes.push(fake);
    const core = fake.kubeConfig().makeApiClient(CoreV1Api);
    const list = await core.listNamespacedPod({ namespace: 'x' });
    expect(list.items[0]?.status?.startTime?.getTime()).toBe(Date.UTC(2026, 4, 1));
    expect(list.items[0]?.metadata?.uid).toMatch(/^pod-uid-/);
  });

  it('close() resolves once closed, even with kept-alive connections, and twice', async () => {
    const fake = await start();
    await fake.kubeConfig().makeApiClient(CoreV1Api).listNode({});
    await fake.close();
    await fake.close();
    const error = await fetch(`${fake.url}/api/v1/nodes`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });
});
