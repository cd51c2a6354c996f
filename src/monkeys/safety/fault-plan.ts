/**
 * @module
 * Reversible faults (a zone outage, a region evacuation, a network toxic) as the safety pipeline sees them: a
 * monkey reads the inventory and answers with a plan (what it would touch, and how), and the pipeline decides
 * whether the plan may run. The split keeps every guard in one place while each monkey knows its own targets.
 */
import type { FaultKind } from '../../core/model.js';
import type { Provider, RevertHandle } from '../../providers/provider.js';

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
   * Carries the fault out. Every reversible action reports its handle through `onHandle` as soon as it exists,
   * and waits for it, so the handle is recorded before the next action: a process that dies half-way still leaves
   * enough behind to undo what was done.
   */
  act(faultId: string, onHandle: (handle: RevertHandle) => Promise<void>): Promise<void>;
}

/** What a planner answers: a fault to consider, or why there is nothing to do. */
export type FaultPlan =
  | { readonly outcome: 'planned'; readonly fault: PlannedFault }
  | { readonly outcome: 'refused'; readonly reason: 'not-eligible' | 'no-victims'; readonly detail: string };

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
  plan(provider: Provider): Promise<FaultPlan>;
}

/** Shorthand for a planner's refusal. */
export function refuse(reason: 'not-eligible' | 'no-victims', detail: string): FaultPlan {
  return { outcome: 'refused', reason, detail };
}
