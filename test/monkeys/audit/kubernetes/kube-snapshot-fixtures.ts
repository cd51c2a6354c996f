/**
 * @module
 * Builders of plain {@link KubernetesSnapshot} parts for the rules' tests: each builder gives a conforming object
 * (probes, limits, a pinned image, non-root, two replicas …) and a test overrides the one field it is about.
 */
import type {
  KubeContainer,
  KubeJob,
  KubeObject,
  KubePod,
  KubePodSpec,
  KubeReplicaSet,
  KubernetesSnapshot,
  KubeWorkload,
} from '../../../../src/monkeys/audit/kubernetes/kube-snapshot.js';

/** A snapshot's time: 2026-03-01T00:00:00Z. */
export const TAKEN_AT = Date.UTC(2026, 2, 1);

/** A snapshot with nothing in it but two zoned nodes. */
export function snapshot(parts: Partial<KubernetesSnapshot> = {}): KubernetesSnapshot {
  return {
    takenAt: TAKEN_AT,
    nodes: [
      { name: 'node-a', zone: 'eu-1a' },
      { name: 'node-b', zone: 'eu-1b' },
    ],
    namespaces: [{ name: 'shop', labels: {}, annotations: {} }],
    pods: [],
    workloads: [],
    replicaSets: [],
    jobs: [],
    services: [],
    disruptionBudgets: [],
    networkPolicies: [],
    volumeClaims: [],
    configMaps: [],
    secrets: [],
    ...parts,
  };
}

/** Metadata in namespace `shop`. */
export function object(name: string, extra: Partial<KubeObject> = {}): KubeObject {
  return { namespace: 'shop', name, labels: {}, annotations: {}, owners: [], ...extra };
}

/** A conforming container. */
export function container(extra: Partial<KubeContainer> = {}): KubeContainer {
  return { name: 'app', image: 'ghcr.io/acme/cart:1.4.2', readinessProbe: true, livenessProbe: true, limits: ['cpu', 'memory'], privileged: false, ...extra };
}

/** A conforming pod spec (non-root at pod level). */
export function spec(extra: Partial<KubePodSpec> = {}): KubePodSpec {
  return { containers: [container()], initContainers: [], hostNetwork: false, hostPID: false, runAsNonRoot: true, claims: [], configMaps: [], secrets: [], ...extra };
}

/** A conforming Deployment of two replicas, pods labelled `app: <name>`. */
export function deployment(name: string, extra: Partial<KubeWorkload> = {}): KubeWorkload {
  return { ...object(name), kind: 'Deployment', replicas: 2, podLabels: { app: name }, template: spec(), volumeClaimTemplates: [], ...extra };
}

/** A ReplicaSet of Deployment `deploymentName` at `revision`. */
export function replicaSet(name: string, deploymentName: string, revision: number, extra: Partial<KubeReplicaSet> = {}): KubeReplicaSet {
  return {
    ...object(name, { owners: [{ kind: 'Deployment', name: deploymentName, controller: true }] }),
    replicas: 0,
    revision,
    template: spec(),
    ...extra,
  };
}

/** A running pod on `nodeName`, controlled by `owner` if given. */
export function pod(name: string, extra: Partial<KubePod> & { owner?: { kind: string; name: string } } = {}): KubePod {
  const { owner, ...rest } = extra;
  return {
    ...object(name, owner ? { owners: [{ ...owner, controller: true }] } : {}),
    phase: 'Running',
    nodeName: 'node-a',
    spec: spec(),
    ...rest,
  };
}

/** A Job that completed `agoMs` before {@link TAKEN_AT}. */
export function job(name: string, agoMs: number, extra: Partial<KubeJob> = {}): KubeJob {
  return { ...object(name), finished: 'Complete', finishedAt: TAKEN_AT - agoMs, template: spec(), ...extra };
}

/**
 * A conforming namespace `shop`: Deployment `cart` (2 replicas, ReplicaSet `cart-5d8f` at revision 3) with one
 * pod in each zone, a PodDisruptionBudget selecting them, a NetworkPolicy, a ClusterIP Service.
 */
export function conformingShop(parts: Partial<KubernetesSnapshot> = {}): KubernetesSnapshot {
  const rs = replicaSet('cart-5d8f', 'cart', 3, { replicas: 2 });
  return snapshot({
    workloads: [deployment('cart')],
    replicaSets: [rs],
    pods: [pod('cart-5d8f-aaaaa', { owner: { kind: 'ReplicaSet', name: rs.name } }), pod('cart-5d8f-bbbbb', { nodeName: 'node-b', owner: { kind: 'ReplicaSet', name: rs.name } })],
    disruptionBudgets: [{ ...object('cart'), selector: { matchLabels: { app: 'cart' }, matchExpressions: [] } }],
    networkPolicies: [object('default-deny')],
    services: [{ ...object('cart'), type: 'ClusterIP' }],
    ...parts,
  });
}
