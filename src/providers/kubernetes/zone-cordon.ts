/**
 * @module
 * Zone isolation on Kubernetes, the way an operator drains a failing zone: cordon every node of the zone first
 * (so nothing evicted lands back in it), then evict the pods on those nodes through the Eviction API (so
 * PodDisruptionBudgets are honoured, as in a real drain). Reverting uncordons exactly the nodes this isolation
 * cordoned; nodes somebody had cordoned before stay cordoned.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { isSimianError, SimianError } from '../../core/errors.js';
import { withRollbackFailure } from '../rollback-error.js';
import type { KubeApi } from './kube-api.js';
import { isDaemonSetPod, isMirrorPod, podId, ZONE_LABEL } from './pod-mapping.js';

/**
 * The annotation a cordoned node carries while Simian isolates its zone, so that whoever looks at the node
 * (`kubectl describe node`) sees why it is unschedulable. Its value is the zone.
 */
export const ISOLATION_ANNOTATION = 'simian/isolated-zone';

/** What happened to one pod of an isolated zone. */
export interface EvictionOutcome {
  /** `namespace/name`. */
  readonly pod: string;
  /**
   * - `evicted`: the API accepted the eviction.
   * - `refused`: a PodDisruptionBudget forbade it (the pod keeps running; that is the budget doing its job).
   * - `gone`: the pod disappeared meanwhile.
   * - `failed`: any other error, in `detail`.
   */
  readonly outcome: 'evicted' | 'refused' | 'gone' | 'failed';
  readonly detail?: string;
}

/** What {@link isolateZoneNodes} did. */
export interface ZoneIsolationResult {
  readonly zone: string;
  /** Nodes this call cordoned, the ones a revert uncordons. */
  readonly cordoned: readonly string[];
  /** Nodes of the zone that were unschedulable already: left alone, and left cordoned on revert. */
  readonly alreadyCordoned: readonly string[];
  readonly evictions: readonly EvictionOutcome[];
}

/** What {@link isolateZoneNodes} needs besides the API. */
export interface ZoneIsolationOptions {
  /** Whether pods of `namespace` may be evicted (the provider's allow and deny lists). */
  readonly namespaceAllowed: (namespace: string) => boolean;
  /** Grace period for evicted pods; undefined leaves each pod's own. */
  readonly gracePeriodSeconds?: number;
  /**
   * Told, and awaited, before the first node is cordoned: the nodes about to be cordoned, so that a process dying
   * half-way leaves a record that uncordons them.
   */
  readonly onIntent?: (nodes: readonly string[]) => Promise<void>;
}

/** The patch that cordons a node and says why. */
function cordonPatch(zone: string): object {
  return { metadata: { annotations: { [ISOLATION_ANNOTATION]: zone } }, spec: { unschedulable: true } };
}

/**
 * The patch that uncordons a node. `null` deletes the field, which is what `kubectl uncordon` leaves behind
 * (`unschedulable` is omitted when false).
 */
const UNCORDON_PATCH = { metadata: { annotations: { [ISOLATION_ANNOTATION]: null } }, spec: { unschedulable: null } };

/** Whether `pod` should be evicted from a node being isolated. */
function shouldEvict(pod: V1Pod, options: ZoneIsolationOptions): boolean {
  const namespace = pod.metadata?.namespace ?? 'default';
  if (!options.namespaceAllowed(namespace)) return false;
  // A DaemonSet pod would be put straight back (DaemonSets tolerate unschedulable nodes), and a mirror pod
  // cannot be evicted at all: kubectl drain skips both for the same reasons.
  if (isDaemonSetPod(pod) || isMirrorPod(pod)) return false;
  // Already leaving, or already done: nothing to evict.
  if (pod.metadata?.deletionTimestamp) return false;
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed';
}

async function evict(api: KubeApi, pod: V1Pod, gracePeriodSeconds: number | undefined): Promise<EvictionOutcome> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  const id = podId(namespace, name);
  try {
    await api.evictPod(namespace, name, gracePeriodSeconds);
    return { pod: id, outcome: 'evicted' };
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (isSimianError(error, 'provider.evictionRefused')) return { pod: id, outcome: 'refused', detail };
    if (isSimianError(error, 'provider.instanceGone')) return { pod: id, outcome: 'gone', detail };
    return { pod: id, outcome: 'failed', detail };
  }
}

/**
 * Uncordons `nodes`. A node that no longer exists is fine (there is nothing left to let traffic into); every other
 * node is tried even if one fails, so one stubborn node does not keep the rest of the zone cordoned.
 *
 * @throws SimianError `provider.revertIncomplete` naming the nodes still cordoned (the first failure is the
 *   cause); reverting again later is safe
 */
export async function uncordonNodes(api: KubeApi, nodes: readonly string[]): Promise<void> {
  const failed: string[] = [];
  let firstError: unknown;
  for (const node of nodes) {
    try {
      await api.patchNode(node, UNCORDON_PATCH);
    } catch (error) {
      if (isSimianError(error, 'provider.notFound')) continue;
      failed.push(node);
      firstError ??= error;
    }
  }
  if (failed.length > 0) {
    const why = firstError instanceof Error ? firstError.message : String(firstError);
    throw new SimianError('provider.revertIncomplete', `could not uncordon node(s) ${failed.join(', ')}: ${why}; revert again once fixed`, {
      cause: firstError,
    });
  }
}

/**
 * Cordons every schedulable node labelled with `zone`, then evicts the pods on the nodes it cordoned (allowed
 * namespaces only, DaemonSet and mirror pods skipped). Evictions that fail are reported in the result, not
 * thrown: a PodDisruptionBudget refusing is the cluster defending itself, and the cordon must stay revertable.
 * If cordoning or listing fails, the nodes cordoned so far are uncordoned before the error is thrown, so a failed
 * call leaves nothing behind that no revert id would cover; if uncordoning fails too, the error says so.
 */
export async function isolateZoneNodes(api: KubeApi, zone: string, options: ZoneIsolationOptions): Promise<ZoneIsolationResult> {
  const nodes: V1Node[] = await api.listNodes(`${ZONE_LABEL}=${zone}`);
  const toCordon: string[] = [];
  const alreadyCordoned: string[] = [];
  for (const node of nodes) {
    const name = node.metadata?.name;
    if (name === undefined) continue;
    if (node.spec?.unschedulable === true) alreadyCordoned.push(name);
    else toCordon.push(name);
  }
  await options.onIntent?.(toCordon);
  const cordoned: string[] = [];
  const pods: V1Pod[] = [];
  try {
    for (const name of toCordon) {
      await api.patchNode(name, cordonPatch(zone));
      cordoned.push(name);
    }
    // Listed only once every node is cordoned, so that the list cannot miss a pod scheduled in between.
    for (const name of cordoned) pods.push(...(await api.listAllPods({ fieldSelector: `spec.nodeName=${name}` })));
  } catch (error) {
    try {
      await uncordonNodes(api, cordoned);
    } catch (rollbackError) {
      throw withRollbackFailure(error, rollbackError, `uncordoning node(s) ${cordoned.join(', ')} again`);
    }
    throw error;
  }
  const evictions: EvictionOutcome[] = [];
  for (const pod of pods) if (shouldEvict(pod, options)) evictions.push(await evict(api, pod, options.gracePeriodSeconds));
  return { zone, cordoned, alreadyCordoned, evictions };
}
