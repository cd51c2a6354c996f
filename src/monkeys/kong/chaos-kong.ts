/**
 * @module
 * Chaos Kong: evacuate a region. Traffic shifts away (the stack's front door, or a traffic-shift hook on other
 * platforms), optionally the region's instances are killed, and the traffic comes back when the fault reverts. Evacuating the last region with traffic is an outage, not an
 * exercise: the blast radius refuses it unless forced.
 */
import type { Provider } from '../../providers/provider.js';
import { isEligible } from '../safety/eligibility.js';
import { refuse, type FaultPlan, type ReversibleFaultRequest } from '../safety/fault-plan.js';
import type { SafetyConfig } from '../safety/safety-config.js';

/** The scope the rate limits count an evacuation against. */
export function regionScope(region: string): string {
  return `region:${region}`;
}

/**
 * Works out a region evacuation. The blast radius asks that `minHealthyRegions` other regions keep their traffic;
 * regions already evacuated by an active fault are passed in `alreadyEvacuated` and do not count as healthy.
 */
export async function planRegionEvacuation(
  provider: Provider,
  config: SafetyConfig,
  region: string,
  alreadyEvacuated: readonly string[] = [],
  killInstances = false,
): Promise<FaultPlan> {
  const regions = (await provider.inventory.regions()).map((r) => r.name);
  if (!regions.includes(region)) {
    return refuse('not-eligible', `no region ${region} in provider ${provider.name} (regions: ${regions.join(', ') || 'none'})`);
  }
  if (config.exceptGroups.includes(regionScope(region))) return refuse('not-eligible', `region ${region} is an exception`);
  const healthyLeft = regions.filter((r) => r !== region && !alreadyEvacuated.includes(r)).length;
  const exceeds =
    healthyLeft < config.minHealthyRegions
      ? `evacuating ${region} would leave ${healthyLeft} region(s) with traffic (minHealthyRegions ${config.minHealthyRegions}); --force overrides`
      : undefined;
  return {
    outcome: 'planned',
    fault: {
      kind: 'region-evacuation',
      scope: regionScope(region),
      targets: [region],
      parameters: { region, killInstances },
      ...(exceeds ? { exceedsBlastRadius: exceeds } : {}),
      act: async (_faultId, onHandle) => {
        await onHandle(await provider.actuator.evacuateRegion({ name: region }));
        if (killInstances) await killRegion(provider, config, region);
      },
    },
  };
}

/**
 * Kills every eligible running instance of the evacuated region, as a region that really went dark would lose
 * them. Not reversible: the platform replaces them, and the traffic comes back when the evacuation reverts.
 */
async function killRegion(provider: Provider, config: SafetyConfig, region: string): Promise<void> {
  for (const group of await provider.inventory.groups()) {
    for (const instance of group.instances) {
      if (instance.region === region && isEligible(instance, group, config)) await provider.actuator.terminate(instance);
    }
  }
}

/** A {@link ReversibleFaultRequest} for the pipeline: Chaos Kong on one region for `durationMs`. */
export function regionEvacuationRequest(
  config: SafetyConfig,
  region: string,
  durationMs: number,
  options: { readonly force?: boolean; readonly alreadyEvacuated?: readonly string[]; readonly killInstances?: boolean } = {},
): ReversibleFaultRequest {
  return {
    monkey: 'kong',
    durationMs,
    force: options.force ?? false,
    plan: (provider) => planRegionEvacuation(provider, config, region, options.alreadyEvacuated, options.killInstances ?? false),
  };
}
