/**
 * Issue 9 item 9 on Kubernetes: the nodes a zone isolation is about to cordon are announced (and recorded by the
 * pipeline) before the first cordon, so a process that dies half-way leaves an id that uncordons them; and a
 * rollback that fails is reported, not swallowed.
 */
import type { V1Node } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { SimianError } from '../../../src/core/errors.js';
import { KubernetesProvider } from '../../../src/providers/kubernetes/index.js';
import type { KubeApi } from '../../../src/providers/kubernetes/kube-api.js';
import { isolateZoneNodes } from '../../../src/providers/kubernetes/zone-cordon.js';
import { FakeKubeApiserver, sampleCluster } from '../../support/fake-kube-apiserver.js';

const fakes: FakeKubeApiserver[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

const ZONE_A = { name: 'eu-1a', region: 'eu-1' };

function unschedulable(fake: FakeKubeApiserver): string[] {
  return [...fake.nodes.values()].filter((n) => n.spec?.unschedulable === true).map((n) => n.metadata.name).sort();
}

describe('Kubernetes zone isolation and the crash in the middle', () => {
  it('announces the revert id of every node it will cordon before the first PATCH, and that id reverts them all', async () => {
    const fake = await FakeKubeApiserver.start(sampleCluster());
    fakes.push(fake);
    const intents: Array<{ id: string; patchesSoFar: number }> = [];
    const handle = await new KubernetesProvider({ kubeConfig: fake.kubeConfig() }).actuator.isolateZone(ZONE_A, {
      onIntent: async (id) => {
        intents.push({ id, patchesSoFar: fake.count({ method: 'PATCH' }) });
      },
    });
    expect(intents).toEqual([{ id: 'kubernetes:cordon:eu-1a:node-a1,node-a2', patchesSoFar: 0 }]);
    expect(handle.id).toBe(intents[0]!.id);
    // As the next start would: a new provider, the recorded intent alone.
    await new KubernetesProvider({ kubeConfig: fake.kubeConfig() }).actuator.revert(intents[0]!.id);
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('an intent that cannot be recorded stops the isolation before any node is touched', async () => {
    const fake = await FakeKubeApiserver.start(sampleCluster());
    fakes.push(fake);
    const failed = await new KubernetesProvider({ kubeConfig: fake.kubeConfig() })
      .actuator.isolateZone(ZONE_A, { onIntent: () => Promise.reject(new Error('the state store is read-only')) })
      .catch((e: unknown) => e);
    expect((failed as Error).message).toBe('the state store is read-only');
    expect(fake.count({ method: 'PATCH' })).toBe(0);
    expect(unschedulable(fake)).toEqual(['node-a3']);
  });

  it('reports a rollback that failed too, naming the nodes left cordoned', async () => {
    const node = (name: string, unschedulable = false): V1Node => ({ metadata: { name }, spec: { unschedulable } });
    const patches: string[] = [];
    const api = {
      listNodes: async () => [node('node-a1'), node('node-a2'), node('node-a3', true)],
      listAllPods: async () => [],
      patchNode: async (name: string, patch: { spec: { unschedulable: boolean | null } }) => {
        const cordon = patch.spec.unschedulable === true;
        patches.push(`${cordon ? 'cordon' : 'uncordon'} ${name}`);
        if (cordon && name === 'node-a2') throw new SimianError('provider.forbidden', 'cannot patch nodes "node-a2": forbidden');
        if (!cordon && name === 'node-a1') throw new SimianError('provider.unreachable', 'the API server does not answer');
        return node(name, cordon);
      },
    } as unknown as KubeApi;
    const error = await isolateZoneNodes(api, 'eu-1a', { namespaceAllowed: () => true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimianError);
    expect((error as SimianError).code).toBe('provider.forbidden');
    expect((error as Error).message).toBe(
      'cannot patch nodes "node-a2": forbidden; uncordoning node(s) node-a1 again failed too: could not uncordon node(s) node-a1: the API server does not answer; revert again once fixed',
    );
    expect(patches).toEqual(['cordon node-a1', 'cordon node-a2', 'uncordon node-a1']);
  });
});
