/**
 * @module
 * The Kubernetes provider: pods are instances, grouped by their controller (or an app label), placed by their
 * node's topology labels. Terminating deletes a pod (its controller replaces it, which is the point); isolating a
 * zone cordons and drains its nodes; evacuating a region needs a {@link TrafficShift}, since Kubernetes itself
 * has no switch for where users go.
 */
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import { systemClock, type Clock } from '../../core/clock.js';
import { InvalidInputError, SimianError } from '../../core/errors.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { Group, Instance, Region, Zone } from '../../core/model.js';
import {
  announceIntent,
  matchesInstanceFilter,
  type ActionOptions,
  type Actuator,
  type InstanceFilter,
  type Inventory,
  type Provider,
  type RevertHandle,
  type TerminateOptions,
  type TrafficShift,
} from '../provider.js';
import { KubeApi } from './kube-api.js';
import type { KubeRetryOptions } from './kube-retry.js';
import { nodeLocation, parsePodId, podToInstance, UNKNOWN, type GroupBy, type NodeLocation } from './pod-mapping.js';
import { cordonRevertId, evacuateRevertId, isLabelValue, parseRevertId } from './revert-id.js';
import { isolateZoneNodes, uncordonNodes, type ZoneIsolationResult } from './zone-cordon.js';

/** Options of {@link KubernetesProvider}. */
export interface KubernetesProviderOptions {
  /**
   * Where the cluster is and who we are. The caller loads it: `kc.loadFromDefault()` for real use (KUBECONFIG,
   * ~/.kube/config or the in-cluster service account), `kc.loadFromOptions(…)` in tests.
   */
  readonly kubeConfig: KubeConfig;
  /** Only these namespaces are seen and touched. @default every namespace (one cluster-wide list) */
  readonly namespaces?: readonly string[];
  /** Namespaces never seen nor touched, even if listed in `namespaces`. @default ['kube-system'] */
  readonly excludeNamespaces?: readonly string[];
  /** Only pods matching this label selector are seen (`simian/opt-in=true` lists only opted-in pods). */
  readonly podSelector?: string;
  /** How pods form groups. @default { kind: 'owner' } */
  readonly groupBy?: GroupBy;
  /**
   * Grace period of deletes and evictions, seconds. Undefined means: `0` for a SIGKILL termination (the real
   * failure mode, no graceful shutdown) and each pod's own `terminationGracePeriodSeconds` for SIGTERM, `stop`
   * and evictions.
   */
  readonly gracePeriodSeconds?: number;
  /** What moves users out of a region; without one, {@link Actuator.evacuateRegion} is unsupported. */
  readonly trafficShift?: TrafficShift;
  /** Waits between retries. @default the system clock */
  readonly clock?: Clock;
  /** How throttled (429) and failing (5xx) calls are retried. @default 3 attempts, honouring Retry-After */
  readonly retry?: KubeRetryOptions;
  /** Items per list page. @default 500 */
  readonly pageSize?: number;
  /** Where refused or failed evictions are reported. @default silent */
  readonly logger?: Logger;
}

/** A zone isolation in force: the {@link RevertHandle} plus what it did, for reports. */
export interface ZoneIsolationHandle extends RevertHandle, ZoneIsolationResult {}

/** The namespaces excluded when the options say nothing: the control plane is not a chaos target. */
export const DEFAULT_EXCLUDED_NAMESPACES: readonly string[] = ['kube-system'];

/**
 * Kubernetes as a {@link Provider}.
 *
 * - Instances are pods, id `namespace/name`; tags are the pod's labels and annotations (annotations win), so
 *   `simian/opt-in: "true"` opts a pod in either way.
 * - Groups are `namespace/<deployment|statefulset|daemonset|…>` (or `namespace/<label value>` with
 *   `groupBy: { kind: 'label', key }`).
 * - `terminate` deletes the pod; `stop` does the same with the pod's own grace period, as pods cannot be stopped.
 * - `isolateZone` cordons the zone's schedulable nodes and evicts their pods; its revert id lists the nodes.
 * - `evacuateRegion` goes through the `trafficShift` option; `addToxic` is for the toxiproxy provider.
 *
 * RBAC needed: `list` pods and nodes, `delete` pods, `create` pods/eviction, `patch` nodes (the last two only
 * for zone isolation).
 *
 * @example
 * const kubeConfig = new KubeConfig();
 * kubeConfig.loadFromDefault();
 * const provider = new KubernetesProvider({ kubeConfig, namespaces: ['shop'] });
 * const groups = await provider.inventory.groups(); // [{ name: 'shop/checkout', … }]
 */
export class KubernetesProvider implements Provider {
  readonly name = 'kubernetes';
  readonly inventory: Inventory;
  readonly actuator: Actuator;
  private readonly api: KubeApi;
  private readonly namespaces: readonly string[] | undefined;
  private readonly excluded: ReadonlySet<string>;
  private readonly podSelector: string | undefined;
  private readonly groupBy: GroupBy;
  private readonly gracePeriodSeconds: number | undefined;
  private readonly trafficShift: TrafficShift | undefined;
  private readonly logger: Logger;

