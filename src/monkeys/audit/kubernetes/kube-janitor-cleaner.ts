/**
 * @module
 * The Janitor's cleaner on Kubernetes: deletes the one object a `janitor.*` finding names,
 * `<kind>/<namespace>/<name>` (see `janitor-cleaner.ts`), through {@link KubeAuditApi}'s retried delete.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../../core/clock.js';
import { SimianError } from '../../../core/errors.js';
import { KubeAuditApi, type KubeDeletableResource } from '../../../providers/kubernetes/kube-audit-api.js';
import type { JanitorCleaner } from '../janitor-cleaner.js';

/** The kinds a Janitor resource may name, and the RBAC resource each deletes. */
const KINDS: Readonly<Record<string, KubeDeletableResource>> = {
  persistentvolumeclaim: 'persistentvolumeclaims',
  configmap: 'configmaps',
  secret: 'secrets',
  job: 'jobs',
  replicaset: 'replicasets',
};

/** A Janitor resource name, parsed. */
export interface KubeJanitorTarget {
  readonly resource: KubeDeletableResource;
  readonly namespace: string;
  readonly name: string;
}

/** `job/batch/nightly-1` → its parts; undefined for anything not of the form (or of another kind). */
export function parseKubeJanitorResource(resource: string): KubeJanitorTarget | undefined {
  const parts = resource.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '')) return undefined;
  const [kind, namespace, name] = parts as [string, string, string];
  const plural = Object.hasOwn(KINDS, kind) ? KINDS[kind] : undefined;
  return plural === undefined ? undefined : { resource: plural, namespace, name };
}

/** Options of {@link KubernetesJanitorCleaner}: a KubeConfig and a Clock, or an API already built. */
export type KubernetesJanitorCleanerOptions = { readonly kubeConfig: KubeConfig; readonly clock: Clock } | { readonly api: KubeAuditApi };

/**
 * Deletes what the Janitor found on Kubernetes. An object already gone (404) counts as cleaned.
 *
 * @example
 * const cleaner = new KubernetesJanitorCleaner({ kubeConfig, clock: systemClock });
 * await cleaner.clean('configmap/shop/cart-config-old');
 */
export class KubernetesJanitorCleaner implements JanitorCleaner {
  readonly provider = 'kubernetes';
  private readonly api: KubeAuditApi;

  constructor(options: KubernetesJanitorCleanerOptions) {
    this.api = 'api' in options ? options.api : new KubeAuditApi({ kubeConfig: options.kubeConfig, clock: options.clock });
  }

  /**
   * Deletes `resource` (`persistentvolumeclaim|configmap|secret|job|replicaset/<namespace>/<name>`); a Job with
   * its pods.
   *
   * @throws SimianError `janitor.unknownResource` for a name not of that form; `provider.*` when the API refuses or
   *   keeps failing
   */
  async clean(resource: string): Promise<void> {
    const target = parseKubeJanitorResource(resource);
    if (target === undefined) {
      throw new SimianError(
        'janitor.unknownResource',
        `not a Kubernetes Janitor resource: ${JSON.stringify(resource)} (expected <kind>/<namespace>/<name>, kind one of ${Object.keys(KINDS).join(', ')})`,
      );
    }
    try {
      await this.api.delete(target.resource, target.namespace, target.name);
    } catch (error) {
      // Gone already, by hand or by its owner's garbage collection: what the Janitor wanted.
      if (error instanceof SimianError && error.code === 'provider.notFound') return;
      throw error;
    }
  }
}
