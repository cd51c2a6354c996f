/**
 * @module
 * `simian experiment run|validate|import`: run an experiment file and write its journal and Markdown report, check
 * files without running them, and convert Chaos Toolkit experiments.
 *
 * Exit status of `run`: 0 completed and the steady state held (or a dry run that would inject every fault); 1
 * failed, aborted or deviated; 2 bad input (nothing was done); 3 not tested (a fault was skipped by a guard, or
 * the run was leashed); 130 / 143 interrupted by SIGINT / SIGTERM (the faults were reverted and the rollbacks ran).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SimianConfig } from '../../config/simian-config.js';
import { InvalidInputError, SimianError } from '../../core/errors.js';
import { makePrivateDir } from '../../core/private-files.js';
import { FaultReverter } from '../../monkeys/revert/fault-reverter.js';
import type { Provider } from '../../providers/provider.js';
import type { StackState } from '../../reference-stack/stack/stack-state.js';
import { readStackToken } from '../../reference-stack/stack/stack-token.js';
import { importChaosToolkitFile } from '../../runner/chaos-toolkit-import.js';
import { listActivities, type ListedActivity } from '../../runner/activity-list.js';
import { isFaultAction, methodActions, type Experiment } from '../../runner/experiment.js';
import { runExperiment } from '../../runner/experiment-runner.js';
import { journalVerdict, writeJournal, type Journal } from '../../runner/journal.js';
import { loadExperiment, parseExperiment } from '../../runner/load-experiment.js';
import { resolveSlos, SLO_UNAVAILABLE } from '../../runner/prepare.js';
import { markdownReport } from '../../runner/report.js';
import { stateStoreFaults, type PrometheusQuery, type RunnerDeps, type SloLoader } from '../../runner/runner-deps.js';
import { loadSloFile } from '../../slo/load-slo-file.js';
import { PrometheusClient } from '../../slo/prometheus-client.js';
import { PrometheusSliSource } from '../../slo/prometheus-sli-source.js';
import type { SliSource } from '../../slo/sli-source.js';
import { outageCheckFor } from '../outage-check-wiring.js';
import { instantQuery, runningStack, scrapeStack } from '../stack-sli.js';
import { StateStore } from '../../state/state-store.js';
import { reportRecovered } from '../monkeys/monkey-session.js';
import { providerSettings } from '../monkeys/common-options.js';
import type { SignalSource } from '../monkeys/hold-fault.js';
import { parseHttpUrl } from '../parsers.js';
import type { CommandDeps, CommandFactory } from '../program.js';
import { createProvider, providerForRevert } from '../provider-factory.js';
import { addConfigOptions, resolveCommandConfig, type ConfigContext, type ConfigOptionValues } from './config.js';

/** The exit code a shell expects after each signal. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;


interface RunFlags extends ConfigOptionValues {
  json?: boolean;
  journal?: string;
  dryRun?: boolean;
  prometheus?: string;
  var?: Record<string, string>;
}

/** The runner's dependencies for one run, and how to let go of them. */
export interface RunnerSession {
  readonly deps: RunnerDeps;
  close(): Promise<void>;
}

