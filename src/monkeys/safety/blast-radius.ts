/**
 * @module
 * The blast radius: how much of a group one action may take. A group of three that loses two is an outage, not an
 * experiment. Only healthy instances count: running, and not taken out of service by a fault already in force (an
 * isolated zone, an outage-like toxic, an evacuated region), so that two faults cannot add up to an outage that
 * neither would cause alone.
 */
import type { Group } from '../../core/model.js';
import { isHealthy, NOTHING_IN_FORCE, type FaultsInForce } from './faults-in-force.js';

/** The blast-radius part of the safety configuration. */
export interface BlastRadiusConfig {
  /** Largest share (0–1] of a group's healthy instances that one action may take, rounded down. */
  readonly maxGroupShare: number;
  /** Healthy instances that must be left in the group after the action. */
  readonly minHealthyLeft: number;
}

/** What {@link checkBlastRadius} found: `ok`, or why not. */
export type BlastRadiusVerdict = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** The group's healthy instances: running, and not out of service because of a fault in force. */
export function healthyCount(group: Group, inForce: FaultsInForce = NOTHING_IN_FORCE): number {
  return group.instances.filter((i) => isHealthy(i, inForce)).length;
}

/** How many of a group's instances one action may take: the tighter of the share and the healthy floor. */
export function maxVictims(group: Group, config: BlastRadiusConfig, inForce: FaultsInForce = NOTHING_IN_FORCE): number {
  const healthy = healthyCount(group, inForce);
  const byShare = Math.floor(healthy * config.maxGroupShare + 1e-9);
  return Math.max(0, Math.min(byShare, healthy - config.minHealthyLeft));
}

/**
 * Whether taking `victimCount` instances of `group` stays within the blast radius. It refuses rather than
 * trimming the victims: a config that asks for more than is safe should be fixed, not silently reinterpreted.
 */
export function checkBlastRadius(group: Group, victimCount: number, config: BlastRadiusConfig, inForce: FaultsInForce = NOTHING_IN_FORCE): BlastRadiusVerdict {
  const allowed = maxVictims(group, config, inForce);
  if (victimCount <= allowed) return { ok: true };
  const running = group.instances.filter((i) => i.state === 'running').length;
  const healthy = healthyCount(group, inForce);
  const outOfService = running - healthy;
  return {
    ok: false,
    detail:
      `${victimCount} victim(s) in group ${group.name} exceed the blast radius: ${healthy} healthy` +
      (outOfService > 0 ? ` (${outOfService} more running but out of service under another fault)` : '') +
      `, safety.maxGroupShare ${config.maxGroupShare} and safety.minHealthyLeft ${config.minHealthyLeft} allow at most ${allowed}; --force overrides`,
  };
}
