/**
 * @module
 * Latency Monkey: network toxics (latency with jitter, bandwidth, timeout, reset, limit_data, down) on an
 * instance, a service or a zone, for a duration. Slowness is the failure that hides best: a dependency that answers
 * late ties up callers long after one that is dead has been routed around.
 */
import { unknownNameMessage } from '../../core/did-you-mean.js';
import type { Group, Instance } from '../../core/model.js';
import type { Random } from '../../core/random.js';
import type { Provider, ToxicSpec } from '../../providers/provider.js';
import { checkBlastRadius } from '../safety/blast-radius.js';
import { isEligible } from '../safety/eligibility.js';
import { refuse, type FaultPlan, type PlanContext, type ReversibleFaultKind, type ReversibleFaultRequest } from '../safety/fault-plan.js';
import { NOTHING_IN_FORCE, takesOutOfService } from '../safety/faults-in-force.js';
import type { SafetyConfig } from '../safety/safety-config.js';
import { selectVictims, type VictimSelection } from '../safety/victim-selection.js';

/** Where the toxic goes; every given field narrows the candidates. At least one must be given. */
export interface ToxicTargets {
  readonly group?: string;
  readonly zone?: string;
  readonly region?: string;
  readonly instances?: readonly string[];
  /** Which of the eligible candidates. @default every one of them */
  readonly selection?: VictimSelection;
}

const KIND_OF: Readonly<Record<ToxicSpec['type'], ReversibleFaultKind>> = {
  latency: 'latency',
  bandwidth: 'bandwidth',
  timeout: 'timeout',
  reset_peer: 'reset-peer',
  limit_data: 'limit-data',
  down: 'down',
};

/** `latency toxic of 1500 ms`, `down toxic`: what the blast-radius message names. */
function describeToxic(toxic: ToxicSpec): string {
  const latency = toxic.attributes?.latency;
  return toxic.type === 'latency' && latency !== undefined ? `latency toxic of ${latency} ms (safety.callerTimeout or more)` : `${toxic.type} toxic`;
}

function describeTargets(targets: ToxicTargets): string {
  const parts = [
    targets.group && `group ${targets.group}`,
    targets.region && `region ${targets.region}`,
    targets.zone && `zone ${targets.zone}`,
    targets.instances && `instances ${targets.instances.join(', ')}`,
  ].filter(Boolean);
  return parts.join(', ');
}

/** The first target that names nothing in the inventory, as an `unknown-target` refusal. */
function unknownTarget(provider: Provider, groups: readonly Group[], targets: ToxicTargets): FaultPlan | undefined {
  const instances = groups.flatMap((g) => g.instances);
  const where = ` in provider ${provider.name}`;
  const known = (values: readonly string[]) => [...new Set(values)];
  if (targets.group !== undefined && !groups.some((g) => g.name === targets.group)) {
    return refuse('unknown-target', unknownNameMessage('group', targets.group, known(groups.map((g) => g.name))) + where);
  }
  if (targets.region !== undefined && !instances.some((i) => i.region === targets.region)) {
    return refuse('unknown-target', unknownNameMessage('region', targets.region, known(instances.map((i) => i.region))) + where);
  }
  if (targets.zone !== undefined && !instances.some((i) => i.zone === targets.zone)) {
    return refuse('unknown-target', unknownNameMessage('zone', targets.zone, known(instances.map((i) => i.zone))) + where);
  }
  const missing = (targets.instances ?? []).find((id) => !instances.some((i) => i.id === id));
  if (missing !== undefined) return refuse('unknown-target', unknownNameMessage('instance', missing, known(instances.map((i) => i.id))) + where);
  return undefined;
}

/**
 * Works out a toxic fault. Candidates must be running and opted in. A toxic that only slows traffic is bounded by
 * its TTL, not by a share of the group: degrading every instance of a dependency is how fallbacks get tested. A
 * toxic that takes its instance out of service (`down`, `timeout`, `reset_peer`, `limit_data`, or a latency at or
 * beyond `callerTimeoutMs`) takes capacity away like a termination, so it follows the group blast radius, counting
 * only instances no other fault has already taken out. A target that names nothing is bad input (`unknown-target`).
 */
