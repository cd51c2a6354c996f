/**
 * @module
 * Chaos Kong: evacuate a region. Traffic shifts away (the stack's front door, or a traffic-shift hook on other
 * platforms), optionally the region's instances are killed, and the traffic comes back when the fault reverts.
 * Evacuating the last region with traffic is an outage, not an exercise: the blast radius refuses it unless forced,
 * and a region another fault already evacuated has no traffic to count.
 */
import { unknownNameMessage } from '../../core/did-you-mean.js';
import type { Fault } from '../../core/model.js';
import type { Provider } from '../../providers/provider.js';
import type { SafetyDecision } from '../safety/decision.js';
import { refuse, type FaultPlan, type PlanContext, type ReversibleFaultRequest } from '../safety/fault-plan.js';
import { NOTHING_IN_FORCE } from '../safety/faults-in-force.js';
import type { SafetyConfig } from '../safety/safety-config.js';
import type { TerminationRequest } from '../safety/safety-pipeline.js';

/** The scope the rate limits count an evacuation against. */
export function regionScope(region: string): string {
  return `region:${region}`;
}

/**
 * Works out a region evacuation. The blast radius asks that `minHealthyRegions` other regions keep their traffic;
 * regions evacuated by a fault in force (this run's or anyone's) do not count, nor do those in `alreadyEvacuated`.
 * A region that does not exist is bad input (`unknown-target`).
 */
export async function planRegionEvacuation(
  provider: Provider,
  config: SafetyConfig,
  region: string,
  options: { readonly alreadyEvacuated?: readonly string[]; readonly killInstances?: boolean; readonly context?: PlanContext } = {},
): Promise<FaultPlan> {
  const regions = (await provider.inventory.regions()).map((r) => r.name);
  if (!regions.includes(region)) return refuse('unknown-target', `${unknownNameMessage('region', region, regions)} in provider ${provider.name}`);
  if (config.exceptGroups.includes(regionScope(region))) return refuse('not-eligible', `region ${region} is an exception (safety.exceptGroups lists ${regionScope(region)})`);
  const evacuated = new Set([...(options.context ?? { inForce: NOTHING_IN_FORCE }).inForce.evacuatedRegions, ...(options.alreadyEvacuated ?? [])]);
  if (evacuated.has(region)) return refuse('not-eligible', `region ${region} is already evacuated by a fault in force`);
  const withTraffic = regions.filter((r) => r !== region && !evacuated.has(r));
  const gone = regions.filter((r) => r !== region && evacuated.has(r));
  const exceeds =
    withTraffic.length < config.minHealthyRegions
      ? `evacuating ${region} would leave ${withTraffic.length} region(s) with traffic${gone.length > 0 ? ` (${gone.join(', ')} already evacuated)` : ''} (safety.minHealthyRegions ${config.minHealthyRegions}); --force overrides`
      : undefined;
  const killInstances = options.killInstances ?? false;
  return {
    outcome: 'planned',
    fault: {
      kind: 'region-evacuation',
      scope: regionScope(region),
      targets: [region],
      parameters: { region, killInstances },
      ...(exceeds ? { exceedsBlastRadius: exceeds } : {}),
      act: async (_faultId, recorder) => recorder.done(await provider.actuator.evacuateRegion({ name: region }, recorder.options)),
    },
  };
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
    plan: (provider, context) =>
      planRegionEvacuation(provider, config, region, {
        ...(options.alreadyEvacuated ? { alreadyEvacuated: options.alreadyEvacuated } : {}),
        killInstances: options.killInstances ?? false,
        context,
      }),
  };
}

/** What Chaos Kong's kills need of a pipeline: a {@link SafetyPipeline} is one. */
export interface KongKillPipeline {
  terminate(request: TerminationRequest): Promise<SafetyDecision>;
}

/** The decision on one group's instances in the evacuated region. */
export interface KongKill {
  readonly group: string;
  readonly decision: SafetyDecision;
}

/**
 * After an evacuation that asked for `killInstances`, terminates the region's instances as a region that really
 * went dark would lose them, group by group, each group's kill through the safety pipeline (kill switch, outage
 * check, opt-in, blast radius, history, record): as many of its instances in the region as the blast radius
 * allows, every one of them with `force`. The evacuation's own effect does not count against the blast radius
 * (its instances are out of traffic, not out of service); every other fault in force does. Not reversible: the
 * platform replaces them, and the traffic comes back when the evacuation reverts.
 */
export async function killEvacuatedRegion(pipeline: KongKillPipeline, provider: Provider, evacuation: Fault, force = false): Promise<KongKill[]> {
  const region = evacuation.targets[0];
  if (evacuation.kind !== 'region-evacuation' || region === undefined) return [];
  const kills: KongKill[] = [];
  for (const group of await provider.inventory.groups()) {
    const within = group.instances.filter((i) => i.region === region && i.state === 'running').map((i) => i.id);
    if (within.length === 0) continue;
    const decision = await pipeline.terminate({
      monkey: 'kong',
      group: group.name,
      selection: { mode: 'as-many-as-allowed', within },
      partOf: evacuation.id,
      force,
    });
    kills.push({ group: group.name, decision });
  }
  return kills;
}
