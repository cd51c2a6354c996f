/**
 * The monkey tests the memory provider passes, run against the Kubernetes provider and the fake API server: the
 * real SafetyPipeline decides, the real client-node acts, and the fake's request log says what reached the cluster.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../../src/core/errors.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import type { SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import { KubernetesProvider } from '../../../src/providers/kubernetes/index.js';
import { FakeKubeApiserver, fakeNode, fakePod, sampleCluster, type FakeKubeOptions, type FakePod } from '../../support/fake-kube-apiserver.js';

const fakes: FakeKubeApiserver[] = [];

async function start(options: FakeKubeOptions = sampleCluster()): Promise<FakeKubeApiserver> {
  const fake = await FakeKubeApiserver.start(options);
  fakes.push(fake);
  return fake;
}

afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

const UNLEASHED: Partial<SafetyConfig> = { leashed: false, minIntervalMs: 0 };

function pipeline(fake: FakeKubeApiserver, config: Partial<SafetyConfig> | undefined, seed = 1): SafetyPipeline {
  return new SafetyPipeline({
    provider: new KubernetesProvider({ kubeConfig: fake.kubeConfig() }),
    ledger: new MemoryFaultLedger(),
    clock: new ManualClock(),
    random: new SeededRandom(seed),
    fileExists: async () => false,
    ...(config ? { config } : {}),
  });
}

/** A Deployment `api` of four pods: two opted in (one by label, one by annotation), two not. */
function mixedApi(): FakePod[] {
  const pod = (suffix: string, optIn: 'label' | 'annotation' | 'none'): FakePod =>
    fakePod({
      name: `api-6b7c-${suffix}`,
      labels: { app: 'api', 'pod-template-hash': '6b7c', ...(optIn === 'label' ? { 'simian/opt-in': 'true' } : {}) },
      ...(optIn === 'annotation' ? { annotations: { 'simian/opt-in': 'true' } } : {}),
      owner: { kind: 'ReplicaSet', name: 'api-6b7c' },
      nodeName: 'n1',
    });
  return [pod('a', 'label'), pod('b', 'none'), pod('c', 'annotation'), pod('d', 'none')];
}

describe('SafetyPipeline on the Kubernetes provider', () => {
  it('terminates exactly one opted-in pod of the group when unleashed', async () => {
    const fake = await start();
    const decision = await pipeline(fake, UNLEASHED).terminate({ monkey: 'chaos', group: 'default/web' });
    expect(decision.outcome).toBe('executed');
    const deletes = fake.requestsTo({ method: 'DELETE' });
    expect(deletes).toHaveLength(1);
    const victim = `default/${deletes[0]?.path.split('/').pop()}`;
    expect(decision.outcome === 'executed' && decision.fault.targets).toEqual([victim]);
    expect(['default/web-7d9f8c6b5-aaaaa', 'default/web-7d9f8c6b5-bbbbb', 'default/web-7d9f8c6b5-ccccc']).toContain(victim);
    expect(deletes[0]?.query['gracePeriodSeconds']).toBe('0');
    expect(fake.pods.has(victim)).toBe(false);
  });

  it('never sends a DELETE when leashed (the default config)', async () => {
    const fake = await start();
    const decision = await pipeline(fake, undefined).terminate({ monkey: 'chaos', group: 'default/web' });
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'leashed' });
    expect(fake.count({ method: 'DELETE' })).toBe(0);
    expect(fake.requests.every((r) => r.method === 'GET')).toBe(true);
  });

  it('never picks a pod without the opt-in label or annotation', async () => {
    const fake = await start({ nodes: [fakeNode({ name: 'n1', zone: 'z1', region: 'r1' })], pods: mixedApi() });
    const victims = new Set<string>();
    for (let seed = 1; seed <= 12; seed++) {
      const decision = await pipeline(fake, UNLEASHED, seed).terminate({ monkey: 'chaos', group: 'default/api' });
      expect(decision.outcome, `seed ${seed}`).toBe('executed');
      const path = fake.requestsTo({ method: 'DELETE' }).at(-1)?.path ?? '';
      const name = path.split('/').pop() ?? '';
      victims.add(name);
      // Put the pod back, as its ReplicaSet would, so every run sees the same group.
      const original = mixedApi().find((p) => p.metadata.name === name);
      if (original) fake.addPod(original);
    }
    expect(fake.count({ method: 'DELETE' })).toBe(12);
    expect([...victims].sort()).toEqual(['api-6b7c-a', 'api-6b7c-c']);
  });

  it('skips a group with no opted-in pod, sending no DELETE', async () => {
    const fake = await start();
    const decision = await pipeline(fake, UNLEASHED).terminate({ monkey: 'chaos', group: 'default/logs' });
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'not-eligible' });
    expect(fake.count({ method: 'DELETE' })).toBe(0);
  });

  it('reports a failed decision when the pod vanished before the delete', async () => {
    const fake = await start();
    fake.failNext({ method: 'DELETE' }, { status: 404 });
    const decision = await pipeline(fake, UNLEASHED).terminate({ monkey: 'chaos', group: 'default/web' });
    expect(decision.outcome).toBe('failed');
    expect(decision.outcome === 'failed' && isSimianError(decision.error, 'provider.instanceGone')).toBe(true);
  });

  it('skips with check-failed when the cluster cannot be read', async () => {
    const fake = await start();
    fake.failNext({ path: '/api/v1/pods' }, { status: 403 }, Infinity);
    const decision = await pipeline(fake, UNLEASHED).terminate({ monkey: 'chaos', group: 'default/web' });
    expect(decision).toMatchObject({ outcome: 'skipped', reason: 'check-failed' });
    expect(fake.count({ method: 'DELETE' })).toBe(0);
  });
});
