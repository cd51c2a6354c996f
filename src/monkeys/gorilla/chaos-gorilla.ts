/**
 * @module
 * Chaos Gorilla: take a whole availability zone down and let the other zones carry the traffic. The zone is cut
 * off the way the platform can (the stack's proxies refuse connections, Kubernetes cordons and evicts, EC2 stops
 * the zone's opted-in instances), for a duration, and it comes back on its own.
 */
import type { Instance, Zone } from '../../core/model.js';
import type { Provider } from '../../providers/provider.js';
import { isEligible } from '../safety/eligibility.js';
import { refuse, type FaultPlan, type ReversibleFaultRequest } from '../safety/fault-plan.js';
import type { SafetyConfig } from '../safety/safety-config.js';

/** Which zone to take down. */
export interface ZoneOutageTarget {
  readonly zone: string;
  /** Needed only when two regions have a zone of that name. */
  readonly region?: string;
}

/** The scope the rate limits count a zone outage against. */
export function zoneScope(zone: Zone): string {
  return `zone:${zone.region}/${zone.name}`;
}

function running(instances: readonly Instance[]): Instance[] {
  return instances.filter((i) => i.state === 'running');
}

/**
 * Works out a zone outage. Everything running in the zone is hit, so every group there must have opted in; the
 * blast radius asks that the region keep `minHealthyZones` other zones with running instances, and that each group
 * keep `minHealthyLeft` instances and lose no more than `maxGroupShare` of them.
 */
export async function planZoneOutage(provider: Provider, config: SafetyConfig, target: ZoneOutageTarget): Promise<FaultPlan> {
  const zones = (await provider.inventory.zones()).filter((z) => z.name === target.zone && (target.region === undefined || z.region === target.region));
  if (zones.length === 0) return refuse('not-eligible', `no zone ${target.region ? `${target.region}/` : ''}${target.zone} in provider ${provider.name}`);
  if (zones.length > 1) return refuse('not-eligible', `zone ${target.zone} exists in regions ${zones.map((z) => z.region).join(', ')}: name the region`);
  const zone = zones[0]!;

  const groups = await provider.inventory.groups();
  const hit: Instance[] = [];
  const notEligible: string[] = [];
  const violations: string[] = [];
  for (const group of groups) {
    const live = running(group.instances);
    const inZone = live.filter((i) => i.zone === zone.name && i.region === zone.region);
    if (inZone.length === 0) continue;
    hit.push(...inZone);
    for (const instance of inZone) if (!isEligible(instance, group, config)) notEligible.push(instance.id);
    const left = live.length - inZone.length;
    if (left < config.minHealthyLeft) violations.push(`group ${group.name} would keep ${left} running (at least ${config.minHealthyLeft})`);
    else if (inZone.length > Math.floor(live.length * config.maxGroupShare + 1e-9)) {
      violations.push(`group ${group.name} would lose ${inZone.length} of ${live.length} (max share ${config.maxGroupShare})`);
    }
  }
  if (hit.length === 0) return refuse('no-victims', `nothing runs in zone ${zone.region}/${zone.name}`);
  if (notEligible.length > 0) {
    return refuse('not-eligible', `a zone outage would hit instances that did not opt in or are exceptions: ${notEligible.join(', ')}`);
  }
  const otherZones = new Set(
    groups.flatMap((g) => running(g.instances)).filter((i) => i.region === zone.region && i.zone !== zone.name).map((i) => i.zone),
  );
  if (otherZones.size < config.minHealthyZones) {
    violations.unshift(`region ${zone.region} would keep ${otherZones.size} zone(s) with running instances (minHealthyZones ${config.minHealthyZones})`);
  }

  return {
    outcome: 'planned',
    fault: {
      kind: 'zone-outage',
      scope: zoneScope(zone),
      targets: [`${zone.region}/${zone.name}`],
      parameters: { region: zone.region, zone: zone.name, instances: hit.map((i) => i.id) },
      ...(violations.length > 0 ? { exceedsBlastRadius: `zone outage of ${zone.region}/${zone.name}: ${violations.join('; ')}` } : {}),
      act: async (_faultId, onHandle) => onHandle(await provider.actuator.isolateZone(zone)),
    },
  };
}

/** A {@link ReversibleFaultRequest} for the pipeline: Chaos Gorilla on one zone for `durationMs`. */
export function zoneOutageRequest(
  config: SafetyConfig,
  target: ZoneOutageTarget,
  durationMs: number,
  force = false,
): ReversibleFaultRequest {
  return { monkey: 'gorilla', durationMs, force, plan: (provider) => planZoneOutage(provider, config, target) };
}