/** What {@link defaultRunnerDeps} is given. */
export interface RunnerDepsOptions {
  readonly config: SimianConfig;
  readonly experiment: Experiment;
  /** `--prometheus`; absent: the stack's own Prometheus if it started one, else direct scrapes. */
  readonly prometheusUrl?: string;
  /** `--var name=value`, over the running stack's variables. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Builds a run's dependencies; tests replace it. */
export type RunnerDepsFactory = (deps: CommandDeps, options: RunnerDepsOptions) => Promise<RunnerSession>;

/** The SLO side of a run: the loader, the SLI source, a PromQL instant query, and how the baseline is scored. */
export interface SloWiring {
  readonly loadSlos: SloLoader;
  readonly sli?: SliSource;
  readonly prometheus?: PrometheusQuery;
  readonly baseline: 'history' | 'observe';
  close(): Promise<void>;
}

/**
 * The variables a running stack gives every experiment: `${frontDoor}`, `${toxiproxy}`, `${stackAdmin}`,
 * `${prometheus}`, and `${stackToken}` for the routes that change the stack (`Authorization: Bearer ${stackToken}`),
 * which journals and reports show as `[redacted]`.
 */
export function stackVariables(stack: StackState | undefined, stackToken?: string): Record<string, string> {
  if (!stack) return {};
  return {
    ...(stack.frontDoorUrl ? { frontDoor: stack.frontDoorUrl } : {}),
    toxiproxy: stack.toxiproxyUrl,
    stackAdmin: stack.adminUrl,
    ...(stack.prometheusUrl ? { prometheus: stack.prometheusUrl } : {}),
    ...(stackToken ? { stackToken } : {}),
  };
}

function usesSlos(experiment: Experiment): boolean {
  return experiment.steadyState.slos.length > 0 || experiment.stopConditions.conditions.some((c) => c.kind === 'burnRate');
}

/**
 * The SLO sources of a run. With a Prometheus (`--prometheus`, or the one `simian stack up --prometheus` started)
 * SLIs and PromQL checks ask it, and the steady state before scores the window that ends at the start. Without
 * one, SLIs come from direct scrapes of the running stack, which follow replaced instances; they keep no history,
 * so the runner first watches the SLO window (`baseline: 'observe'`).
 *
 * @throws SimianError `experiment.sloUnavailable` (exit 2) when the experiment checks SLOs and there is neither a
 *   Prometheus nor a running stack to scrape
 */
export async function sloSourceFor(deps: CommandDeps, options: { readonly experiment: Experiment; readonly prometheusUrl?: string; readonly stack: StackState | undefined }): Promise<SloWiring> {
  const loadSlos: SloLoader = (path) => loadSloFile(path);
  const prometheusUrl = options.prometheusUrl ?? options.stack?.prometheusUrl;
  if (prometheusUrl) {
    const client = new PrometheusClient({ url: prometheusUrl, clock: deps.clock });
    return { loadSlos, sli: new PrometheusSliSource(client), prometheus: instantQuery(client), baseline: 'history', close: async () => undefined };
  }
  if (!usesSlos(options.experiment)) return { loadSlos, baseline: 'history', close: async () => undefined };
  const stack = options.stack;
  if (!stack) {
    throw new SimianError(SLO_UNAVAILABLE, `${options.experiment.source?.file ?? 'the experiment'} checks SLOs: give a Prometheus (--prometheus URL) or start the stack ("simian stack up") to scrape it directly`, { exitCode: 2 });
  }
  const { slos } = await resolveSlos(options.experiment, loadSlos);
  const scrapes = await scrapeStack(deps, stack, slos.map((s) => s.slo));
  return { loadSlos, sli: scrapes.sli, baseline: 'observe', close: () => scrapes.close() };
}

/**
 * The dependencies of a real run: the providers of `simian.yaml` (built when first named), the state store and the
 * fault reverter (which first undoes what a dead `simian` left behind) only when the method injects faults, the
 * running stack's variables, and the SLO sources, which are wired by {@link sloSourceFor}.
 */
export async function defaultRunnerDeps(deps: CommandDeps, options: RunnerDepsOptions): Promise<RunnerSession> {
  const { config, experiment } = options;
  const stack = runningStack(config.stateDir);
  const stackToken = stack ? readStackToken(config.stateDir) : undefined;
  const settings = providerSettings(config);
  const providers = new Map<string, Provider>();
  const provider = (name: string): Provider => {
    let found = providers.get(name);
    if (!found) providers.set(name, (found = createProvider(name, settings, deps)));
    return found;
  };
  const closers: Array<() => Promise<void> | void> = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    let faults: RunnerDeps['faults'];
    if (methodActions(experiment).some(({ action }) => isFaultAction(action))) {
      makePrivateDir(dirname(config.stateStorePath));
      const store = StateStore.open(config.stateStorePath, { clock: deps.clock });
      closers.push(() => store.close());
      const reverter = new FaultReverter({
        store,
        clock: deps.clock,
        actuators: (name) => providers.get(name)?.actuator ?? providerForRevert(name, settings, deps).actuator,
      });
      closers.push(async () => {
        // A TTL that just fired must finish its revert before the store closes.
        await reverter.settled();
        reverter.dispose();
      });
      reportRecovered(deps, await reverter.recover());
      const outage = await outageCheckFor(deps, config);
      closers.push(() => outage.close());
      if (outage.source !== 'off') deps.writeErr(`simian: outage check: ${outage.source}\n`);
      faults = stateStoreFaults({
        outageCheck: outage.check,
        store,
        reverter,
        clock: deps.clock,
        random: deps.random,
        ownerPid: process.pid,
        warn: (message) => deps.writeErr(`simian: warning: ${message}\n`),
      });
    }
    const slo = await sloSourceFor(deps, { experiment, stack, ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}) });
    closers.push(() => slo.close());
    return {
      deps: {
        clock: deps.clock,
        random: deps.random,
        providers: provider,
        ...(faults ? { faults } : {}),
        safety: config.safety,
        loadSlos: slo.loadSlos,
        ...(slo.sli ? { sli: slo.sli } : {}),
        ...(slo.prometheus ? { prometheus: slo.prometheus } : {}),
        baseline: slo.baseline,
        variables: { ...stackVariables(stack, stackToken), ...options.variables },
        ...(stackToken ? { secrets: [stackToken] } : {}),
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function collectVariable(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected name=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}

/** `<stateDir>/journals/<file name>-<start time>.json`: one journal per run, never overwritten. */
export function defaultJournalPath(stateDir: string, experimentFile: string, startedAt: number): string {
  const stem = basename(experimentFile, extname(experimentFile));
  const stamp = new Date(startedAt).toISOString().replace(/[:.]/g, '').replace(/-/g, '');
  return join(stateDir, 'journals', `${stem}-${stamp}.json`);
}

/** The exit status of a run that was not tested: like an inconclusive `slo check`, neither a pass nor a failure. */
export const NOT_TESTED_EXIT_CODE = 3;

/** A few lines for people: the verdict, each action, where the journal is. */
export function formatSummary(journal: Journal, paths: { journal: string; report: string }): string {
  const lines = [`${journal.experiment.title}: ${journalVerdict(journal)}${journal.dryRun ? ' (dry run: nothing was injected)' : ''}`];
  if (journal.reason) lines.push(`  reason: ${journal.reason}`);
  for (const action of journal.method.actions) lines.push(`  step ${action.step} ${action.name}: ${action.detail}`);
  const r = journal.recovery;
  if (r.timeToDetectMs !== null) lines.push(`  time to detect: ${r.timeToDetectMs} ms`);
  if (r.timeToRecoverMs !== null) lines.push(`  time to recover: ${r.timeToRecoverMs} ms`);
  lines.push(`  journal: ${paths.journal}`, `  report:  ${paths.report}`);
  return `${lines.join('\n')}\n`;
}

/** Options of {@link createExperimentCommand}, for tests. */
export interface ExperimentCommandOptions {
  /** @default defaultRunnerDeps */
  readonly runnerDeps?: RunnerDepsFactory;
  /** Where SIGINT and SIGTERM come from. @default process */
  readonly signals?: SignalSource;
  /** Where the configuration is read from. @default the real process's */
  readonly context?: () => ConfigContext;
}

async function run(deps: CommandDeps, options: ExperimentCommandOptions, file: string, flags: RunFlags): Promise<void> {
  const experiment = await loadExperiment(file);
  const config = await resolveCommandConfig(flags, options.context?.() ?? {});
  const session = await (options.runnerDeps ?? defaultRunnerDeps)(deps, {
    config,
    experiment,
    variables: flags.var ?? {},
    ...(flags.prometheus ? { prometheusUrl: flags.prometheus } : {}),
  });
  const signals = options.signals ?? process;
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const listeners = (['SIGINT', 'SIGTERM'] as const).map((signal) => {
    const listener = () => {
      received ??= signal;
      deps.writeErr(`simian: ${signal}: stopping the experiment; reverting its faults and running its rollbacks\n`);
      controller.abort(new Error(signal));
    };
    signals.once(signal, listener);
    return [signal, listener] as const;
  });
  let journal: Journal;
  try {
    journal = await runExperiment(experiment, {
      ...session.deps,
      signal: controller.signal,
      dryRun: flags.dryRun === true,
      log: (line) => deps.writeErr(`simian: ${line}\n`),
    });
  } finally {
    for (const [signal, listener] of listeners) signals.removeListener(signal, listener);
    await session.close();
  }
  const journalPath = resolve(flags.journal ?? defaultJournalPath(config.stateDir, file, Date.parse(journal.startedAt)));
  const paths = await writeJournal(journalPath, journal, markdownReport(journal));
  deps.writeOut(flags.json ? `${JSON.stringify(journal, null, 2)}\n` : formatSummary(journal, paths));
  if (flags.json) deps.writeErr(`simian: journal ${paths.journal}, report ${paths.report}\n`);

  if (journal.status === 'interrupted') {
    const signal = received ?? 'SIGINT';
    throw new SimianError('experiment.interrupted', `interrupted by ${signal}; faults reverted, rollbacks run (journal ${paths.journal})`, { exitCode: SIGNAL_EXIT_CODES[signal] });
  }
  if (journal.status === 'not-tested') {
    throw new SimianError('experiment.notTested', `${journalVerdict(journal)}: ${journal.reason ?? ''} (journal ${paths.journal})`, { exitCode: NOT_TESTED_EXIT_CODE });
  }
  if (journal.status !== 'completed') throw new SimianError(`experiment.${journal.status}`, `${journal.status}: ${journal.reason ?? ''} (journal ${paths.journal})`);
  if (journal.deviated) throw new SimianError('experiment.deviated', `deviated: ${journal.reason ?? ''} (journal ${paths.journal})`);
}

/** What `experiment validate --json` prints for one file. */
export interface ValidatedFile {
  readonly file: string;
  readonly ok: boolean;
  readonly problem?: string;
  /** Every HTTP call and process the file will make, and where. */
  readonly activities?: readonly ListedActivity[];
}

async function validate(deps: CommandDeps, files: readonly string[], flags: { json?: boolean }): Promise<void> {
  const problems: string[] = [];
  const results: ValidatedFile[] = [];
  for (const file of files) {
    try {
      const experiment = await loadExperiment(file);
      const { slos } = await resolveSlos(experiment, (path) => loadSloFile(path));
      const steps = methodActions(experiment);
      const { queries, probes } = experiment.steadyState;
      const activities = listActivities(experiment);
      results.push({ file, ok: true, activities });
      if (flags.json) continue;
      deps.writeOut(`${file}: ok (${steps.length} action(s), ${slos.length} SLO(s), ${queries.length + probes.length} other check(s), ${experiment.stopConditions.conditions.length} stop condition(s))\n`);
      // Nothing in a file runs unseen: every call and command it makes, before anyone runs it.
      for (const activity of activities) deps.writeOut(`  ${activity.kind === 'process' ? 'runs ' : 'calls'} ${activity.what.replace(/^(process|http) /, '')}  (${activity.where})\n`);
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      problems.push(error.message);
      results.push({ file, ok: false, problem: error.message });
    }
  }
  if (flags.json) deps.writeOut(`${JSON.stringify(results, null, 2)}\n`);
  if (problems.length > 0) throw new InvalidInputError('experiment.invalid', problems.join('\n'));
}

async function importCommand(deps: CommandDeps, file: string, flags: { out?: string }): Promise<void> {
  const imported = await importChaosToolkitFile(file);
  for (const note of imported.notes) deps.writeErr(`simian: note: ${note}\n`);
  // An imported file may run commands (Chaos Toolkit's process provider): say which, before anyone runs it.
  for (const activity of listActivities(parseExperiment(imported.yaml, flags.out ?? file, imported.baseDir))) {
    if (activity.kind === 'process') deps.writeErr(`simian: note: the converted experiment runs ${activity.what.replace(/^process /, '')} (${activity.where})\n`);
  }
  if (flags.out) {
    await mkdir(dirname(resolve(flags.out)), { recursive: true });
    await writeFile(flags.out, imported.yaml);
    deps.writeErr(`simian: wrote ${flags.out}\n`);
  } else deps.writeOut(imported.yaml);
}

/** Builds the `experiment` command with its seams injected; {@link experimentCommand} uses the real ones. */
export function createExperimentCommand(options: ExperimentCommandOptions = {}): CommandFactory {
  return (deps) => {
    const experiment = new Command('experiment').description('Run chaos experiments with a steady-state hypothesis, stop conditions and rollbacks (docs/experiments.md)');

    addConfigOptions(
      experiment
        .command('run')
        .description('Run an experiment file; write its journal (JSON) and a Markdown report beside it')
        .argument('<file>', 'the experiment (YAML)')
        .option('--json', 'print the journal as JSON instead of a summary')
        .option('--journal <path>', 'where to write the journal (default: <state dir>/journals/<file>-<time>.json); the report is <path> with .md')
        .option('--dry-run', 'leashed even if unleashed: evaluate every guard for each fault and show what would happen, act on nothing')
        .addOption(new Option('--prometheus <url>', "score SLOs and run PromQL checks with this Prometheus (default: the stack's own, else direct scrapes)").argParser(parseHttpUrl))
        .option('--var <name=value>', 'a value for ${name} in the file (repeat for several)', collectVariable),
    )
      .addHelpText(
        'after',
        '\nLeashed by default, like every monkey: without --unleash (or leashed: false in simian.yaml) a run only shows\n' +
          'what each fault would meet, and injects nothing. Every guard applies (kill switch, outage check, opt-in,\n' +
          'blast radius, history); the file\'s blast-radius may tighten simian.yaml\'s limits, never loosen them.\n' +
          'Engaging the kill switch during a run reverts its faults within a second. SIGINT/SIGTERM stop the method,\n' +
          'revert its faults and run the rollbacks.\n' +
          '\nExit status: 0 completed and the steady state held (a dry run: every fault would be injected); 1 failed,\n' +
          'aborted or deviated; 2 bad input; 3 not tested (a guard skipped a fault, or the run was leashed);\n' +
          '130/143 interrupted by SIGINT/SIGTERM.',
      )
      .action((file: string, flags: RunFlags) => run(deps, options, file, flags));

    experiment
      .command('validate')
      .description('Check experiment files and the SLO files they name, and list every HTTP call and command each will run, without running anything; exit 2 if one is not valid')
      .argument('<files...>', 'experiment files (YAML)')
      .option('--json', 'print one result per file, with its activities, as JSON')
      .action((files: string[], flags: { json?: boolean }) => validate(deps, files, flags));

    experiment
      .command('import')
      .description('Convert a Chaos Toolkit experiment (JSON or YAML) whose activities are http or process providers')
      .argument('<file>', 'the Chaos Toolkit experiment')
      .option('--out <path>', 'write the converted experiment here instead of printing it')
      .action((file: string, flags: { out?: string }) => importCommand(deps, file, flags));

    return experiment;
  };
}

/** The `experiment` command. */
export const experimentCommand: CommandFactory = createExperimentCommand();
