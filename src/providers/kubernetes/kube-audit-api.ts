/**
 * @module
 * The Kubernetes calls the audit monkeys (Conformity, Security, Janitor) make, and only those: `list` of the
 * resources their rules read, and `delete` of the five kinds the Janitor cleans. Like `kube-api.ts`, every call
 * goes through {@link withKubeRetry} and every list is paged with {@link listAll}, so the RBAC the audit needs reads
 * off this file:
 *
 * | group | resources | verbs |
 * |---|---|---|
 * | core | pods, nodes, namespaces, services | list |
 * | core | persistentvolumeclaims, configmaps, secrets | list, delete |
 * | networking.k8s.io | networkpolicies | list |
 * | policy | poddisruptionbudgets | list |
 * | apps | deployments, statefulsets | list |
 * | apps | replicasets | list, delete |
 * | batch | jobs | list, delete |
 *
 * A namespace argument lists that namespace only (namespaced RBAC will do); without one, the list spans the cluster.
 */
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  NetworkingV1Api,
  PolicyV1Api,
  type KubeConfig,
  type V1ConfigMap,
  type V1Deployment,
  type V1Job,
  type V1Namespace,
  type V1NetworkPolicy,
  type V1Node,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1PodDisruptionBudget,
  type V1ReplicaSet,
  type V1Secret,
  type V1Service,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import type { Clock } from '../../core/clock.js';
import type { KubeAction } from './kube-errors.js';
import { withKubeRetry, type KubeRetryOptions } from './kube-retry.js';
import { DEFAULT_PAGE_SIZE, listAll, type KubeListPage } from './list-all.js';

/** Options of {@link KubeAuditApi}. */
export interface KubeAuditApiOptions {
  readonly kubeConfig: KubeConfig;
  readonly clock: Clock;
  readonly retry?: KubeRetryOptions;
  /** Items per list page. @default 500 */
  readonly pageSize?: number;
}

/** The kinds the Janitor deletes, as RBAC resources. */
export type KubeDeletableResource = 'persistentvolumeclaims' | 'configmaps' | 'secrets' | 'jobs' | 'replicasets';

/** The paging parameters of one list request. */
interface PageParams {
  readonly limit: number;
  readonly _continue?: string;
}

/**
 * The audit's Kubernetes calls, retried and mapped to `provider.*` {@link SimianError}s (a missing object on
 * delete is `provider.notFound`).
 *
 * @example
 * const api = new KubeAuditApi({ kubeConfig, clock: systemClock });
 * const jobs = await api.listJobs('batch');
 * await api.delete('jobs', 'batch', 'nightly-28401');
 */
