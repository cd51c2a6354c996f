/**
 * @module
 * Chaos Monkey's own rules, beside the safety pipeline that carries out its terminations: which group to hit when
 * none is named, and how a leashed run is kept in the history.
 */
import type { Group } from '../../core/model.js';
import { randomInt, type Random } from '../../core/random.js';
import type { StateStore } from '../../state/state-store.js';
import { maxVictims } from '../safety/blast-radius.js';
import type { SafetyDecision } from '../safety/decision.js';
import { eligibleInstances } from '../safety/eligibility.js';
import type { SafetyConfig } from '../safety/safety-config.js';

/**
 * Like Chaos Monkey, a group at random among those it may hit: a group of one, or one that did not opt in, would
 * only ever be skipped, and a run that always skips teaches nobody anything. Undefined when there is none.
 *
 * @example
 * const group = chooseGroup(random, await provider.inventory.groups(), config) ?? fail('nothing to hit');
 */
export function chooseGroup(random: Random, groups: readonly Group[], config: SafetyConfig): string | undefined {
  const hittable = groups.filter((g) => eligibleInstances(g, config).length > 0 && maxVictims(g, config) > 0);
  return hittable.length === 0 ? undefined : hittable[randomInt(random, hittable.length)]!.name;
}

/**
 * Keeps a leashed termination in the history as a dry run (it counts for no limit). Nothing to do for any other
 * decision. Throws when the store cannot take it; failing to note a dry run changes nothing that happened.
 */
export function recordDryRun(store: StateStore, decision: SafetyDecision, where: { readonly monkey: string; readonly provider: string; readonly group: string }): void {
  if (decision.outcome !== 'skipped' || decision.reason !== 'leashed' || !decision.fault) return;
  for (const instanceId of decision.fault.targets) {
    store.recordTermination({ ...where, instanceId, at: decision.fault.startedAt, dryRun: true });
  }
}
