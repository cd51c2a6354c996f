/**
 * @module
 * One Doctor Monkey run for any front end: examine every running instance except those under another fault (a
 * zone outage or a toxic makes healthy instances look sick; Doctor's rule in `monkeys/doctor/under-fault.ts`),
 * treat the sick through the run's safety pipeline, note the dry runs in the history.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Instance } from '../core/model.js';
import { recordDryRun } from '../monkeys/chaos/chaos-monkey.js';
import { DoctorMonkey, type DoctorReport, type Treatment } from '../monkeys/doctor/doctor-monkey.js';
import { httpHealthCheck } from '../monkeys/doctor/http-health-check.js';
import { localRegistrationCheck } from '../monkeys/doctor/local-registrations.js';
import { restartLoopCheck } from '../monkeys/doctor/restart-loop-check.js';
import { instancesUnderFaults } from '../monkeys/doctor/under-fault.js';
import type { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import type { Inventory, Provider } from '../providers/provider.js';
import type { EngineEvents } from './events.js';
import type { FaultRun } from './fault-run.js';

/** What a Doctor run found and did. */
export interface DoctorOutcome {
  readonly report: DoctorReport;
  readonly treatments: readonly Treatment[];
  /** Every instance the examination listed, by id (the report names the victims' pids from it). */
  readonly seen: ReadonlyMap<string, Instance>;
}

/** An inventory that leaves out `excluded` and remembers what it listed. */
function rememberingInventory(inventory: Inventory, seen: Map<string, Instance>, excluded: ReadonlySet<string>): Inventory {
  return {
    ...inventory,
    instances: async (filter) => {
      const listed = (await inventory.instances(filter)).filter((i) => !excluded.has(i.id));
      for (const instance of listed) seen.set(instance.id, instance);
      return listed;
    },
  };
}

/** Examines and treats once. */
export async function runDoctor(
  run: FaultRun,
  provider: Provider,
  pipeline: SafetyPipeline,
  options: { readonly clock: Clock; readonly events: EngineEvents; readonly checkTimeoutMs: number },
): Promise<DoctorOutcome> {
  const { clock, events } = options;
  const seen = new Map<string, Instance>();
  const excluded = instancesUnderFaults(run.store.activeFaults(), await provider.inventory.instances(), pipeline.config.callerTimeoutMs);
  if (excluded.size > 0) events.emit({ kind: 'notice', at: clock.now(), message: `not examining ${[...excluded].join(', ')}: under an active fault` });
  const doctor = new DoctorMonkey({
    inventory: rememberingInventory(provider.inventory, seen, excluded),
    clock,
    checkTimeoutMs: options.checkTimeoutMs,
    checks: [httpHealthCheck(), localRegistrationCheck(), restartLoopCheck(clock)],
  });
  const report = await doctor.examine();
  const treatments = await doctor.treat(report, pipeline);
  for (const { group, decision } of treatments) {
    try {
      recordDryRun(run.store, decision, { monkey: 'doctor', provider: provider.name, group });
    } catch (error) {
      events.emit({ kind: 'warning', at: clock.now(), message: `the dry run was not recorded: ${errorMessage(error)}` });
    }
  }
  return { report, treatments, seen };
}
