/**
 * @module
 * A realistic cluster for the audit monkeys' tests against the fake kube-apiserver, as the API serves it (JSON),
 * with something for every Kubernetes Conformity, Security and Janitor rule to find and something for each to pass:
 *
 * | namespace | what | found |
 * |---|---|---|
 * | shop | Deployment `cart` (2 replicas over both zones, probes, limits, non-root, a budget, a NetworkPolicy), its ReplicaSets at revisions 3 (current), 2 and 1 with `revisionHistoryLimit: 1`, ConfigMap `cart-config` and Secret `cart-db` it uses | ReplicaSet `cart-1` stale, Service `cart-public` (LoadBalancer), ConfigMap `old-cart-config` and claim `cart-export` (opted out) unused |
 * | default | Deployment `web`, one replica of `nginx:latest`, no probes, no limits, root | most Conformity rules, runs-as-root, no NetworkPolicy |
 * | batch | Jobs `nightly-old` (done 10 days before {@link AUDIT_CLUSTER_NOW}), `nightly-new`, a CronJob's `report-1`; a privileged `debug` pod on the host network | the old Job, the debug pod |
 * | kube-system | CoreDNS, as non-conforming as `web` | nothing: excluded by default |
 */
import type { FakeNode, FakeObject, FakeObjectMeta, FakePod } from './fake-kube-apiserver.js';
import { fakeNode } from './fake-kube-apiserver.js';

/** When the audit looks at this cluster: 2026-01-20. */
export const AUDIT_CLUSTER_NOW = Date.UTC(2026, 0, 20);

const ISO = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const DAY = 86_400_000;

function meta(namespace: string, name: string, extra: Partial<FakeObjectMeta> = {}): FakeObjectMeta {
  return { name, namespace, creationTimestamp: '2026-01-01T00:00:00Z', ...extra };
}

const ownedBy = (kind: string, name: string, apiVersion = 'apps/v1') => ({ ownerReferences: [{ apiVersion, kind, name, uid: `uid-${kind}-${name}`, controller: true }] });

/** A conforming container (probes, limits, pinned image). */
function goodContainer(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    image: 'ghcr.io/acme/cart:1.4.2',
    readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
    livenessProbe: { httpGet: { path: '/health', port: 8080 } },
    resources: { limits: { cpu: '500m', memory: '256Mi' } },
    ...extra,
  };
}

const cartSpec = {
  securityContext: { runAsNonRoot: true, runAsUser: 10001 },
  containers: [
    goodContainer('app', {
      envFrom: [{ configMapRef: { name: 'cart-config' } }],
      env: [{ name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'cart-db', key: 'password' } } }],
    }),
  ],
};
const webSpec = { containers: [{ name: 'nginx', image: 'nginx:latest' }] };

function deployment(namespace: string, name: string, replicas: number, spec: unknown, extra: Record<string, unknown> = {}): FakeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(namespace, name, { labels: { owner: `team-${name}` }, annotations: { 'deployment.kubernetes.io/revision': '3' } }),
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec }, ...extra },
  };
}

function replicaSet(namespace: string, deploymentName: string, revision: number, replicas: number, spec: unknown): FakeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: meta(namespace, `${deploymentName}-${revision}`, { annotations: { 'deployment.kubernetes.io/revision': String(revision) }, ...ownedBy('Deployment', deploymentName) }),
    spec: { replicas, selector: { matchLabels: { app: deploymentName } }, template: { metadata: { labels: { app: deploymentName } }, spec } },
  };
}

function pod(namespace: string, name: string, nodeName: string, spec: unknown, extra: Partial<FakeObjectMeta> = {}, phase = 'Running'): FakePod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta(namespace, name, extra), spec: { nodeName, ...(spec as object) }, status: { phase } };
}

function job(name: string, finishedAt: number | undefined, extra: Partial<FakeObjectMeta> = {}): FakeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: meta('batch', name, extra),
    spec: { template: { spec: { restartPolicy: 'Never', containers: [goodContainer('run')] } } },
    status:
      finishedAt === undefined
        ? { active: 1 }
        : { completionTime: ISO(finishedAt), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: ISO(finishedAt) }], succeeded: 1 },
  };
}

