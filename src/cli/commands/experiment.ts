/**
 * @module
 * `simian experiment run|validate|import`: run an experiment file and write its journal and Markdown report, check
 * files without running them, and convert Chaos Toolkit experiments.
 *
 * Exit status of `run`: 0 completed and the steady state held (or a dry run that would inject every fault); 1
 * failed, aborted or deviated; 2 bad input (nothing was done); 3 not tested (a fault was skipped by a guard, or
 * the run was leashed); 130 / 143 interrupted by SIGINT / SIGTERM (the faults were reverted and the rollbacks ran).
 */
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { SimianConfig } from '../../config/simian-config.js';
import { SimianError } from '../../core/errors.js';
import { EngineEvents } from '../../engine/events.js';
import { defaultJournalPath, runToJournal, type JournaledRun } from '../../engine/experiment-journal.js';
import { experimentRunnerDeps, type RunnerSession } from '../../engine/experiment-run.js';
import type { Experiment } from '../../runner/experiment.js';
import { journalVerdict, type Journal } from '../../runner/journal.js';
import { loadExperiment } from '../../runner/load-experiment.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { onStopSignals, type SignalSource } from '../signals.js';
import { parseHttpUrl } from '../parsers.js';
import { renderEvents } from '../render-events.js';
import { importSubcommand, validateSubcommand } from './experiment-files.js';
import { addUnleashOption } from '../unleash-option.js';
import { addConfigOptions, resolveCommandConfig, type ConfigContext, type ConfigOptionValues } from './config.js';

export type { RunnerSession } from '../../engine/experiment-run.js';

/** The exit code a shell expects after each signal. */
const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

interface RunFlags extends ConfigOptionValues {
  json?: boolean;
  journal?: string;
  dryRun?: boolean;
  prometheus?: string;
  var?: Record<string, string>;
  /** `--no-viewers`: commander's negation, false when given. */
  viewers: boolean;
}

/** What {@link defaultRunnerDeps} is given. */
export interface RunnerDepsOptions {
  readonly config: SimianConfig;
  readonly experiment: Experiment;
  /** `--prometheus`; absent: the stack's own Prometheus if it started one, else direct scrapes. */
  readonly prometheusUrl?: string;
  /** `--var name=value`, over the running stack's variables. */
  readonly variables: Readonly<Record<string, string>>;
  /** Where the run tells what it does. */
  readonly events: EngineEvents;
  /** `none` with `--no-viewers`: whoever runs the experiment drives the traffic. */
  readonly viewers?: 'declared' | 'none';
}

/** Builds a run's dependencies; tests replace it. */
export type RunnerDepsFactory = (deps: CommandDeps, options: RunnerDepsOptions) => Promise<RunnerSession>;

/** The real run's dependencies, from the engine (`src/engine/experiment-run.ts`). */
export const defaultRunnerDeps: RunnerDepsFactory = (deps, options) =>
  experimentRunnerDeps({ ...options, providers: deps.providers, clock: deps.clock, random: deps.random, ownerPid: deps.pid });

function collectVariable(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`expected name=value, got "${value}"`);
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
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
  /** Where SIGINT and SIGTERM come from. @default the program's */
  readonly signals?: SignalSource;
  /** Where the configuration is read from. @default the real process's */
  readonly context?: () => ConfigContext;
}

async function run(deps: CommandDeps, options: ExperimentCommandOptions, file: string, flags: RunFlags): Promise<void> {
  const experiment = await loadExperiment(file);
  const config = await resolveCommandConfig(flags, options.context?.() ?? {});
  const events = new EngineEvents();
  const rendering = renderEvents(events, deps.writeErr);
  let session: RunnerSession;
  try {
    session = await (options.runnerDeps ?? defaultRunnerDeps)(deps, {
      config,
      experiment,
      variables: flags.var ?? {},
      events,
      ...(flags.viewers === false ? { viewers: 'none' as const } : {}),
      ...(flags.prometheus ? { prometheusUrl: flags.prometheus } : {}),
    });
  } catch (error) {
    rendering.dispose();
    throw error;
  }
  const signals = options.signals ?? deps.signals;
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const listening = onStopSignals(signals, (signal) => {
    received ??= signal;
    deps.writeErr(`simian: ${signal}: stopping the experiment; reverting its faults and running its rollbacks\n`);
    controller.abort(new Error(signal));
  });
  let finished: JournaledRun;
  try {
    finished = await runToJournal(experiment, session, {
      clock: deps.clock,
      events,
      signal: controller.signal,
      dryRun: flags.dryRun === true,
      journalPath: (journal) => resolve(flags.journal ?? defaultJournalPath(config.stateDir, file, Date.parse(journal.startedAt))),
    });
  } finally {
    listening.dispose();
    await session.close();
    rendering.dispose();
  }
  const { journal, paths } = finished;
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

/** Builds the `experiment` command with its seams injected; {@link experimentCommand} uses the real ones. */
export function createExperimentCommand(options: ExperimentCommandOptions = {}): CommandFactory {
  return (deps) => {
    const experiment = new Command('experiment').description('Run chaos experiments with a steady-state hypothesis, stop conditions and rollbacks (docs/experiments.md)');

    addUnleashOption(addConfigOptions(
      experiment
        .command('run')
        .description('Run an experiment file; write its journal (JSON) and a Markdown report beside it')
        .argument('<file>', 'the experiment (YAML)')
        .option('--json', 'print the journal as JSON instead of a summary')
        .option('--journal <path>', 'where to write the journal (default: <state dir>/journals/<file>-<time>.json); the report is <path> with .md')
        .option('--dry-run', 'leashed even if unleashed: evaluate every guard for each fault and show what would happen, act on nothing')
        .addOption(new Option('--prometheus <url>', "score SLOs and run PromQL checks with this Prometheus (default: the stack's own, else direct scrapes)").argParser(parseHttpUrl))
        .option('--var <name=value>', 'a value for ${name} in the file (repeat for several)', collectVariable)
        .option('--no-viewers', "do not play the viewers the file's load declares: you drive the traffic yourself (simian load, the game-day console)"),
    ))
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

    experiment.addCommand(validateSubcommand(deps));
    experiment.addCommand(importSubcommand(deps));

    return experiment;
  };
}

/** The `experiment` command. */
export const experimentCommand: CommandFactory = createExperimentCommand();
