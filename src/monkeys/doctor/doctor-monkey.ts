/**
 * @module
 * Doctor Monkey: runs health checks over every running instance, reports what it finds, and treats the sick by
 * terminating them through the safety pipeline, so the platform replaces them with fresh ones. Only evidence
 * against an instance makes it sick; a check that cannot tell leaves it `unknown`, and the unknown are never
 * treated.
 */
import type { Clock } from '../../core/clock.js';
import type { Instance } from '../../core/model.js';
import type { Inventory } from '../../providers/provider.js';
import type { SafetyDecision } from '../safety/decision.js';
import type { TerminationRequest } from '../safety/safety-pipeline.js';
import { mapBounded } from './bounded-map.js';
import { runWithDeadline } from './deadline.js';
import { describeError, verdictOf, type CheckName, type Finding, type HealthCheck, type InstanceProbe, type Verdict } from './health-checks.js';

/** What the doctor found about one instance. */
export interface InstanceReport {
  readonly id: string;
  readonly group: string;
  readonly region: string;
  readonly zone: string;
  readonly verdict: Verdict;
  /** One per check that applied, in the order of the doctor's checks. */
  readonly findings: readonly Finding[];
}

/** How many instances got each verdict. */
export interface DoctorTotals {
  readonly examined: number;
  readonly healthy: number;
  readonly sick: number;
  readonly unknown: number;
}

/** One examination of the inventory. */
export interface DoctorReport {
  /** Clock time the examination started, epoch ms. */
  readonly examinedAt: number;
  /** Every running instance, in inventory order. */
  readonly instances: readonly InstanceReport[];
  readonly totals: DoctorTotals;
}

/** The pipeline's answer for the sick of one group. */
export interface Treatment {
  readonly group: string;
  /** The sick instances the doctor asked to terminate. */
  readonly ids: readonly string[];
  readonly decision: SafetyDecision;
}

/** What {@link DoctorMonkey.treat} needs of a pipeline: a {@link SafetyPipeline} is one. */
export interface TerminationPipeline {
  terminate(request: TerminationRequest): Promise<SafetyDecision>;
}

/** Options of {@link DoctorMonkey}. */
export interface DoctorMonkeyOptions {
  readonly inventory: Inventory;
  readonly checks: readonly HealthCheck[];
  /** Decides the per-check timeouts and the examination time. */
  readonly clock: Clock;
  /** How long one check may take for one instance (and a check's preparation), ms. @default 2_000 */
  readonly checkTimeoutMs?: number;
  /** How many instances are examined at once. @default 8 */
  readonly concurrency?: number;
}

/** A check ready to probe instances, or the reason it is not. */
type Prepared = { readonly name: CheckName; readonly probe: InstanceProbe } | { readonly name: CheckName; readonly failed: string };

function totalsOf(instances: readonly InstanceReport[]): DoctorTotals {
  const count = (verdict: Verdict): number => instances.filter((i) => i.verdict === verdict).length;
  return { examined: instances.length, healthy: count('healthy'), sick: count('sick'), unknown: count('unknown') };
}

/**
 * Doctor Monkey.
 *
 * @example
 * const doctor = new DoctorMonkey({ inventory: provider.inventory, clock, checks: [httpHealthCheck(), restartLoopCheck(clock)] });
 * const report = await doctor.examine();
 * const treatments = await doctor.treat(report, pipeline); // leashed pipelines only report what they would do
 */
export class DoctorMonkey {
  private readonly checkTimeoutMs: number;
  private readonly concurrency: number;

  constructor(private readonly options: DoctorMonkeyOptions) {
    this.checkTimeoutMs = options.checkTimeoutMs ?? 2_000;
    this.concurrency = options.concurrency ?? 8;
    if (!(this.checkTimeoutMs > 0)) throw new RangeError(`DoctorMonkey: checkTimeoutMs must be > 0, got ${this.checkTimeoutMs}`);
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new RangeError(`DoctorMonkey: concurrency must be a whole number >= 1, got ${this.concurrency}`);
    }
  }

  /**
   * Examines every running instance with every check. Rejects only when the inventory cannot be read; a check
   * that fails, throws or runs out of time is a finding (`unknown`), never a rejection.
   */
  async examine(): Promise<DoctorReport> {
    const { clock, inventory, checks } = this.options;
    const examinedAt = clock.now();
    const instances = await inventory.instances({ states: ['running'] });
    const prepared = await Promise.all(checks.map((check) => this.prepare(check, instances)));
    const reports = await mapBounded(instances, this.concurrency, async (instance) => {
      const findings = await Promise.all(prepared.map((check) => this.probe(check, instance)));
      const applied = findings.filter((f): f is Finding => f !== undefined);
      return {
        id: instance.id,
        group: instance.group,
        region: instance.region,
        zone: instance.zone,
        verdict: verdictOf(applied),
        findings: applied,
      } satisfies InstanceReport;
    });
    return { examinedAt, instances: reports, totals: totalsOf(reports) };
  }

  /**
   * Asks `pipeline` to terminate the sick, one request per group (so each group's blast radius and history
   * apply to its sick together), in report order. Healthy and unknown instances are never asked for. Each
   * decision is returned as it came: leashed, skipped by a guard, executed or failed.
   */
  async treat(report: DoctorReport, pipeline: TerminationPipeline): Promise<Treatment[]> {
    const sickByGroup = new Map<string, string[]>();
    for (const instance of report.instances) {
      if (instance.verdict !== 'sick') continue;
      sickByGroup.set(instance.group, [...(sickByGroup.get(instance.group) ?? []), instance.id]);
    }
    const treatments: Treatment[] = [];
    // One group at a time: every decision reads the history the previous one may have written.
    for (const [group, ids] of sickByGroup) {
      const decision = await pipeline.terminate({ monkey: 'doctor', group, selection: { mode: 'instances', ids } });
      treatments.push({ group, ids, decision });
    }
    return treatments;
  }

  private async prepare(check: HealthCheck, instances: readonly Instance[]): Promise<Prepared> {
    const result = await runWithDeadline(this.options.clock, this.checkTimeoutMs, (context) => check.prepare(instances, context));
    switch (result.status) {
      case 'fulfilled':
        return { name: check.name, probe: result.value };
      case 'rejected':
        return { name: check.name, failed: `the ${check.name} check could not start: ${describeError(result.reason)}` };
      case 'timed-out':
        return { name: check.name, failed: `the ${check.name} check could not start within ${this.checkTimeoutMs} ms` };
    }
  }

  private async probe(check: Prepared, instance: Instance): Promise<Finding | undefined> {
    if ('failed' in check) return { check: check.name, ok: 'unknown', detail: check.failed };
    const result = await runWithDeadline(this.options.clock, this.checkTimeoutMs, (context) => check.probe(instance, context));
    switch (result.status) {
      case 'fulfilled':
        return result.value === undefined ? undefined : { check: check.name, ok: result.value.ok, detail: result.value.detail };
      case 'rejected':
        return { check: check.name, ok: 'unknown', detail: `the check failed: ${describeError(result.reason)}` };
      case 'timed-out':
        return { check: check.name, ok: 'unknown', detail: `the check did not finish within ${this.checkTimeoutMs} ms` };
    }
  }
}
