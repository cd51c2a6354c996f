/**
 * @module
 * A {@link LeaseLock} over a `coordination.k8s.io/v1` Lease, as client-go's `resourcelock.LeaseLock`: the record
 * is the Lease's spec, the version is its `metadata.resourceVersion`, and the API server's optimistic concurrency
 * (409 on a stale `resourceVersion`, 409 on creating what exists) is the whole of the mutual exclusion. Three calls
 * only, so the RBAC it needs is `get`, `create`, `update` on `leases` (deploy/kubernetes/daemon.yaml).
 *
 * No retries here: the elector calls again on its own cadence, and a retry with back-off inside a renewal would
 * eat the renew deadline that keeps two leaders apart.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import { toProviderError, kubeStatusCode, type KubeAction } from '../../providers/kubernetes/kube-errors.js';
import { SimianError } from '../../core/errors.js';
import type { LeaseLock, LeaseRecord, VersionedLease } from './lease-lock.js';

/** The three Lease calls the lock makes: a `CoordinationV1Api`, or a test double of it. */
export type LeaseApi = Pick<CoordinationV1Api, 'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'>;

/** Options of {@link kubernetesLeaseLock}. */
export interface KubernetesLeaseLockOptions {
  /** Where the Lease is read and written: {@link coordinationApi} of a KubeConfig. */
  readonly api: LeaseApi;
  /** The Lease's namespace (`daemon.leaseNamespace`). */
  readonly namespace: string;
  /** The Lease's name (`daemon.leaseName`). */
  readonly name: string;
}

/**
 * The coordination API of the cluster `kubeConfig` points at. Load the KubeConfig with `loadKubeConfig` of the
 * Kubernetes provider, so that `providers.kubernetes.kubeconfig`/`context` point the lease and the provider at the
 * same cluster (in a pod: the service account).
 *
 * @example
 * const api = coordinationApi(loadKubeConfig(config.providers.kubernetes));
 */
export function coordinationApi(kubeConfig: KubeConfig): CoordinationV1Api {
  return kubeConfig.makeApiClient(CoordinationV1Api);
}

/**
 * The lease `namespace/name`, as a {@link LeaseLock}.
 *
 * | record | Lease spec |
 * |---|---|
 * | `holder` (undefined: released) | `holderIdentity` (absent or empty: released) |
 * | `durationMs` | `leaseDurationSeconds`, rounded up (so a read gives back whole seconds) |
 * | `acquiredAt` | `acquireTime` (MicroTime) |
 * | `renewedAt` | `renewTime` (MicroTime) |
 * | `transitions` | `leaseTransitions` |
 *
 * `get` is undefined on 404; `create` is false on 409 AlreadyExists; `update` is false on 409 Conflict (a stale
 * `resourceVersion`) and on 404 (the Lease was deleted since: another wrote it, and the next `get` says so). Every
 * other failure throws a {@link SimianError} naming the Lease (`provider.forbidden` says which verb to grant).
 *
 * @example
 * const lock = kubernetesLeaseLock({ api: coordinationApi(kubeConfig), namespace: 'simian', name: 'simian-daemon' });
 * const current = await lock.get();
 */
export function kubernetesLeaseLock(options: KubernetesLeaseLockOptions): LeaseLock {
  const { api, namespace, name } = options;
  const described = `Lease ${namespace}/${name}`;
  // The Lease last read, so that an update keeps what the record does not carry (labels, annotations, the
  // coordinated-leader-election fields), as client-go's LeaseLock replaces the spec on the object it read.
  let lastRead: V1Lease | undefined;

  const fail = (error: unknown, verb: string): SimianError => {
    const action: KubeAction = { verb, resource: 'leases.coordination.k8s.io', namespace, name };
    const mapped = toProviderError(error, action);
    return new SimianError(mapped.code, `${described}: ${mapped.message}`, { cause: error });
  };

  return {
    describe: () => described,

    async get(): Promise<VersionedLease | undefined> {
      let lease: V1Lease;
      try {
        lease = await api.readNamespacedLease({ name, namespace });
      } catch (error) {
        if (kubeStatusCode(error) === 404) {
          lastRead = undefined;
          return undefined;
        }
        throw fail(error, 'get');
      }
      const version = lease.metadata?.resourceVersion;
      if (version === undefined || version === '') throw new SimianError('provider.kubernetesError', `${described}: the API server answered a Lease without a resourceVersion`);
      lastRead = lease;
      return { record: recordOf(lease.spec ?? {}), version };
    },

    async create(record: LeaseRecord): Promise<string | undefined> {
      try {
        lastRead = await api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: specOf(record) } });
        return lastRead.metadata?.resourceVersion ?? '';
      } catch (error) {
        if (kubeStatusCode(error) === 409) return undefined;
        throw fail(error, 'create');
      }
    },

    async update(record: LeaseRecord, version: string): Promise<string | undefined> {
      const base = lastRead?.metadata?.resourceVersion === version ? lastRead : undefined;
      const body: V1Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { ...(base?.metadata ?? {}), name, namespace, resourceVersion: version },
        spec: { ...withoutRecordFields(base?.spec), ...specOf(record) },
      };
      try {
        lastRead = await api.replaceNamespacedLease({ name, namespace, body });
        return lastRead.metadata?.resourceVersion ?? '';
      } catch (error) {
        const code = kubeStatusCode(error);
        if (code === 409 || code === 404) return undefined;
        throw fail(error, 'update');
      }
    },
  };
}

/** The Lease spec that says `record`. A released lease has no `holderIdentity` at all. */
function specOf(record: LeaseRecord): V1LeaseSpec {
  return {
    ...(record.holder === undefined || record.holder === '' ? {} : { holderIdentity: record.holder }),
    leaseDurationSeconds: Math.ceil(record.durationMs / 1000),
    acquireTime: new V1MicroTime(record.acquiredAt),
    renewTime: new V1MicroTime(record.renewedAt),
    leaseTransitions: record.transitions,
  };
}

/** A spec read back without the fields {@link specOf} writes, so that a release really drops `holderIdentity`. */
function withoutRecordFields(spec: V1LeaseSpec | undefined): V1LeaseSpec {
  if (spec === undefined) return {};
  const { holderIdentity: _h, leaseDurationSeconds: _d, acquireTime: _a, renewTime: _r, leaseTransitions: _t, ...rest } = spec;
  return rest;
}

/** The record a Lease spec says. A Lease made by another tool may lack any field: absent times read as 0. */
function recordOf(spec: V1LeaseSpec): LeaseRecord {
  const holder = spec.holderIdentity;
  return {
    ...(holder === undefined || holder === '' ? {} : { holder }),
    durationMs: (spec.leaseDurationSeconds ?? 0) * 1000,
    acquiredAt: epochMs(spec.acquireTime),
    renewedAt: epochMs(spec.renewTime),
    transitions: spec.leaseTransitions ?? 0,
  };
}

/**
 * Epoch ms of a MicroTime. client-node 1.4 types it as a Date but hands over the wire's string (its serializer has
 * no `V1MicroTime` entry), so both are read.
 */
function epochMs(time: Date | string | undefined): number {
  if (time === undefined) return 0;
  const ms = time instanceof Date ? time.getTime() : Date.parse(time);
  return Number.isFinite(ms) ? ms : 0;
}
