/**
 * @module
 * How Kubernetes objects read as Simian's model: a pod is an {@link Instance}, its owner (or an app label) is its
 * group, and its node's topology labels are its zone and region. Pure functions, so the mapping is tested without
 * an API server.
 */
import type { V1Node, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import type { Instance, InstanceState } from '../../core/model.js';

/** The well-known node label that names a node's zone. */
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** The well-known node label that names a node's region. */
export const REGION_LABEL = 'topology.kubernetes.io/region';

/** What zone, region or group a pod gets when the cluster does not say (unscheduled pod, unlabelled node). */
export const UNKNOWN = 'unknown';

/** The label a Deployment's ReplicaSets and pods carry; its value is the suffix of the ReplicaSet's name. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/**
 * How pods are grouped:
 * - `owner`: by controller (a Deployment, through its ReplicaSet; a StatefulSet; a DaemonSet; a Job). A pod
 *   without a controller is a group of its own.
 * - `label`: by the value of a label (`app`, `app.kubernetes.io/name`); pods without it fall back to `owner`.
 *
 * Group names are `namespace/name` either way, since names are only unique within a namespace.
 */
export type GroupBy = { readonly kind: 'owner' } | { readonly kind: 'label'; readonly key: string };

/** A node's place in the topology. */
export interface NodeLocation {
  readonly zone: string;
  readonly region: string;
}

/** Where `node` is, from its topology labels; {@link UNKNOWN} for any label it lacks. */
export function nodeLocation(node: V1Node): NodeLocation {
  const labels = node.metadata?.labels ?? {};
  return { zone: labels[ZONE_LABEL] ?? UNKNOWN, region: labels[REGION_LABEL] ?? UNKNOWN };
}

/** The pod's managing controller: the owner reference marked `controller: true`, if any. */
export function controllerOf(pod: V1Pod): V1OwnerReference | undefined {
  return pod.metadata?.ownerReferences?.find((owner) => owner.controller === true);
}

/**
 * The name of the workload behind `pod`, without namespace. A Deployment's pods are owned by a ReplicaSet named
 * `<deployment>-<pod-template-hash>`, which changes on every rollout; stripping the hash gives the Deployment,
 * the stable thing people think of as the service. The hash is stripped only when the pod's own
 * `pod-template-hash` label says it is there, so a ReplicaSet that merely has a dash in its name keeps it.
 */
export function ownerName(pod: V1Pod): string {
  const podName = pod.metadata?.name ?? '';
  const owner = controllerOf(pod);
  if (!owner) return podName;
  const hash = pod.metadata?.labels?.[POD_TEMPLATE_HASH_LABEL];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) return owner.name.slice(0, -(hash.length + 1));
  return owner.name;
}

/** The group `pod` belongs to, `namespace/name`. */
export function groupNameOf(pod: V1Pod, groupBy: GroupBy): string {
  const namespace = pod.metadata?.namespace ?? 'default';
  if (groupBy.kind === 'label') {
    const value = pod.metadata?.labels?.[groupBy.key];
    if (value !== undefined && value !== '') return `${namespace}/${value}`;
  }
  return `${namespace}/${ownerName(pod)}`;
}

/**
 * The pod's lifecycle state. A pod being deleted still reports `Running` until its containers exit, but it is on
 * its way out: reporting it as `stopping` keeps the safety pipeline from counting it as healthy or killing it twice.
 */
export function podState(pod: V1Pod): InstanceState {
  if (pod.metadata?.deletionTimestamp) return 'stopping';
  switch (pod.status?.phase) {
    case 'Pending':
      return 'pending';
    case 'Running':
      return 'running';
    case 'Succeeded':
    case 'Failed':
      return 'terminated';
    default:
      return 'unknown';
  }
}

/** Epoch ms of a timestamp client-node decoded (a Date) or passed through (a string), or undefined. */
function epochMs(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The instance id of a pod: `namespace/name`. */
export function podId(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/**
 * Splits an instance id back into namespace and name, or undefined if it is not `namespace/name`. Both parts are
 * DNS names, so neither holds a slash.
 */
export function parsePodId(id: string): { namespace: string; name: string } | undefined {
  const match = /^([^/]+)\/([^/]+)$/.exec(id);
  return match ? { namespace: match[1] as string, name: match[2] as string } : undefined;
}

/** Whether a DaemonSet runs `pod`: such pods cannot be moved off a node (the DaemonSet puts them straight back). */
export function isDaemonSetPod(pod: V1Pod): boolean {
  return controllerOf(pod)?.kind === 'DaemonSet';
}

/** Whether `pod` is a static pod's mirror, which the API cannot evict (the kubelet owns it). */
export function isMirrorPod(pod: V1Pod): boolean {
  return pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

/**
 * A pod as an {@link Instance}. Its tags are its labels and annotations merged, annotations winning, so the
 * safety pipeline's opt-in (`simian/opt-in: "true"`) may be set either way: a label is selectable, an annotation
 * can be added without touching a Deployment's selector.
 *
 * @param nodes where each node is, by node name (nodes missing from it give {@link UNKNOWN})
 */
export function podToInstance(pod: V1Pod, nodes: ReadonlyMap<string, NodeLocation>, groupBy: GroupBy): Instance {
  const namespace = pod.metadata?.namespace ?? 'default';
  const nodeName = pod.spec?.nodeName;
  const location = (nodeName === undefined ? undefined : nodes.get(nodeName)) ?? { zone: UNKNOWN, region: UNKNOWN };
  return {
    id: podId(namespace, pod.metadata?.name ?? ''),
    group: groupNameOf(pod, groupBy),
    region: location.region,
    zone: location.zone,
    state: podState(pod),
    launchedAt: epochMs(pod.status?.startTime) ?? epochMs(pod.metadata?.creationTimestamp) ?? 0,
    tags: { ...(pod.metadata?.labels ?? {}), ...(pod.metadata?.annotations ?? {}) },
  };
}