  constructor(options: KubernetesProviderOptions) {
    const grace = options.gracePeriodSeconds;
    if (grace !== undefined && !(Number.isInteger(grace) && grace >= 0)) {
      throw new InvalidInputError('provider.invalidOption', `kubernetes provider: gracePeriodSeconds must be a non-negative integer, got ${grace}`);
    }
    if (options.groupBy?.kind === 'label' && options.groupBy.key === '') {
      throw new InvalidInputError('provider.invalidOption', 'kubernetes provider: groupBy.key must not be empty');
    }
    this.api = new KubeApi({
      kubeConfig: options.kubeConfig,
      clock: options.clock ?? systemClock,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }),
    });
    this.namespaces = options.namespaces === undefined ? undefined : [...new Set(options.namespaces)];
    this.excluded = new Set(options.excludeNamespaces ?? DEFAULT_EXCLUDED_NAMESPACES);
    this.podSelector = options.podSelector;
    this.groupBy = options.groupBy ?? { kind: 'owner' };
    this.gracePeriodSeconds = grace;
    this.trafficShift = options.trafficShift;
    this.logger = options.logger ?? silentLogger;
    this.inventory = {
      groups: () => this.groups(),
      instances: async (filter?: InstanceFilter) => (await this.listInstances()).filter((i) => matchesInstanceFilter(i, filter)),
      zones: () => this.zones(),
      regions: () => this.regions(),
    };
    this.actuator = {
      terminate: (instance, terminateOptions) => this.terminate(instance, terminateOptions),
      stop: (instance) => this.stop(instance),
      isolateZone: (zone, options) => this.isolateZone(zone, options),
      evacuateRegion: (region, options) => this.evacuateRegion(region, options),
      addToxic: () =>
        Promise.reject(
          new SimianError('provider.unsupported', 'the kubernetes provider does not inject network toxics: use the toxiproxy provider for latency and other network faults'),
        ),
      revert: (id) => this.revert(id),
    };
  }

  /** Whether pods of `namespace` may be seen and touched: in the allow-list (if any) and not in the deny-list. */
  namespaceAllowed(namespace: string): boolean {
    if (this.excluded.has(namespace)) return false;
    return this.namespaces === undefined || this.namespaces.includes(namespace);
  }

  /**
   * Cordons the zone's schedulable nodes and evicts their pods. PodDisruptionBudget refusals and other eviction
   * failures are reported in the handle (and logged), not thrown: the cordon is in place and must stay revertable.
   *
   * @throws InvalidInputError `provider.badZone` for a zone name that cannot be a label value
   */
  async isolateZone(zone: Zone, options?: ActionOptions): Promise<ZoneIsolationHandle> {
    // The zone goes into a label selector and into the revert id: refuse anything that could widen either.
    if (!isLabelValue(zone.name)) throw new InvalidInputError('provider.badZone', `not a valid zone name: ${JSON.stringify(zone.name)}`);
    const result = await isolateZoneNodes(this.api, zone.name, {
      namespaceAllowed: (namespace) => this.namespaceAllowed(namespace),
      onIntent: (nodes) => announceIntent(options, cordonRevertId(zone.name, nodes)),
      ...(this.gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds: this.gracePeriodSeconds }),
    });
    for (const eviction of result.evictions) {
      if (eviction.outcome === 'refused' || eviction.outcome === 'failed') {
        this.logger.warn({ zone: zone.name, pod: eviction.pod, outcome: eviction.outcome, detail: eviction.detail }, 'pod not evicted from isolated zone');
      }
    }
    const id = cordonRevertId(zone.name, result.cordoned);
    return { ...result, id, revert: () => this.revert(id) };
  }

  /**
   * Moves users out of `region` through the configured {@link TrafficShift}.
   *
   * @throws SimianError `provider.unsupported` when no traffic shift is configured
   */
  async evacuateRegion(region: Region, options?: ActionOptions): Promise<RevertHandle> {
    const shift = this.requireTrafficShift(region.name);
    if (!isLabelValue(region.name)) throw new InvalidInputError('provider.badRegion', `not a valid region name: ${JSON.stringify(region.name)}`);
    const id = evacuateRevertId(region.name);
    await announceIntent(options, id);
    await shift.evacuate(region.name);
    return { id, revert: () => this.revert(id) };
  }

  /**
   * Reverts by id, also from a new process: a cordon id uncordons exactly the nodes it lists (nodes deleted since
   * are skipped), an evacuation id restores the region through the traffic shift. Reverting twice is harmless.
   *
   * @throws InvalidInputError `provider.badRevertId` for an id this provider did not make (an id is self-describing,
   *   so a well-formed one is never "unknown": at worst its nodes are gone, which is fine); SimianError
   *   `provider.revertIncomplete` when some node could not be uncordoned
   */
  async revert(id: string): Promise<void> {
    const target = parseRevertId(id);
    if (target.kind === 'cordon') {
      await uncordonNodes(this.api, target.nodes);
      return;
    }
    await this.requireTrafficShift(target.region).restore(target.region);
  }

  /**
   * Deletes the pod. SIGKILL (the default) deletes with grace period 0 unless `gracePeriodSeconds` is configured;
   * SIGTERM uses the configured grace period or the pod's own.
   *
   * A pod that is already gone throws `provider.instanceGone` rather than passing silently: the safety pipeline
   * then reports a failed decision, which is the truth (nothing was broken by us), and its ledger does not count
   * a kill that never happened as a success.
   *
   * @throws SimianError `provider.instanceGone`, `provider.forbidden`, `provider.throttled`, `provider.unavailable`,
   *   `provider.unreachable`; InvalidInputError `provider.badInstance` for an id that is not `namespace/name` or a
   *   namespace this provider may not touch
   */
  async terminate(instance: Instance, options: TerminateOptions = {}): Promise<void> {
    const { namespace, name } = this.podOf(instance);
    const signal = options.signal ?? 'SIGKILL';
    const grace = this.gracePeriodSeconds ?? (signal === 'SIGKILL' ? 0 : undefined);
    await this.api.deletePod(namespace, name, grace);
  }

  /** Pods cannot be stopped and kept: stopping deletes the pod gracefully (configured or the pod's own grace). */
  async stop(instance: Instance): Promise<void> {
    await this.terminate(instance, { signal: 'SIGTERM' });
  }

  private podOf(instance: Instance): { namespace: string; name: string } {
    const pod = parsePodId(instance.id);
    if (!pod) throw new InvalidInputError('provider.badInstance', `not a Kubernetes pod id (namespace/name): ${JSON.stringify(instance.id)}`);
    if (!this.namespaceAllowed(pod.namespace)) {
      throw new InvalidInputError('provider.badInstance', `pod ${instance.id} is in namespace ${pod.namespace}, which this provider may not touch`);
    }
    return pod;
  }

  private requireTrafficShift(region: string): TrafficShift {
    if (this.trafficShift) return this.trafficShift;
    throw new SimianError(
      'provider.unsupported',
      `cannot evacuate or restore region ${region}: Kubernetes has no traffic switch of its own; ` +
        'pass a TrafficShift as the kubernetes provider\'s `trafficShift` option (for example an HTTP hook to your global load balancer or DNS)',
    );
  }

  /** Node name → location. Listed once per inventory call: nodes change, so nothing is cached across calls. */
  private async nodeLocations(): Promise<Map<string, NodeLocation>> {
    const locations = new Map<string, NodeLocation>();
    for (const node of await this.api.listNodes()) {
      const name = node.metadata?.name;
      if (name !== undefined) locations.set(name, nodeLocation(node));
    }
    return locations;
  }

  private async listPods(): Promise<V1Pod[]> {
    const query = this.podSelector ? { labelSelector: this.podSelector } : {};
    // With an allow-list, one list per namespace needs only namespaced RBAC (a Role per namespace will do);
    // without, one cluster-wide list is cheaper than discovering namespaces first.
    const pods =
      this.namespaces === undefined
        ? await this.api.listAllPods(query)
        : (await Promise.all(this.namespaces.filter((ns) => this.namespaceAllowed(ns)).map((ns) => this.api.listNamespacedPods(ns, query)))).flat();
    return pods.filter((pod) => this.namespaceAllowed(pod.metadata?.namespace ?? 'default'));
  }

  private async listInstances(): Promise<Instance[]> {
    const [nodes, pods] = await Promise.all([this.nodeLocations(), this.listPods()]);
    return pods.map((pod) => podToInstance(pod, nodes, this.groupBy));
  }

  private async groups(): Promise<Group[]> {
    const byName = new Map<string, Instance[]>();
    for (const instance of await this.listInstances()) {
      const members = byName.get(instance.group) ?? [];
      members.push(instance);
      byName.set(instance.group, members);
    }
    return [...byName].map(([name, instances]) => ({
      name,
      // A Deployment usually spans zones of one region; the first scheduled pod's region stands for the group.
      region: instances.find((i) => i.region !== UNKNOWN)?.region ?? UNKNOWN,
      instances,
      // Opt-in lives on the pods (labels or annotations), where the pipeline reads it first.
      tags: {},
    }));
  }

  private async zones(): Promise<Zone[]> {
    const zones = new Map<string, Zone>();
    for (const location of (await this.nodeLocations()).values()) {
      if (location.zone !== UNKNOWN) zones.set(location.zone, { name: location.zone, region: location.region });
    }
    return [...zones.values()];
  }

  private async regions(): Promise<Region[]> {
    const regions = new Set<string>();
    for (const location of (await this.nodeLocations()).values()) if (location.region !== UNKNOWN) regions.add(location.region);
    return [...regions].map((name) => ({ name }));
  }
}