export class KubeAuditApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly policy: PolicyV1Api;
  private readonly clock: Clock;
  private readonly retry: KubeRetryOptions;
  private readonly pageSize: number;

  constructor(options: KubeAuditApiOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = options.kubeConfig.makeApiClient(AppsV1Api);
    this.batch = options.kubeConfig.makeApiClient(BatchV1Api);
    this.networking = options.kubeConfig.makeApiClient(NetworkingV1Api);
    this.policy = options.kubeConfig.makeApiClient(PolicyV1Api);
    this.clock = options.clock;
    this.retry = options.retry ?? {};
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** Every node (cluster-scoped). */
  listNodes(): Promise<V1Node[]> {
    return this.list('nodes', undefined, (p) => this.core.listNode(p), (p) => this.core.listNode(p));
  }

  /** Every namespace (cluster-scoped). */
  listNamespaces(): Promise<V1Namespace[]> {
    return this.list('namespaces', undefined, (p) => this.core.listNamespace(p), (p) => this.core.listNamespace(p));
  }

  /** The pods of `namespace`, or of every namespace. */
  listPods(namespace?: string): Promise<V1Pod[]> {
    return this.list('pods', namespace, (p) => this.core.listPodForAllNamespaces(p), (p) => this.core.listNamespacedPod(p));
  }

  /** The Services of `namespace`, or of every namespace. */
  listServices(namespace?: string): Promise<V1Service[]> {
    return this.list('services', namespace, (p) => this.core.listServiceForAllNamespaces(p), (p) => this.core.listNamespacedService(p));
  }

  /** The PersistentVolumeClaims of `namespace`, or of every namespace. */
  listPersistentVolumeClaims(namespace?: string): Promise<V1PersistentVolumeClaim[]> {
    return this.list(
      'persistentvolumeclaims',
      namespace,
      (p) => this.core.listPersistentVolumeClaimForAllNamespaces(p),
      (p) => this.core.listNamespacedPersistentVolumeClaim(p),
    );
  }

  /** The ConfigMaps of `namespace`, or of every namespace. */
  listConfigMaps(namespace?: string): Promise<V1ConfigMap[]> {
    return this.list('configmaps', namespace, (p) => this.core.listConfigMapForAllNamespaces(p), (p) => this.core.listNamespacedConfigMap(p));
  }

  /**
   * The Secrets of `namespace`, or of every namespace, with their `data` and `stringData` dropped as soon as they
   * arrive: the audit reads metadata and `type` only, and a secret's value must never reach a snapshot or a log.
   */
  async listSecrets(namespace?: string): Promise<V1Secret[]> {
    const secrets = await this.list('secrets', namespace, (p) => this.core.listSecretForAllNamespaces(p), (p) => this.core.listNamespacedSecret(p));
    return secrets.map(({ data: _data, stringData: _stringData, ...rest }) => rest);
  }

  /** The NetworkPolicies (networking.k8s.io/v1) of `namespace`, or of every namespace. */
  listNetworkPolicies(namespace?: string): Promise<V1NetworkPolicy[]> {
    return this.list(
      'networkpolicies',
      namespace,
      (p) => this.networking.listNetworkPolicyForAllNamespaces(p),
      (p) => this.networking.listNamespacedNetworkPolicy(p),
    );
  }

  /** The PodDisruptionBudgets (policy/v1) of `namespace`, or of every namespace. */
  listPodDisruptionBudgets(namespace?: string): Promise<V1PodDisruptionBudget[]> {
    return this.list(
      'poddisruptionbudgets',
      namespace,
      (p) => this.policy.listPodDisruptionBudgetForAllNamespaces(p),
      (p) => this.policy.listNamespacedPodDisruptionBudget(p),
    );
  }

  /** The Deployments (apps/v1) of `namespace`, or of every namespace. */
  listDeployments(namespace?: string): Promise<V1Deployment[]> {
    return this.list('deployments', namespace, (p) => this.apps.listDeploymentForAllNamespaces(p), (p) => this.apps.listNamespacedDeployment(p));
  }

  /** The ReplicaSets (apps/v1) of `namespace`, or of every namespace. */
  listReplicaSets(namespace?: string): Promise<V1ReplicaSet[]> {
    return this.list('replicasets', namespace, (p) => this.apps.listReplicaSetForAllNamespaces(p), (p) => this.apps.listNamespacedReplicaSet(p));
  }

  /** The StatefulSets (apps/v1) of `namespace`, or of every namespace. */
  listStatefulSets(namespace?: string): Promise<V1StatefulSet[]> {
    return this.list('statefulsets', namespace, (p) => this.apps.listStatefulSetForAllNamespaces(p), (p) => this.apps.listNamespacedStatefulSet(p));
  }

  /** The Jobs (batch/v1) of `namespace`, or of every namespace. */
  listJobs(namespace?: string): Promise<V1Job[]> {
    return this.list('jobs', namespace, (p) => this.batch.listJobForAllNamespaces(p), (p) => this.batch.listNamespacedJob(p));
  }

  /**
   * Deletes one object of a kind the Janitor cleans. A Job is deleted with `propagationPolicy: Background`, so its
   * pods go with it (the API's default for Jobs, kept for `kubectl`'s sake, orphans them).
   *
   * @throws SimianError `provider.notFound` when it does not exist, or another `provider.*` code
   */
  async delete(resource: KubeDeletableResource, namespace: string, name: string): Promise<void> {
    const action: KubeAction = { verb: 'delete', resource, namespace, name };
    const params = { namespace, name };
    await withKubeRetry(this.clock, this.retry, action, (): Promise<unknown> => {
      switch (resource) {
        case 'persistentvolumeclaims':
          return this.core.deleteNamespacedPersistentVolumeClaim(params);
        case 'configmaps':
          return this.core.deleteNamespacedConfigMap(params);
        case 'secrets':
          return this.core.deleteNamespacedSecret(params);
        case 'jobs':
          return this.batch.deleteNamespacedJob({ ...params, propagationPolicy: 'Background' });
        case 'replicasets':
          return this.apps.deleteNamespacedReplicaSet(params);
      }
    });
  }

  /** Every item of one list, cluster-wide (`all`) or in `namespace` (`namespaced`), page after page. */
  private list<T>(
    resource: string,
    namespace: string | undefined,
    all: (params: PageParams) => Promise<KubeListPage<T>>,
    namespaced: (params: PageParams & { namespace: string }) => Promise<KubeListPage<T>>,
  ): Promise<T[]> {
    const action: KubeAction = { verb: 'list', resource, ...(namespace === undefined ? {} : { namespace }) };
    return listAll((token) => {
      const params: PageParams = { limit: this.pageSize, ...(token === undefined ? {} : { _continue: token }) };
      return withKubeRetry(this.clock, this.retry, action, () => (namespace === undefined ? all(params) : namespaced({ ...params, namespace })));
    });
  }
}
