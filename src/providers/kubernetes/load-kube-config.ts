/**
 * @module
 * Where the cluster is and who we are, loaded the way kubectl does: a named kubeconfig file, else `$KUBECONFIG`,
 * `~/.kube/config` or the in-cluster service account. The provider and the daemon's leader lease share it, so
 * `providers.kubernetes.kubeconfig`/`context` point both at the same cluster.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { SimianError } from '../../core/errors.js';

/** Where the kubeconfig is: the `kubeconfig` and `context` of `providers.kubernetes` (both optional). */
export interface KubeConfigSource {
  /** A kubeconfig file. Absent: `$KUBECONFIG`, `~/.kube/config`, or the in-cluster service account. */
  readonly kubeconfig?: string;
  /** The context to use. Absent: the file's current context. */
  readonly context?: string;
}

/**
 * Loads the kubeconfig `source` names.
 *
 * @throws SimianError `provider.badKubeconfig` (exit 2) when it cannot be read, or names no cluster
 * @example
 * const kubeConfig = loadKubeConfig(config.providers.kubernetes);
 */
export function loadKubeConfig(source: KubeConfigSource = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  try {
    if (source.kubeconfig) kubeConfig.loadFromFile(source.kubeconfig);
    else kubeConfig.loadFromDefault();
    if (source.context) kubeConfig.setCurrentContext(source.context);
  } catch (error) {
    throw new SimianError('provider.badKubeconfig', `cannot load the kubeconfig${source.kubeconfig ? ` ${source.kubeconfig}` : ''}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      exitCode: 2,
    });
  }
  if (!kubeConfig.getCurrentCluster()) {
    throw new SimianError('provider.badKubeconfig', 'no Kubernetes cluster is configured (set providers.kubernetes.kubeconfig, --kubeconfig or $KUBECONFIG)', { exitCode: 2 });
  }
  return kubeConfig;
}
