/**
 * @module
 * Every HTTP call and process an experiment file will make, and where: what `simian experiment validate` lists,
 * so that a command inside a file (an imported Chaos Toolkit `sh -c …`) never runs unseen.
 */
import { methodActions, type Activity, type Experiment } from './experiment.js';
import { describeActivity } from './probes.js';

/** One activity of a file: where it sits and what it does. */
export interface ListedActivity {
  /** `steady-state probe "the front door answers"`, `method step 2 "restart"`, `rollback 1 "restore"` … */
  readonly where: string;
  /** `process sh -c 'kill 1'`, `http POST ${frontDoor}/admin/…`: variables as written. */
  readonly what: string;
  readonly kind: 'http' | 'process';
}

/** Every activity of `experiment`, in the order a run meets them (stop conditions among the method's). */
export function listActivities(experiment: Experiment): ListedActivity[] {
  const listed: ListedActivity[] = [];
  const add = (where: string, activity: Activity) => listed.push({ where, what: describeActivity(activity), kind: activity.kind });
  for (const probe of experiment.steadyState.probes) add(`steady-state probe "${probe.name}"`, probe);
  for (const { action, step } of methodActions(experiment)) {
    if (action.kind === 'http') add(`method step ${step} "${action.name}"`, { kind: 'http', name: action.name, http: action.http });
    if (action.kind === 'process') add(`method step ${step} "${action.name}"`, { kind: 'process', name: action.name, process: action.process });
  }
  for (const condition of experiment.stopConditions.conditions) {
    if (condition.kind === 'http') add(`stop condition "${condition.name}"`, { kind: 'http', name: condition.name, http: condition.http });
    if (condition.kind === 'process') add(`stop condition "${condition.name}"`, { kind: 'process', name: condition.name, process: condition.process });
  }
  for (const [i, rollback] of experiment.rollbacks.entries()) add(`rollback ${i + 1} "${rollback.name}"`, rollback);
  return listed;
}
