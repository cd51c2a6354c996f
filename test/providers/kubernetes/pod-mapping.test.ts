import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { groupNameOf, isDaemonSetPod, isMirrorPod, nodeLocation, parsePodId, podToInstance } from '../../../src/providers/kubernetes/pod-mapping.js';

function pod(overrides: { name?: string; namespace?: string; labels?: Record<string, string>; owner?: { kind: string; name: string; controller?: boolean } } = {}): V1Pod {
  return {
    metadata: {
      name: overrides.name ?? 'p',
      namespace: overrides.namespace ?? 'ns',
      ...(overrides.labels ? { labels: overrides.labels } : {}),
      ...(overrides.owner
        ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: overrides.owner.kind, name: overrides.owner.name, uid: 'u', controller: overrides.owner.controller ?? true }] }
        : {}),
    },
  };
}

describe('pod mapping', () => {
  it('names groups namespace/owner, stripping only the pod-template-hash', () => {
    const owner = { kind: 'owner' } as const;
    expect(groupNameOf(pod({ labels: { 'pod-template-hash': '5c9f' }, owner: { kind: 'ReplicaSet', name: 'web-5c9f' } }), owner)).toBe('ns/web');
    expect(groupNameOf(pod({ owner: { kind: 'ReplicaSet', name: 'web-5c9f' } }), owner)).toBe('ns/web-5c9f');
    expect(groupNameOf(pod({ labels: { 'pod-template-hash': 'zzz' }, owner: { kind: 'ReplicaSet', name: 'web-5c9f' } }), owner)).toBe('ns/web-5c9f');
    expect(groupNameOf(pod({ owner: { kind: 'StatefulSet', name: 'db' } }), owner)).toBe('ns/db');
    expect(groupNameOf(pod({ owner: { kind: 'DaemonSet', name: 'logs' } }), owner)).toBe('ns/logs');
    expect(groupNameOf(pod({ name: 'solo' }), owner)).toBe('ns/solo');
    // An owner that is not the controller does not make a group.
    expect(groupNameOf(pod({ name: 'adopted', owner: { kind: 'ReplicaSet', name: 'x', controller: false } }), owner)).toBe('ns/adopted');
  });

  it('groups by label with an owner fallback', () => {
    const byApp = { kind: 'label', key: 'app' } as const;
    expect(groupNameOf(pod({ labels: { app: 'shop' }, owner: { kind: 'StatefulSet', name: 'db' } }), byApp)).toBe('ns/shop');
    expect(groupNameOf(pod({ owner: { kind: 'StatefulSet', name: 'db' } }), byApp)).toBe('ns/db');
  });

  it('reads zone and region from node labels', () => {
    const node: V1Node = { metadata: { name: 'n', labels: { 'topology.kubernetes.io/zone': 'z', 'topology.kubernetes.io/region': 'r' } } };
    expect(nodeLocation(node)).toEqual({ zone: 'z', region: 'r' });
    expect(nodeLocation({ metadata: { name: 'bare' } })).toEqual({ zone: 'unknown', region: 'unknown' });
  });

  it('maps a pod with Date timestamps as client-node decodes them', () => {
    const decoded: V1Pod = {
      metadata: { name: 'a', namespace: 'ns', creationTimestamp: new Date(Date.UTC(2026, 0, 2)), labels: { x: '1' } },
      spec: { nodeName: 'n', containers: [] },
      status: { phase: 'Running' },
    };
    const instance = podToInstance(decoded, new Map([['n', { zone: 'z', region: 'r' }]]), { kind: 'owner' });
    expect(instance).toEqual({ id: 'ns/a', group: 'ns/a', region: 'r', zone: 'z', state: 'running', launchedAt: Date.UTC(2026, 0, 2), tags: { x: '1' } });
  });

  it('recognises DaemonSet and mirror pods', () => {
    expect(isDaemonSetPod(pod({ owner: { kind: 'DaemonSet', name: 'd' } }))).toBe(true);
    expect(isDaemonSetPod(pod({ owner: { kind: 'ReplicaSet', name: 'd' } }))).toBe(false);
    expect(isMirrorPod({ metadata: { name: 'etcd', annotations: { 'kubernetes.io/config.mirror': 'abc' } } })).toBe(true);
  });

  it('parses pod ids', () => {
    expect(parsePodId('ns/name')).toEqual({ namespace: 'ns', name: 'name' });
    expect(parsePodId('name')).toBeUndefined();
    expect(parsePodId('a/b/c')).toBeUndefined();
  });
});
