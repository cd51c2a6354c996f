/**
 * @module
 * The few Kubernetes API calls Simian makes, in one place: each goes through {@link withKubeRetry}, so every call
 * is retried the same bounded way and every failure leaves as a {@link SimianError}. The provider and the zone
 * isolation never touch client-node directly, which keeps the RBAC Simian needs readable off this file:
 * `list` pods and nodes, `delete` pods, `create` pods/eviction, `patch` nodes.
 */
import {
  ApiException,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Eviction,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { kubeStatus, type KubeAction } from './kube-errors.js';
import { withKubeRetry, type KubeCallOptions, type KubeRetryOptions } from './kube-retry.js';
import { DEFAULT_PAGE_SIZE, listAll } from './list-all.js';

/** Options of {@link KubeApi}. */
export interface KubeApiOptions {
  readonly kubeConfig: KubeConfig;
  readonly clock: Clock;
  readonly retry?: KubeRetryOptions;
  /** Items per list page. @default 500 */
  readonly pageSize?: number;
}

/** Selectors of a pod list. */
export interface PodQuery {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
}

/**
 * The Kubernetes calls of the provider, retried and mapped.
 *
 * @example
 * const api = new KubeApi({ kubeConfig, clock: systemClock });
 * const nodes = await api.listNodes('topology.kubernetes.io/zone=eu-west-1a');
 */
export class KubeApi {
  private readonly core: CoreV1Api;
  private readonly clock: Clock;
  private readonly retry: KubeRetryOptions;
  private readonly pageSize: number;

  constructor(options: KubeApiOptions) {
    this.core = options.kubeConfig.makeApiClient(CoreV1Api);
    this.clock = options.clock;
    this.retry = options.retry ?? {};
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  /** Every node, optionally only those matching a label selector. */
  listNodes(labelSelector?: string): Promise<V1Node[]> {
    return listAll((token) =>
      this.call({ verb: 'list', resource: 'nodes' }, () =>
        this.core.listNode({ limit: this.pageSize, ...(token === undefined ? {} : { _continue: token }), ...(labelSelector ? { labelSelector } : {}) }),
      ),
    );
  }

  /** Every pod of every namespace matching `query`. */
  listAllPods(query: PodQuery = {}): Promise<V1Pod[]> {
    return listAll((token) =>
      this.call({ verb: 'list', resource: 'pods' }, () =>
        this.core.listPodForAllNamespaces({ limit: this.pageSize, ...(token === undefined ? {} : { _continue: token }), ...selectors(query) }),
      ),
    );
  }

  /** Every pod of `namespace` matching `query`. */
  listNamespacedPods(namespace: string, query: PodQuery = {}): Promise<V1Pod[]> {
    return listAll((token) =>
      this.call({ verb: 'list', resource: 'pods', namespace }, () =>
        this.core.listNamespacedPod({
          namespace,
          limit: this.pageSize,
          ...(token === undefined ? {} : { _continue: token }),
          ...selectors(query),
        }),
      ),
    );
  }

  /**
   * Deletes a pod. `gracePeriodSeconds` undefined leaves the pod's own `terminationGracePeriodSeconds`.
   *
   * @throws SimianError `provider.instanceGone` when the pod no longer exists
   */
  deletePod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<V1Pod> {
    return this.call({ verb: 'delete', resource: 'pods', namespace, name, notFoundCode: 'provider.instanceGone' }, () =>
      this.core.deleteNamespacedPod({ namespace, name, ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }) }),
    );
  }

  /**
   * Evicts a pod through the policy/v1 Eviction API, which honours PodDisruptionBudgets (unlike a delete).
   *
   * @throws SimianError `provider.evictionRefused` when a disruption budget forbids it (the API's 429, which is an
   *   answer and is not retried), `provider.instanceGone` when the pod no longer exists
   */
  evictPod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<void> {
    const body: V1Eviction = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace },
      ...(gracePeriodSeconds === undefined ? {} : { deleteOptions: { gracePeriodSeconds } }),
    };
    const action: KubeAction = { verb: 'create', resource: 'pods/eviction', namespace, name, notFoundCode: 'provider.instanceGone' };
    return this.call(
      action,
      async () => {
        try {
          await this.core.createNamespacedPodEviction({ namespace, name, body });
        } catch (error) {
          if (error instanceof ApiException && error.code === 429) {
            const status = kubeStatus(error);
            throw new SimianError('provider.evictionRefused', `eviction of pod ${namespace}/${name} refused: ${status.message ?? status.reason ?? 'too many requests'}`, {
              cause: error,
            });
          }
          throw error;
        }
      },
      { retryTooManyRequests: false },
    );
  }

  /**
   * Patches a node with a strategic merge patch, the form `kubectl cordon` sends. (client-node's default would be
   * a JSON Patch, whose `replace` fails on a field the API server omitted, such as `unschedulable: false`.)
   */
  patchNode(name: string, patch: object): Promise<V1Node> {
    return this.call({ verb: 'patch', resource: 'nodes', name }, () =>
      this.core.patchNode({ name, body: patch }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    );
  }

  private call<T>(action: KubeAction, fn: () => Promise<T>, options?: KubeCallOptions): Promise<T> {
    return withKubeRetry(this.clock, this.retry, action, fn, options);
  }
}

function selectors(query: PodQuery): PodQuery {
  return {
    ...(query.labelSelector ? { labelSelector: query.labelSelector } : {}),
    ...(query.fieldSelector ? { fieldSelector: query.fieldSelector } : {}),
  };
}
