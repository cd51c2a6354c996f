/**
 * @module
 * The blast radius: how much of a group one action may take. A group of three that loses two is an outage, not an
 * experiment.
 */
import type { Group } from '../../core/model.js';

/** The blast-radius part of the safety configuration. */
export interface BlastRadiusConfig {
  /** Largest share (0–1] of a group's running instances that one action may take, rounded down. */
  readonly maxGroupShare: number;
  /** Running instances that must be left in the group after the action. */
  readonly minHealthyLeft: number;
}

/** What {@link checkBlastRadius} found: `ok`, or why not. */
export type BlastRadiusVerdict = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** How many of a group's instances one action may take: the tighter of the share and the healthy floor. */
export function maxVictims(group: Group, config: BlastRadiusConfig): number {
  const healthy = group.instances.filter((i) => i.state === 'running').length;
  const byShare = Math.floor(healthy * config.maxGroupShare + 1e-9);
  return Math.max(0, Math.min(byShare, healthy - config.minHealthyLeft));
}

/**
 * Whether taking `victimCount` instances of `group` stays within the blast radius. It refuses rather than
 * trimming the victims: a config that asks for more than is safe should be fixed, not silently reinterpreted.
 */
export function checkBlastRadius(group: Group, victimCount: number, config: BlastRadiusConfig): BlastRadiusVerdict {
  const allowed = maxVictims(group, config);
  if (victimCount <= allowed) return { ok: true };
  const healthy = group.instances.filter((i) => i.state === 'running').length;
  return {
    ok: false,
    detail:
      `${victimCount} victim(s) in group ${group.name} exceed the blast radius: ${healthy} running, ` +
      `max share ${config.maxGroupShare}, at least ${config.minHealthyLeft} left, so at most ${allowed}`,
  };
}