const core = (kind: string, namespace: string, name: string, extra: Record<string, unknown> = {}, metadata: Partial<FakeObjectMeta> = {}): FakeObject => ({
  apiVersion: 'v1',
  kind,
  metadata: meta(namespace, name, metadata),
  ...extra,
});

/** The cluster of this module's table, as `FakeKubeApiserver.start` options. */
export function auditCluster(): { nodes: FakeNode[]; pods: FakePod[]; objects: FakeObject[] } {
  const nodes = [fakeNode({ name: 'node-a1', zone: 'eu-1a', region: 'eu-1' }), fakeNode({ name: 'node-b1', zone: 'eu-1b', region: 'eu-1' })];
  const pods = [
    pod('shop', 'cart-3-aaaaa', 'node-a1', cartSpec, { labels: { app: 'cart' }, ...ownedBy('ReplicaSet', 'cart-3') }),
    pod('shop', 'cart-3-bbbbb', 'node-b1', cartSpec, { labels: { app: 'cart' }, ...ownedBy('ReplicaSet', 'cart-3') }),
    pod('default', 'web-1-ccccc', 'node-a1', webSpec, { labels: { app: 'web' }, ...ownedBy('ReplicaSet', 'web-1') }),
    pod('batch', 'nightly-old-ddddd', 'node-b1', { containers: [goodContainer('run')] }, ownedBy('Job', 'nightly-old', 'batch/v1'), 'Succeeded'),
    pod('batch', 'debug', 'node-a1', {
      hostNetwork: true,
      securityContext: { runAsNonRoot: true },
      containers: [goodContainer('shell', { image: 'ghcr.io/acme/toolbox:2', securityContext: { privileged: true } })],
    }, { labels: { owner: 'sre' } }),
    pod('kube-system', 'coredns-1-eeeee', 'node-a1', webSpec, ownedBy('ReplicaSet', 'coredns-1')),
  ];
  const objects: FakeObject[] = [
    ...['default', 'shop', 'batch', 'kube-system'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { owner: `ns-${name}` } } })),
    deployment('shop', 'cart', 2, cartSpec, { revisionHistoryLimit: 1 }),
    replicaSet('shop', 'cart', 3, 2, cartSpec),
    replicaSet('shop', 'cart', 2, 0, cartSpec),
    replicaSet('shop', 'cart', 1, 0, cartSpec),
    deployment('default', 'web', 1, webSpec),
    replicaSet('default', 'web', 1, 1, webSpec),
    deployment('kube-system', 'coredns', 1, webSpec),
    { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: meta('shop', 'cart'), spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'cart' } } } },
    { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: meta('shop', 'default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress'] } },
    core('Service', 'shop', 'cart', { spec: { type: 'ClusterIP', selector: { app: 'cart' } } }),
    core('Service', 'shop', 'cart-public', { spec: { type: 'LoadBalancer', selector: { app: 'cart' } } }, { annotations: { owner: 'team-cart' } }),
    core('ConfigMap', 'shop', 'cart-config', { data: { MODE: 'prod' } }),
    core('ConfigMap', 'shop', 'kube-root-ca.crt', { data: { 'ca.crt': 'x' } }),
    core('ConfigMap', 'shop', 'old-cart-config', { data: { MODE: 'old' } }, { labels: { owner: 'team-cart' } }),
    core('Secret', 'shop', 'cart-db', { type: 'Opaque', data: { password: 'aHVudGVyMg==' } }),
    core('Secret', 'shop', 'default-token-x1y2z', { type: 'kubernetes.io/service-account-token', data: { token: 'dG9rZW4=' } }),
    core('PersistentVolumeClaim', 'shop', 'cart-export', { spec: { accessModes: ['ReadWriteOnce'] } }, { annotations: { 'simian/janitor': 'opt-out' } }),
    job('nightly-old', AUDIT_CLUSTER_NOW - 10 * DAY),
    job('nightly-new', AUDIT_CLUSTER_NOW - DAY),
    job('report-1', AUDIT_CLUSTER_NOW - 10 * DAY, ownedBy('CronJob', 'report', 'batch/v1')),
    job('running', undefined),
  ];
  return { nodes, pods, objects };
}
