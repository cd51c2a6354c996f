/**
 * @module
 * Reversible faults (a zone outage, a region evacuation, a network toxic) as the safety pipeline sees them: a
 * monkey reads the inventory and answers with a plan (what it would touch, and how), and the pipeline decides
 * whether the plan may run. The split keeps every guard in one place while each monkey knows its own targets.
 */
import type { FaultKind } from '../../core/model.js';
import type { ActionOptions, Provider, RevertHandle } from '../../providers/provider.js';
import type { FaultsInForce } from './faults-in-force.js';

/** The fault kinds that can be undone and therefore carry a TTL. */
export type ReversibleFaultKind = Exclude<FaultKind, 'terminate' | 'stop'>;

/** A fault a monkey is ready to inject. */
export interface PlannedFault {
  readonly kind: ReversibleFaultKind;
  /**
   * What the rate limits (minimum interval, daily quota) count against: a group (`catalog`), a zone
   * (`zone:us-east-1/us-east-1a`) or a region (`region:us-east-1`).
   */
  readonly scope: string;
  /**
   * The other scopes the rate limits count this fault against, and must find quiet before it: the groups a zone
   * outage or a toxic hits.
   */
  readonly scopes?: readonly string[];
  /** Instance ids, or the zone or region, as people should read them in the history. */
  readonly targets: readonly string[];
  /** JSON values recorded with the fault (latency, jitter, mode…). */
  readonly parameters: Readonly<Record<string, unknown>>;
  /**
   * Why the plan exceeds the blast radius, when it does. `force` overrides this and nothing else: a forced run
   * still honours the kill switch, the leash and the history.
   */
  readonly exceedsBlastRadius?: string;
  /**
   * Carries the fault out. Every reversible action takes `recorder.options` (its intent is recorded before it
   * touches anything) and reports its handle through `recorder.done` as soon as it exists, waiting for both: a
   * process that dies half-way still leaves enough behind to undo what was done.
   */
  act(faultId: string, recorder: ActionRecorder): Promise<void>;
}

/** How a planned fault's actions get recorded, before and after each one. */
export interface ActionRecorder {
  /** Pass to every reversible actuator call: it records the action's intent before the action. */
  readonly options: ActionOptions;
  /** Records the handle a finished action returned (it replaces the action's intent). */
  done(handle: RevertHandle): Promise<void>;
}

/** Why a planner found nothing to do. `unknown-target` is bad input: the zone, region or group does not exist. */
export type PlanRefusal = 'unknown-target' | 'not-eligible' | 'no-victims';

/** What a planner answers: a fault to consider, or why there is nothing to do. */
export type FaultPlan =
  | { readonly outcome: 'planned'; readonly fault: PlannedFault }
  | { readonly outcome: 'refused'; readonly reason: PlanRefusal; readonly detail: string };

/** What the pipeline tells a planner about the platform beyond its inventory. */
export interface PlanContext {
  /** The effects of the faults in force (this process's and every other's). */
  readonly inForce: FaultsInForce;
}

/** A request to inject a reversible fault through {@link SafetyPipeline.inject}. */
export interface ReversibleFaultRequest {
  /** Which monkey asks (`gorilla`, `kong`, `latency`). */
  readonly monkey: string;
  /** How long the fault lasts before it reverts itself, ms. */
  readonly durationMs: number;
  /** Overrides the blast radius (and only it): Chaos Kong on a stack's only region, for instance. */
  readonly force?: boolean;
  /**
   * Reads the provider's inventory and works out the fault. Throwing means "cannot tell", and the pipeline skips
   * with `check-failed`.
   */
  plan(provider: Provider, context: PlanContext): Promise<FaultPlan>;
}

/** Shorthand for a planner's refusal. */
export function refuse(reason: PlanRefusal, detail: string): FaultPlan {
  return { outcome: 'refused', reason, detail };
}
