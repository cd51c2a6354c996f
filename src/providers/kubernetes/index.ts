/**
 * @module
 * The Kubernetes provider: pods as instances, nodes' topology labels as zones and regions, pod deletion, zone
 * isolation by cordon and eviction, region evacuation through a pluggable traffic shift.
 */
export { KubernetesProvider, DEFAULT_EXCLUDED_NAMESPACES } from './kubernetes-provider.js';
export type { KubernetesProviderOptions, ZoneIsolationHandle } from './kubernetes-provider.js';
export { KubeApi } from './kube-api.js';
export { loadKubeConfig } from './load-kube-config.js';
export type { KubeConfigSource } from './load-kube-config.js';
export type { KubeApiOptions, PodQuery } from './kube-api.js';
export { toProviderError, kubeStatus, kubeStatusCode, describeAction, isUnreachable } from './kube-errors.js';
export type { KubeAction, KubeStatus } from './kube-errors.js';
export { withKubeRetry, retryAfterMs, DEFAULT_KUBE_RETRY } from './kube-retry.js';
export type { KubeRetryOptions, KubeCallOptions } from './kube-retry.js';
export { listAll, DEFAULT_PAGE_SIZE } from './list-all.js';
export type { KubeListPage } from './list-all.js';
export {
  ZONE_LABEL,
  REGION_LABEL,
  UNKNOWN,
  POD_TEMPLATE_HASH_LABEL,
  nodeLocation,
  controllerOf,
  ownerName,
  groupNameOf,
  podState,
  podId,
  parsePodId,
  podToInstance,
  isDaemonSetPod,
  isMirrorPod,
} from './pod-mapping.js';
export type { GroupBy, NodeLocation } from './pod-mapping.js';
export { REVERT_ID_PREFIX, cordonRevertId, evacuateRevertId, parseRevertId, isLabelValue, isNodeName } from './revert-id.js';
export type { KubeRevertTarget } from './revert-id.js';
export { ISOLATION_ANNOTATION, isolateZoneNodes, uncordonNodes } from './zone-cordon.js';
export type { EvictionOutcome, ZoneIsolationResult, ZoneIsolationOptions } from './zone-cordon.js';
