/**
 * @module
 * `simian monkey doctor`: Doctor Monkey over the running reference stack. It examines every running instance
 * (HTTP health, discovery registration, restart loops), prints the sick and the unknown, and asks the safety
 * pipeline to terminate the sick (leashed, a dry run, unless `--unleash`) so the supervisor replaces them.
 */
import { Command, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import type { Instance } from '../../core/model.js';
import type { DoctorReport, InstanceReport, Treatment } from '../../monkeys/doctor/doctor-monkey.js';
import { victimsOf } from '../../engine/chaos-run.js';
import { runDoctor as runDoctorInEngine } from '../../engine/doctor-run.js';
import type { Finding } from '../../monkeys/doctor/health-checks.js';
import { PID_TAG } from '../../providers/local/local-provider.js';
import { errorText, formatDecisionReport, type DecisionReport } from '../decision-report.js';
import { addCommonOptions, type CommonMonkeyFlags } from './common-options.js';
import { openMonkeySession } from './monkey-session.js';
import { parseDuration } from '../parsers.js';
import type { CommandDeps } from '../command-deps.js';
import { formatTable } from '../table.js';

/** The providers `monkey doctor --provider` accepts: the registration check knows the local stack's discovery. */
export const DOCTOR_PROVIDERS = ['local'] as const;

/** The flags of `monkey doctor`, as commander hands them over. */
export interface DoctorFlags extends CommonMonkeyFlags {
  /** Per-check timeout, ms. */
  timeout: number;
}

/** What one `monkey doctor` run did: `--json` prints it. */
export interface DoctorRun {
  readonly monkey: 'doctor';
  readonly provider: string;
  readonly leashed: boolean;
  readonly report: DoctorReport;
  /** One decision per group with sick instances, as a {@link DecisionReport} scoped to the group. */
  readonly treatments: readonly DecisionReport[];
}

function formatFinding(finding: Finding): string {
  return finding.ok === 'unknown' ? `${finding.check} (cannot tell): ${finding.detail}` : `${finding.check}: ${finding.detail}`;
}

/** The findings worth a reader's eye: failed and inconclusive ones. */
function notableFindings(instance: InstanceReport): string {
  const notable = instance.findings.filter((f) => f.ok !== true);
  return notable.length === 0 ? 'no check applied' : notable.map(formatFinding).join('; ');
}

function table(rows: readonly (readonly string[])[]): string {
  return formatTable(rows[0]!, rows.slice(1));
}

/** The report for people: a table of the sick and the unknown with their findings, then the decisions. */
export function formatDoctorRun(run: DoctorRun): string {
  const { report } = run;
  const { totals } = report;
  if (totals.examined === 0) return 'no running instance to examine\n';
  let text: string;
  const patients = report.instances.filter((i) => i.verdict !== 'healthy');
  if (patients.length === 0) {
    text = `all ${totals.examined} instances healthy\n`;
  } else {
    text = `examined ${totals.examined} instances: ${totals.healthy} healthy, ${totals.sick} sick, ${totals.unknown} unknown\n`;
    text += table([['INSTANCE', 'GROUP', 'ZONE', 'VERDICT', 'FINDINGS'], ...patients.map((i) => [i.id, i.group, i.zone, i.verdict, notableFindings(i)])]);
  }
  if (run.treatments.length > 0) {
    text += `treatment${run.leashed ? ' (leashed: nothing is terminated without --unleash)' : ''}:\n`;
    text += run.treatments.map(formatDecisionReport).join('');
  }
  return text;
}

/** JSON with errors reduced to their name and message (decisions carry raw errors). */
function doctorRunJson(run: DoctorRun): string {
  return `${JSON.stringify(run, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value), 2)}\n`;
}

function decisionReportOf(treatment: Treatment, run: { provider: string; leashed: boolean }, seen: ReadonlyMap<string, Instance>): DecisionReport {
  const { decision } = treatment;
  const victims = victimsOf(decision, new Map([...seen].map(([id, instance]) => [id, instance.tags[PID_TAG]])));
  return { monkey: 'doctor', provider: run.provider, scope: treatment.group, leashed: run.leashed, decision, victims };
}

/**
 * Runs `monkey doctor` once: examine, treat the sick through the pipeline, print. Finding sick instances is a
 * successful run; a termination that fails is not.
 *
 * @throws {SimianError} `stack.notRunning` without a running stack, `monkey.actionFailed` when a termination failed.
 */
export async function runDoctor(deps: CommandDeps, flags: DoctorFlags): Promise<DoctorRun> {
  const session = await openMonkeySession(deps, flags);
  try {
    const { provider, pipeline, config } = session;
    const { report, treatments, seen } = await runDoctorInEngine(session.run, provider, pipeline, { clock: deps.clock, events: session.events, checkTimeoutMs: flags.timeout });
    const context = { provider: provider.name, leashed: config.leashed };
    const run: DoctorRun = { monkey: 'doctor', ...context, report, treatments: treatments.map((t) => decisionReportOf(t, context, seen)) };
    deps.writeOut(flags.json ? doctorRunJson(run) : formatDoctorRun(run));
    const failures = treatments.flatMap((t) => (t.decision.outcome === 'failed' ? [{ group: t.group, error: t.decision.error }] : []));
    if (failures.length > 0) {
      const what = failures.map((f) => `${f.group}: ${errorText(f.error)}`).join('; ');
      throw new SimianError('monkey.actionFailed', `the treatment failed (${what})`, { cause: failures[0]!.error });
    }
    return run;
  } finally {
    await session.close();
  }
}

/**
 * The `doctor` subcommand of `simian monkey`.
 *
 * @example
 * new Command('monkey').addCommand(doctorSubcommand(deps)); // simian monkey doctor --provider local --unleash
 */
export function doctorSubcommand(deps: CommandDeps): Command {
  const command = new Command('doctor')
    .description(
      'Doctor Monkey: health-check every running instance (/health, discovery registration, restart loops) and terminate the sick ' +
        '(the platform replaces them); instances under another monkey\'s active fault are left alone',
    )
    .addOption(new Option('--timeout <duration>', 'how long one check may take for one instance (500ms, 2s)').argParser(parseDuration).default(2_000, '2s'));
  addCommonOptions(command, DOCTOR_PROVIDERS);
  return command.action(async (flags: DoctorFlags) => {
    await runDoctor(deps, flags);
  });
}
