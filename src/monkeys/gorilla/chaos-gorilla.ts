/**
 * @module
 * Chaos Gorilla: take a whole availability zone down and let the other zones carry the traffic. The zone is cut
 * off the way the platform can (the stack's proxies refuse connections, Kubernetes cordons and evicts, EC2 stops
 * the zone's opted-in instances), for a duration, and it comes back on its own.
 */
import { unknownNameMessage } from '../../core/did-you-mean.js';
import type { Instance, Zone } from '../../core/model.js';
import type { Provider } from '../../providers/provider.js';
import { isEligible } from '../safety/eligibility.js';
import { refuse, type FaultPlan, type PlanContext, type ReversibleFaultRequest } from '../safety/fault-plan.js';
import { isHealthy, NOTHING_IN_FORCE } from '../safety/faults-in-force.js';
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
 * blast radius asks that the region keep `minHealthyZones` other zones with healthy instances (a zone another
 * fault already isolated is not one), and that each group keep `minHealthyLeft` healthy instances and lose no more
 * than `maxGroupShare` of them. A zone that does not exist is bad input (`unknown-target`), with the names there are.
 */
export async function planZoneOutage(provider: Provider, config: SafetyConfig, target: ZoneOutageTarget, context: PlanContext = { inForce: NOTHING_IN_FORCE }): Promise<FaultPlan> {
  const all = await provider.inventory.zones();
  const zones = all.filter((z) => z.name === target.zone && (target.region === undefined || z.region === target.region));
  if (zones.length === 0) {
    const known = [...new Set(all.filter((z) => target.region === undefined || z.region === target.region).map((z) => z.name))];
    return refuse('unknown-target', `${unknownNameMessage(target.region ? `zone in region ${target.region}` : 'zone', target.zone, known)} in provider ${provider.name}`);
  }
  if (zones.length > 1) return refuse('unknown-target', `zone ${target.zone} exists in regions ${zones.map((z) => z.region).join(', ')}: name the region (--region)`);
  const zone = zones[0]!;
  const { inForce } = context;
  if (inForce.isolatedZones.has(`${zone.region}/${zone.name}`)) {
    return refuse('not-eligible', `zone ${zone.region}/${zone.name} is already isolated by a fault in force`);
  }

  const groups = await provider.inventory.groups();
  const hit: Instance[] = [];
  const hitGroups: string[] = [];
  const notEligible: string[] = [];
  const violations: string[] = [];
  for (const group of groups) {
    const live = running(group.instances);
    const inZone = live.filter((i) => i.zone === zone.name && i.region === zone.region);
    if (inZone.length === 0) continue;
    hit.push(...inZone);
    hitGroups.push(group.name);
    for (const instance of inZone) if (!isEligible(instance, group, config)) notEligible.push(instance.id);
    const healthy = group.instances.filter((i) => isHealthy(i, inForce));
    const lost = healthy.filter((i) => i.zone === zone.name && i.region === zone.region).length;
    const left = healthy.length - lost;
    const outOfService = live.length - healthy.length;
    const under = outOfService > 0 ? ` (${outOfService} more out of service under another fault)` : '';
    if (left < config.minHealthyLeft) violations.push(`group ${group.name} would keep ${left} healthy${under} (safety.minHealthyLeft ${config.minHealthyLeft})`);
    else if (lost > Math.floor(healthy.length * config.maxGroupShare + 1e-9)) {
      violations.push(`group ${group.name} would lose ${lost} of ${healthy.length} healthy${under} (safety.maxGroupShare ${config.maxGroupShare})`);
    }
  }
  if (hit.length === 0) return refuse('no-victims', `nothing runs in zone ${zone.region}/${zone.name}`);
  if (notEligible.length > 0) {
    return refuse('not-eligible', `a zone outage would hit instances that did not opt in (${config.optInTag}=true) or are exceptions: ${notEligible.join(', ')}`);
  }
  const otherZones = new Set(
    groups
      .flatMap((g) => g.instances)
      .filter((i) => isHealthy(i, inForce) && i.region === zone.region && i.zone !== zone.name)
      .map((i) => i.zone),
  );
  if (otherZones.size < config.minHealthyZones) {
    violations.unshift(`region ${zone.region} would keep ${otherZones.size} zone(s) with healthy instances (safety.minHealthyZones ${config.minHealthyZones})`);
  }

  return {
    outcome: 'planned',
    fault: {
      kind: 'zone-outage',
      scope: zoneScope(zone),
      scopes: hitGroups,
      targets: [`${zone.region}/${zone.name}`],
      parameters: { region: zone.region, zone: zone.name, instances: hit.map((i) => i.id) },
      ...(violations.length > 0 ? { exceedsBlastRadius: `zone outage of ${zone.region}/${zone.name}: ${violations.join('; ')}; --force overrides` } : {}),
      act: async (_faultId, recorder) => recorder.done(await provider.actuator.isolateZone(zone, recorder.options)),
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
  return { monkey: 'gorilla', durationMs, force, plan: (provider, context) => planZoneOutage(provider, config, target, context) };
}
