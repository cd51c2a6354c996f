/**
 * @module
 * Which instances a monkey may touch: only those that opted in, minus the exceptions, and only running ones
 * (killing what is already down proves nothing).
 */
import type { Group, Instance } from '../../core/model.js';

/** The eligibility part of the safety configuration. */
export interface EligibilityConfig {
  /** The opt-in tag or label; its value must be `"true"`. An instance's own tag wins over its group's. */
  readonly optInTag: string;
  /** Groups never touched, whatever their tags say. */
  readonly exceptGroups: readonly string[];
  /** Instances never touched, by id. */
  readonly exceptInstances: readonly string[];
}

/** Whether `instance` of `group` opted in: its own tag decides if it has one, else the group's. */
export function isOptedIn(instance: Instance, group: Group, optInTag: string): boolean {
  const own = instance.tags[optInTag];
  return (own ?? group.tags[optInTag]) === 'true';
}

/** Whether `instance` of `group` may be a victim. */
export function isEligible(instance: Instance, group: Group, config: EligibilityConfig): boolean {
  return (
    instance.state === 'running' &&
    !config.exceptGroups.includes(group.name) &&
    !config.exceptInstances.includes(instance.id) &&
    isOptedIn(instance, group, config.optInTag)
  );
}

/** The instances of `group` that may be victims, in inventory order. */
export function eligibleInstances(group: Group, config: EligibilityConfig): Instance[] {
  return group.instances.filter((instance) => isEligible(instance, group, config));
}
