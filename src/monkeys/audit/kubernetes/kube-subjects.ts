/**
 * @module
 * What the Kubernetes container rules judge, and how findings name things. A pod spec is judged once where it is
 * written: a Deployment's or StatefulSet's template (`deployment/<ns>/<name>`), or else the pod itself
 * (`pod/<ns>/<name>`: a bare pod, a DaemonSet's, a Job's), so three replicas of one Deployment make one finding,
 * not three. Owners come from the label or annotation `owner` (the annotation wins, as in the provider's tags).
 */
import { OWNER_KEY } from '../audit-config.js';
import type { KubeContainer, KubeObject, KubePod, KubePodSpec, KubernetesSnapshot, KubeWorkload } from './kube-snapshot.js';

/** A pod spec to judge and what to call it. */
export interface PodSpecSubject {
  /** `deployment/<ns>/<name>`, `statefulset/<ns>/<name>` or `pod/<ns>/<name>`. */
  readonly resource: string;
  readonly owner?: string;
  readonly spec: KubePodSpec;
  /** The pod runs to completion (a Job's): probes are not expected of it. */
  readonly batch: boolean;
}

/** `<kind>/<namespace>/<name>` with the kind in lower case. */
export function resourceName(kind: string, object: Pick<KubeObject, 'namespace' | 'name'>): string {
  return `${kind.toLowerCase()}/${object.namespace}/${object.name}`;
}

/** How a finding about one container names it: `deployment/shop/cart container app`. */
export function containerResource(subject: PodSpecSubject, container: KubeContainer): string {
  return `${subject.resource} container ${container.name}`;
}

/** The `owner` annotation, else label, if any. */
export function ownerOf(object: Pick<KubeObject, 'labels' | 'annotations'>): string | undefined {
  return object.annotations[OWNER_KEY] ?? object.labels[OWNER_KEY];
}

/** `{ owner }` when there is one, to spread into a Violation. */
export function ownerField(owner: string | undefined): { owner?: string } {
  return owner === undefined ? {} : { owner };
}

/** The controller owner reference, if any. */
export function controllerOf(object: KubeObject): { kind: string; name: string } | undefined {
  return object.owners.find((o) => o.controller);
}

/** The Deployment or StatefulSet that manages `pod` (through its ReplicaSet for a Deployment), if it is listed. */
export function workloadOfPod(snapshot: KubernetesSnapshot, pod: KubePod): KubeWorkload | undefined {
  const controller = controllerOf(pod);
  if (controller === undefined) return undefined;
  const find = (kind: KubeWorkload['kind'], name: string) => snapshot.workloads.find((w) => w.kind === kind && w.namespace === pod.namespace && w.name === name);
  if (controller.kind === 'StatefulSet') return find('StatefulSet', controller.name);
  if (controller.kind !== 'ReplicaSet') return undefined;
  const rs = snapshot.replicaSets.find((r) => r.namespace === pod.namespace && r.name === controller.name);
  const deployment = rs === undefined ? undefined : controllerOf(rs);
  return deployment?.kind === 'Deployment' ? find('Deployment', deployment.name) : undefined;
}

/** The pods a workload manages. */
export function podsOf(snapshot: KubernetesSnapshot, workload: KubeWorkload): KubePod[] {
  return snapshot.pods.filter((p) => p.namespace === workload.namespace && workloadOfPod(snapshot, p) === workload);
}

/**
 * Every pod spec to judge: each workload's template, then each pod that is still running or about to (not
 * Succeeded or Failed) and that no listed workload manages.
 */
export function podSpecSubjects(snapshot: KubernetesSnapshot): PodSpecSubject[] {
  const workloads = snapshot.workloads.map(
    (w): PodSpecSubject => ({ resource: resourceName(w.kind, w), ...ownerField(ownerOf(w) ?? w.podLabels[OWNER_KEY]), spec: w.template, batch: false }),
  );
  const pods = snapshot.pods
    .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed' && workloadOfPod(snapshot, p) === undefined)
    .map((p): PodSpecSubject => ({ resource: resourceName('pod', p), ...ownerField(ownerOf(p)), spec: p.spec, batch: controllerOf(p)?.kind === 'Job' }));
  return [...workloads, ...pods];
}
