/**
 * @module
 * Gathers a {@link KubernetesSnapshot}: the only I/O of the Kubernetes audit, all through {@link KubeAuditApi}
 * (lists only; nothing here changes the cluster). Namespaces are chosen as `KubernetesProvider` chooses them: with
 * `namespaces`, one list per allowed namespace (namespaced RBAC will do) and the namespaces themselves are not
 * listed; without, one cluster-wide list per resource. `excludeNamespaces` (default `['kube-system']`, the
 * provider's) is left out either way.
 */
import type { KubeConfig, V1Deployment, V1Namespace, V1Node, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import type { Clock } from '../../../core/clock.js';
import { KubeAuditApi } from '../../../providers/kubernetes/kube-audit-api.js';
import type { KubeRetryOptions } from '../../../providers/kubernetes/kube-retry.js';
import { DEFAULT_EXCLUDED_NAMESPACES } from '../../../providers/kubernetes/kubernetes-provider.js';
import { ZONE_LABEL } from '../../../providers/kubernetes/pod-mapping.js';
import type { KubeNode, KubeReplicaSet, KubernetesSnapshot, KubeWorkload } from './kube-snapshot.js';
import { revisionOf, toJob, toKubeObject, toPodSpec, toSecret, toSelector } from './kube-snapshot-mapping.js';

/** Options of {@link collectKubernetesSnapshot}. */
export interface CollectKubernetesSnapshotOptions {
  readonly kubeConfig: KubeConfig;
  /** Dates the snapshot; drives the retries' waits. */
  readonly clock: Clock;
  /** Only these namespaces are audited. @default every namespace */
  readonly namespaces?: readonly string[];
  /** Namespaces never audited, even if in `namespaces`. @default ['kube-system'] */
  readonly excludeNamespaces?: readonly string[];
  readonly retry?: KubeRetryOptions;
  /** Items per list page. @default 500 */
  readonly pageSize?: number;
}

function toNode(node: V1Node): KubeNode {
  const zone = node.metadata?.labels?.[ZONE_LABEL];
  return { name: node.metadata?.name ?? '', ...(zone === undefined ? {} : { zone }) };
}

function toWorkload(kind: KubeWorkload['kind'], w: V1Deployment | V1StatefulSet): KubeWorkload {
  const limit = kind === 'Deployment' ? (w as V1Deployment).spec?.revisionHistoryLimit : undefined;
  const claimTemplates = kind === 'StatefulSet' ? ((w as V1StatefulSet).spec?.volumeClaimTemplates ?? []) : [];
  return {
    ...toKubeObject(w.metadata),
    kind,
    replicas: w.spec?.replicas ?? 1,
    podLabels: { ...(w.spec?.template.metadata?.labels ?? {}) },
    template: toPodSpec(w.spec?.template.spec),
    ...(limit === undefined ? {} : { revisionHistoryLimit: limit }),
    volumeClaimTemplates: claimTemplates.map((t) => t.metadata?.name ?? '').filter((n) => n !== ''),
  };
}

function toReplicaSet(rs: V1ReplicaSet): KubeReplicaSet {
  const object = toKubeObject(rs.metadata);
  const revision = revisionOf(object.annotations);
  return { ...object, replicas: rs.spec?.replicas ?? 1, ...(revision === undefined ? {} : { revision }), template: toPodSpec(rs.spec?.template?.spec) };
}

/**
 * Lists everything the Kubernetes Conformity, Security and Janitor rules read, at `clock.now()`.
 *
 * @throws SimianError `provider.*` when a list fails (after the retries): a partial snapshot would make the
 *   Janitor think what it did not see is unused
 * @example
 * const snapshot = await collectKubernetesSnapshot({ kubeConfig, clock, excludeNamespaces: ['kube-system', 'simian'] });
 * const findings = runRules(kubernetesJanitorRules(config.audit), snapshot);
 */
export async function collectKubernetesSnapshot(options: CollectKubernetesSnapshotOptions): Promise<KubernetesSnapshot> {
  const takenAt = options.clock.now();
  const api = new KubeAuditApi({
    kubeConfig: options.kubeConfig,
    clock: options.clock,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
  });
  const excluded = new Set(options.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES);
  const allowed = (namespace: string) => !excluded.has(namespace) && (options.namespaces === undefined || options.namespaces.includes(namespace));
  const chosen = options.namespaces === undefined ? undefined : [...new Set(options.namespaces)].filter(allowed);
  // One cluster-wide list, or one per chosen namespace; either way only allowed namespaces are kept.
  const each = async <T extends { metadata?: { namespace?: string } }>(list: (namespace?: string) => Promise<T[]>): Promise<T[]> => {
    const items = chosen === undefined ? await list() : (await Promise.all(chosen.map((ns) => list(ns)))).flat();
    return items.filter((item) => allowed(item.metadata?.namespace ?? 'default'));
  };

  const [nodes, namespaces, pods, deployments, statefulSets, replicaSets, jobs, services, budgets, policies, claims, configMaps, secrets] = await Promise.all([
    api.listNodes(),
    chosen === undefined ? api.listNamespaces() : Promise.resolve(chosen.map((name): V1Namespace => ({ metadata: { name } }))),
    each((ns) => api.listPods(ns)),
    each((ns) => api.listDeployments(ns)),
    each((ns) => api.listStatefulSets(ns)),
    each((ns) => api.listReplicaSets(ns)),
    each((ns) => api.listJobs(ns)),
    each((ns) => api.listServices(ns)),
    each((ns) => api.listPodDisruptionBudgets(ns)),
    each((ns) => api.listNetworkPolicies(ns)),
    each((ns) => api.listPersistentVolumeClaims(ns)),
    each((ns) => api.listConfigMaps(ns)),
    each((ns) => api.listSecrets(ns)),
  ]);

  return {
    takenAt,
    nodes: nodes.map(toNode),
    namespaces: namespaces
      .map((n) => ({ name: n.metadata?.name ?? '', labels: { ...(n.metadata?.labels ?? {}) }, annotations: { ...(n.metadata?.annotations ?? {}) } }))
      .filter((n) => allowed(n.name)),
    pods: pods.map((p) => ({
      ...toKubeObject(p.metadata),
      phase: p.status?.phase ?? 'Unknown',
      ...(p.spec?.nodeName ? { nodeName: p.spec.nodeName } : {}),
      spec: toPodSpec(p.spec, p.metadata?.name),
    })),
    workloads: [...deployments.map((d) => toWorkload('Deployment', d)), ...statefulSets.map((s) => toWorkload('StatefulSet', s))],
    replicaSets: replicaSets.map(toReplicaSet),
    jobs: jobs.map(toJob),
    services: services.map((s) => ({ ...toKubeObject(s.metadata), type: s.spec?.type ?? 'ClusterIP' })),
    disruptionBudgets: budgets.map((b) => {
      const selector = toSelector(b.spec?.selector);
      return { ...toKubeObject(b.metadata), ...(selector === undefined ? {} : { selector }) };
    }),
    networkPolicies: policies.map((p) => toKubeObject(p.metadata)),
    volumeClaims: claims.map((c) => toKubeObject(c.metadata)),
    configMaps: configMaps.map((c) => toKubeObject(c.metadata)),
    secrets: secrets.map(toSecret),
  };
}
