/**
 * @module
 * One action of the method. Faults go through the safety pipeline exactly as the monkeys' own commands send them
 * (Chaos Monkey, Gorilla, Kong, Latency), so every guard applies and the pipeline's typed decision is what the
 * journal records. An HTTP call or a process in the method can do anything a fault can (`sh -c 'kill …'`), so it
 * answers to the same two levers: leashed (a dry run), it does not run; with the kill switch engaged, it does not
 * run and the run stops.
 */
import type { Clock } from '../core/clock.js';
import type { Fault, Instance } from '../core/model.js';
import type { Random } from '../core/random.js';
import { regionEvacuationRequest } from '../monkeys/kong/chaos-kong.js';
import { zoneOutageRequest } from '../monkeys/gorilla/chaos-gorilla.js';
import { toxicRequest, type ToxicTargets } from '../monkeys/latency/latency-monkey.js';
import type { SafetyDecision } from '../monkeys/safety/decision.js';
import { eligibleInstances } from '../monkeys/safety/eligibility.js';
import type { SafetyConfig } from '../monkeys/safety/safety-config.js';
import type { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import { selectVictims, type VictimSelection } from '../monkeys/safety/victim-selection.js';
import type { Provider } from '../providers/provider.js';
import type { ChaosSpec, ControlSpec, LatencySpec, MethodAction, PlacedAction } from './experiment.js';
import { journalDecision, type ActionRecord } from './journal.js';
import { describeActivity, runActivity, type ActivityContext } from './probes.js';
import { isoTime } from './steady-state.js';

/** What running an action needs; the runner builds it once per run. */
export interface ActionContext {
  readonly clock: Clock;
  readonly random: Random;
  readonly dryRun: boolean;
  /** The provider of actions that name none. */
  readonly defaultProvider: string;
  readonly control?: ControlSpec;
  /** The safety configuration the pipelines run with (the run's leash and blast radius). */
  readonly safety: SafetyConfig;
  /** Providers resolved when the targets were validated. */
  provider(name: string): Provider;
  /** One pipeline per provider for the whole run, so that its history guards see the run's own faults. */
  pipeline(provider: Provider): SafetyPipeline;
  /** Regions this run evacuated and has not restored: they do not count as healthy for the next Kong. */
  evacuatedRegions(): readonly string[];
  /** Whether the kill switch is engaged now (a switch that cannot be checked counts as engaged). */
  killSwitchEngaged(): Promise<boolean>;
  /** Told of every fault the pipeline executed (or that failed half-way), for rollbacks and recovery. */
  onFault(fault: Fault, provider: string): void;
  readonly activity: ActivityContext;
}

function selectionOf(chaos: ChaosSpec): VictimSelection {
  if (chaos.count !== undefined) return { mode: 'fixed', count: chaos.count };
  if (chaos.percent !== undefined) return { mode: 'percent', percent: chaos.percent };
  return { mode: 'one' };
}

/** Whether `instance` belongs to the experiment group of `control`. */
export function inExperimentGroup(instance: Instance, control: ControlSpec): boolean {
  const key = control.by === 'zone' ? instance.zone : control.by === 'region' ? instance.region : instance.id;
  return control.experiment.includes(key);
}

/**
 * The victims of a termination restricted to the experiment group: picked here among the eligible members of the
 * group (with the same selection rules the pipeline uses), then handed to the pipeline by id so that every guard,
 * blast radius included, still judges them against the whole group.
 */
async function controlledSelection(provider: Provider, chaos: ChaosSpec, context: ActionContext): Promise<VictimSelection> {
  const control = context.control!;
  const group = (await provider.inventory.groups()).find((g) => g.name === chaos.group);
  if (!group) return selectionOf(chaos);
  const candidates = eligibleInstances(group, context.safety).filter((i) => inExperimentGroup(i, control));
  return { mode: 'instances', ids: selectVictims(context.random, candidates, selectionOf(chaos)).map((i) => i.id) };
}

/** The toxic's targets, narrowed to the experiment group's instances when there is a control group. */
async function latencyTargets(provider: Provider, latency: LatencySpec, context: ActionContext): Promise<ToxicTargets> {
  const targets: ToxicTargets = {
    ...(latency.group !== undefined ? { group: latency.group } : {}),
    ...(latency.zone !== undefined ? { zone: latency.zone } : {}),
    ...(latency.region !== undefined ? { region: latency.region } : {}),
    ...(latency.instances !== undefined ? { instances: latency.instances } : {}),
    ...(latency.percent !== undefined ? { selection: { mode: 'percent', percent: latency.percent } } : {}),
  };
  const control = context.control;
  if (!control) return targets;
  const members = (await provider.inventory.instances()).filter((i) => inExperimentGroup(i, control)).map((i) => i.id);
  const allowed = latency.instances ? members.filter((id) => latency.instances!.includes(id)) : members;
  return { ...targets, instances: allowed };
}

async function decide(action: Extract<MethodAction, { kind: 'chaos' | 'gorilla' | 'kong' | 'latency' }>, provider: Provider, context: ActionContext): Promise<SafetyDecision> {
  const pipeline = context.pipeline(provider);
  const config = pipeline.config;
  const duration = action.durationMs ?? 0;
  switch (action.kind) {
    case 'chaos': {
      const selection = context.control ? await controlledSelection(provider, action.chaos, context) : selectionOf(action.chaos);
      return pipeline.terminate({ monkey: 'chaos', group: action.chaos.group, selection, signal: action.chaos.signal });
    }
    case 'gorilla':
      return pipeline.inject(zoneOutageRequest(config, action.gorilla, duration));
    case 'kong':
      return pipeline.inject(regionEvacuationRequest(config, action.kong.region, duration, { force: action.kong.force, alreadyEvacuated: context.evacuatedRegions() }));
    case 'latency':
      return pipeline.inject(toxicRequest(config, context.random, await latencyTargets(provider, action.latency, context), action.latency.toxic, duration));
  }
}

function describeDecision(decision: SafetyDecision): string {
  switch (decision.outcome) {
    case 'executed':
      return `${decision.fault.kind} on ${decision.fault.targets.join(', ')} [${decision.fault.id}]`;
    case 'skipped':
      return `skipped (${decision.reason}): ${decision.detail}`;
    case 'failed':
      return `failed: ${decision.error instanceof Error ? decision.error.message : String(decision.error)} (already hit: ${decision.affected.join(', ') || 'none'})`;
  }
}

/**
 * Runs one action (its pauses are the runner's) and returns its journal record with the raw decision. Never
 * throws for the action's sake: a provider or pipeline that errors is a `failed` or `skipped` record.
 */
export async function runAction(
  placed: PlacedAction,
  context: ActionContext,
): Promise<{ readonly record: ActionRecord; readonly decision?: SafetyDecision; readonly killSwitch?: boolean }> {
  const { action, step } = placed;
  const startedAt = isoTime(context.clock.now());
  const finish = (fields: Pick<ActionRecord, 'outcome' | 'detail'> & Partial<ActionRecord>): ActionRecord => ({
    step,
    name: action.name,
    kind: action.kind,
    startedAt,
    endedAt: isoTime(context.clock.now()),
    ...fields,
  });

  if (action.kind === 'http' || action.kind === 'process') {
    const what = describeActivity(action);
    if (context.dryRun) return { record: finish({ outcome: 'skipped', detail: `leashed: would run ${what}` }) };
    if (await context.killSwitchEngaged()) {
      return { record: finish({ outcome: 'skipped', detail: `the kill switch is engaged: did not run ${what}` }), killSwitch: true };
    }
    const result = await runActivity(action, context.activity);
    // Cut short because the run was stopped: not the action's failure.
    if (result.aborted) return { record: finish({ outcome: 'skipped', detail: `${result.detail} (the run was stopped)`, result }) };
    return { record: finish({ outcome: result.ok ? 'executed' : 'failed', detail: result.detail, result }) };
  }

  const providerName = action.provider ?? context.defaultProvider;
  let decision: SafetyDecision;
  try {
    const provider = context.provider(providerName);
    decision = await decide(action, provider, context);
  } catch (error) {
    // The pipeline never throws for a guard's sake; anything here (an inventory read while narrowing to the
    // experiment group) happened before any fault: nothing was touched.
    decision = { outcome: 'skipped', reason: 'check-failed', detail: `cannot plan the fault: ${error instanceof Error ? error.message : String(error)}`, error };
  }
  if (decision.outcome !== 'skipped') context.onFault(decision.fault, providerName);
  const outcome = decision.outcome;
  return { record: finish({ outcome, detail: describeDecision(decision), provider: providerName, decision: journalDecision(decision) }), decision };
}
