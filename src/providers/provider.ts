/**
 * @module
 * The provider seam: every platform is a read-only {@link Inventory} plus an {@link Actuator}. Monkeys and the
 * safety pipeline only ever see these interfaces, so the same guards run against processes, pods or VMs, and
 * against the in-memory provider in tests.
 */
import type { Group, Instance, InstanceState, Region, Zone } from '../core/model.js';

/** Narrows {@link Inventory.instances}; every given field must match. */
export interface InstanceFilter {
  readonly group?: string;
  readonly region?: string;
  readonly zone?: string;
  /** Only instances in one of these states. */
  readonly states?: readonly InstanceState[];
}

/** What a platform has, read-only: looking must never change anything. */
export interface Inventory {
  groups(): Promise<readonly Group[]>;
  instances(filter?: InstanceFilter): Promise<readonly Instance[]>;
  zones(): Promise<readonly Zone[]>;
  regions(): Promise<readonly Region[]>;
}

/** Options for {@link Actuator.terminate}. */
export interface TerminateOptions {
  /**
   * How hard to kill. SIGKILL (the default) is the real failure mode: no graceful shutdown to hide behind.
   * @default 'SIGKILL'
   */
  readonly signal?: 'SIGKILL' | 'SIGTERM';
}

/** Network faults, named after Toxiproxy's toxic types so that providers map them one to one. */
export type ToxicType = 'latency' | 'bandwidth' | 'timeout' | 'reset_peer' | 'limit_data' | 'down';

/** One network toxic to add. */
export interface ToxicSpec {
  readonly type: ToxicType;
  /** Which direction of the connection suffers. @default 'downstream' */
  readonly stream?: 'upstream' | 'downstream';
  /** Type-specific attributes, in Toxiproxy's names (`latency`, `jitter`, `rate`, `timeout`, `bytes`). */
  readonly attributes?: Readonly<Record<string, number>>;
}

/** Where a toxic goes: an instance (its proxy) or a named proxy. */
export type ToxicTarget = { readonly instance: Instance } | { readonly proxy: string };

/**
 * The handle of a reversible action. The `id` is what a state store keeps: after a restart there is no closure
 * left to call, so {@link Actuator.revert} takes the id alone.
 */
export interface RevertHandle {
  readonly id: string;
  /** Undoes the action. Reverting twice, or something already gone, is harmless. */
  revert(): Promise<void>;
}

/**
 * Moves a region's traffic away and back: the stack's front door, or any traffic manager behind an HTTP hook.
 * Providers whose platform has no traffic switch of its own (Kubernetes, EC2) take one of these for Chaos Kong.
 */
export interface TrafficShift {
  /** Sends the region's users elsewhere. Evacuating twice is harmless. */
  evacuate(region: string): Promise<void>;
  /** Lets traffic back into the region. Restoring a region that is not evacuated is harmless. */
  restore(region: string): Promise<void>;
}

/**
 * Options of every reversible action. A process can die between an action and the moment its caller records the
 * handle; `onIntent` closes that gap: the actuator calls it, and waits for it, with a revert id that undoes
 * everything it is about to do, *before* its first change to the platform. Reverting that id undoes what was done
 * so far and is harmless for what was not. A rejected `onIntent` stops the action before anything is touched.
 */
export interface ActionOptions {
  readonly onIntent?: (revertId: string) => Promise<void>;
}

/** What a platform can do to itself. Every method acts for real; the safety pipeline decides whether to call. */
export interface Actuator {
  /** Kills one instance. Not reversible: the platform is expected to replace it. */
  terminate(instance: Instance, options?: TerminateOptions): Promise<void>;
  /** Stops one instance without deleting it (platforms that cannot, terminate). */
  stop(instance: Instance): Promise<void>;
  /** Cuts a whole zone off (cordon, isolate or take down its instances). */
  isolateZone(zone: Zone, options?: ActionOptions): Promise<RevertHandle>;
  /** Shifts traffic away from a region. */
  evacuateRegion(region: Region, options?: ActionOptions): Promise<RevertHandle>;
  /** Adds a network toxic; revert the handle to remove it. */
  addToxic(target: ToxicTarget, toxic: ToxicSpec, options?: ActionOptions): Promise<RevertHandle>;
  /**
   * Reverts a reversible action by the id of its handle, also from another process after a restart. An unknown
   * id is not an error: it was reverted already.
   */
  revert(id: string): Promise<void>;
}

/** A platform: its name (`local`, `kubernetes`, `aws`, `toxiproxy`, `memory`), what it has and what it can do. */
export interface Provider {
  readonly name: string;
  readonly inventory: Inventory;
  readonly actuator: Actuator;
}

/** Tells `options.onIntent` (if any) how to undo what is about to happen, and waits for it to be recorded. */
export async function announceIntent(options: ActionOptions | undefined, revertId: string): Promise<void> {
  await options?.onIntent?.(revertId);
}

/** Whether `instance` passes `filter`. Providers that filter in memory share it so they all agree. */
export function matchesInstanceFilter(instance: Instance, filter: InstanceFilter = {}): boolean {
  if (filter.group !== undefined && instance.group !== filter.group) return false;
  if (filter.region !== undefined && instance.region !== filter.region) return false;
  if (filter.zone !== undefined && instance.zone !== filter.zone) return false;
  if (filter.states !== undefined && !filter.states.includes(instance.state)) return false;
  return true;
}