export async function planToxic(
  provider: Provider,
  config: SafetyConfig,
  random: Random,
  targets: ToxicTargets,
  toxic: ToxicSpec,
  context: PlanContext = { inForce: NOTHING_IN_FORCE },
): Promise<FaultPlan> {
  if (!targets.group && !targets.zone && !targets.region && !targets.instances) {
    return refuse('unknown-target', 'a toxic needs a target: a group, a zone, a region or instances');
  }
  const groups = await provider.inventory.groups();
  const unknown = unknownTarget(provider, groups, targets);
  if (unknown) return unknown;
  const groupOf = new Map<string, Group>();
  for (const group of groups) for (const instance of group.instances) groupOf.set(instance.id, group);
  const wanted = targets.instances ? new Set(targets.instances) : undefined;
  const candidates = groups
    .filter((g) => targets.group === undefined || g.name === targets.group)
    .flatMap((g) => g.instances)
    .filter(
      (i) =>
        (targets.zone === undefined || i.zone === targets.zone) &&
        (targets.region === undefined || i.region === targets.region) &&
        (wanted === undefined || wanted.has(i.id)),
    );
  const eligible = candidates.filter((i) => isEligible(i, groupOf.get(i.id)!, config));
  if (eligible.length === 0) {
    return refuse('not-eligible', `no running, opted-in instance matches ${describeTargets(targets)} (${candidates.length} matched before eligibility)`);
  }
  const picked = new Set(selectVictims(random, eligible, targets.selection ?? { mode: 'percent', percent: 100 }));
  // Inventory order, not the shuffle's: people read the targets, and every instance of a group is the common case.
  const victims = eligible.filter((i) => picked.has(i));
  if (victims.length === 0) return refuse('no-victims', `the selection picked none of ${eligible.length} eligible instance(s)`);

  const byGroup = new Map<string, Instance[]>();
  for (const victim of victims) byGroup.set(victim.group, [...(byGroup.get(victim.group) ?? []), victim]);
  const violations: string[] = [];
  const outage = takesOutOfService(toxic, config.callerTimeoutMs);
  if (outage) {
    for (const hit of byGroup.values()) {
      const verdict = checkBlastRadius(groupOf.get(hit[0]!.id)!, hit.length, config, context.inForce);
      if (!verdict.ok) violations.push(`a ${describeToxic(toxic)} takes its instances out of service: ${verdict.detail}`);
    }
  }
  const hitGroups = [...byGroup.keys()].sort();
  const scope = byGroup.size === 1 ? hitGroups[0]! : targets.zone ? `zone:${victims[0]!.region}/${targets.zone}` : `toxics:${hitGroups.join(',')}`;
  return {
    outcome: 'planned',
    fault: {
      kind: KIND_OF[toxic.type],
      scope,
      scopes: hitGroups,
      targets: victims.map((v) => v.id),
      parameters: { toxic: { type: toxic.type, stream: toxic.stream ?? 'downstream', attributes: { ...(toxic.attributes ?? {}) } } },
      ...(violations.length > 0 ? { exceedsBlastRadius: violations.join('; ') } : {}),
      act: async (_faultId, recorder) => {
        // One toxic per instance, each recorded before it is added: a failure half-way leaves nothing unrecorded.
        for (const victim of victims) await recorder.done(await provider.actuator.addToxic({ instance: victim }, toxic, recorder.options));
      },
    },
  };
}

/** A {@link ReversibleFaultRequest} for the pipeline: Latency Monkey on `targets` for `durationMs`. */
export function toxicRequest(
  config: SafetyConfig,
  random: Random,
  targets: ToxicTargets,
  toxic: ToxicSpec,
  durationMs: number,
  force = false,
): ReversibleFaultRequest {
  return { monkey: 'latency', durationMs, force, plan: (provider, context) => planToxic(provider, config, random, targets, toxic, context) };
}
