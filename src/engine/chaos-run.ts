/**
 * @module
 * One Chaos Monkey run for any front end: the group (given, or one at random among those the blast radius allows),
 * the termination through the run's safety pipeline, the dry run noted in the history, and the victims with the
 * process ids they had.
 */
import { errorMessage, SimianError } from '../core/errors.js';
import type { Random } from '../core/random.js';
import type { Clock } from '../core/clock.js';
import { chooseGroup, recordDryRun } from '../monkeys/chaos/chaos-monkey.js';
import type { SafetyDecision } from '../monkeys/safety/decision.js';
import type { VictimSelection } from '../monkeys/safety/victim-selection.js';
import type { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import { PID_TAG } from '../providers/local/local-provider.js';
import type { Provider } from '../providers/provider.js';
import type { EngineEvents } from './events.js';
import type { FaultRun } from './fault-run.js';

/** A victim of a termination (or the one a leashed run would have taken), with its process id where it has one. */
export interface Victim {
  readonly id: string;
  readonly pid: number | undefined;
}

/** What a Chaos Monkey run decided. */
export interface ChaosOutcome {
  readonly group: string;
  readonly decision: SafetyDecision;
  readonly victims: readonly Victim[];
}

/** The victims of a decision, with the pids the inventory showed. */
export function victimsOf(decision: SafetyDecision, pids: ReadonlyMap<string, string | undefined>): Victim[] {
  const targets = decision.outcome === 'skipped' ? (decision.fault?.targets ?? []) : decision.fault.targets;
  return targets.map((id) => {
    const pid = pids.get(id);
    return { id, pid: pid === undefined ? undefined : Number(pid) };
  });
}

/**
 * Runs Chaos Monkey once on `provider` through `pipeline` (opened on `run`).
 *
 * @throws SimianError `monkey.noGroups` when no group may be hit
 */
export async function runChaos(
  run: FaultRun,
  provider: Provider,
  pipeline: SafetyPipeline,
  options: {
    readonly clock: Clock;
    readonly random: Random;
    readonly events: EngineEvents;
    readonly group?: string;
    readonly selection: VictimSelection;
    readonly signal: 'SIGKILL' | 'SIGTERM';
  },
): Promise<ChaosOutcome> {
  const groups = await provider.inventory.groups();
  const group = options.group ?? chooseGroup(options.random, groups, pipeline.config);
  if (group === undefined) throw new SimianError('monkey.noGroups', `provider ${provider.name} has no group with an instance the blast radius allows to hit`);
  const pids = new Map(groups.flatMap((g) => g.instances.map((i) => [i.id, i.tags[PID_TAG]] as const)));
  const decision = await pipeline.terminate({ monkey: 'chaos', group, selection: options.selection, signal: options.signal });
  try {
    recordDryRun(run.store, decision, { monkey: 'chaos', provider: provider.name, group });
  } catch (error) {
    options.events.emit({ kind: 'warning', at: options.clock.now(), message: `the dry run was not recorded: ${errorMessage(error)}` });
  }
  return { group, decision, victims: victimsOf(decision, pids) };
}
