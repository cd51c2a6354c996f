/**
 * @module
 * `simian gameday`: the game-day console on the reference stack (the engine's drill, drawn by `src/tui`), or, with
 * `--script FILE --no-ui`, a drill run without a terminal: the stack, the viewers, one experiment file as the drill,
 * progress lines, and the report. Whatever ends it (quit, Ctrl-C, SIGTERM, a crash), the drill reverts every
 * fault it injected, stops what it started and writes its report.
 */
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { InvalidInputError, SimianError } from '../../core/errors.js';
import { SeededRandom } from '../../core/random.js';
import { Drill } from '../../engine/drill/drill.js';
import { defaultDrillReportPath, drillTime, writeDrillReport, type DrillReport } from '../../engine/drill/drill-report.js';
import { EngineEvents } from '../../engine/events.js';
import { PROVIDER_NAMES } from '../../engine/provider-registry.js';
import { loadTopology } from '../../reference-stack/topology/topology.js';
import { loadExperiment } from '../../runner/load-experiment.js';
import { findExecutable } from '../../slo/prometheus-server.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { experimentFiles, packagePath } from '../package-files.js';
import { parseCount, parseDuration, parseHttpUrl, parsePositive } from '../parsers.js';
import { everyQuarter, renderEvents } from '../render-events.js';
import { onStopSignals, SIGNAL_EXIT_CODES, type StopSignal } from '../signals.js';
import { addUnleashOption } from '../unleash-option.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';

interface GamedayFlags extends ConfigOptionValues {
  topology: string;
  attach?: boolean;
  provider?: string;
  rate: number;
  /** `--prometheus URL` (another platform's), or `false` for `--no-prometheus`. */
  prometheus?: string | false;
  readonly?: boolean;
  duration?: number;
  slos?: string;
  script?: string;
  ui: boolean;
  report?: string;
  facilitator?: string;
  seed?: number;
  dataDir?: string;
  json?: boolean;
}

/** The exit status of a drill no SLO could judge: like an inconclusive `slo check`. */
const INCONCLUSIVE_EXIT_CODE = 3;

/** The platforms `--provider` drills: every provider but the bundled stack's own (that is the default, or --attach). */
const OTHER_PROVIDERS = PROVIDER_NAMES.filter((name) => name !== 'local');

/** Flags that only mean something on the bundled stack, and those only on another platform. */
function checkTargetFlags(command: Command, flags: GamedayFlags): void {
  const given = (option: string) => command.getOptionValueSource(option) === 'cli';
  if (flags.provider) {
    const stackOnly = ['attach', 'topology', 'rate', 'dataDir'].filter(given);
    if (flags.prometheus === false) stackOnly.push('prometheus');
    if (stackOnly.length > 0) {
      const names = stackOnly.map((o) => (o === 'prometheus' ? '--no-prometheus' : `--${o.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
      throw new InvalidInputError('cli.conflictingOptions', `${names.join(', ')} ${names.length === 1 ? 'applies' : 'apply'} to the bundled stack, not to --provider ${flags.provider}`);
    }
  } else {
    if (typeof flags.prometheus === 'string') throw new InvalidInputError('cli.conflictingOptions', '--prometheus URL reads another platform\'s SLOs: give it with --provider (on the bundled stack the drill starts its own Prometheus)');
    if (flags.unleash) throw new InvalidInputError('cli.conflictingOptions', '--unleash is for --provider: on the bundled stack the console already acts for real');
  }
}

/** The SLOs to watch: the reference stack's on it; on another platform, the outage check's SLO file, if any. */
function sloFileOf(flags: GamedayFlags, outageSlos: string | undefined): { sloFile?: string } {
  if (flags.slos) return { sloFile: flags.slos };
  if (!flags.provider) return { sloFile: packagePath('dashboards', 'slos', 'reference-stack.yaml') };
  return outageSlos ? { sloFile: outageSlos } : {};
}

/** Checks the flags and files before anything starts: bad input exits 2 with nothing started. */
async function prepare(deps: CommandDeps, flags: GamedayFlags, command: Command): Promise<{ drill: Drill; stateDir: string }> {
  checkTargetFlags(command, flags);
  if (flags.ui === false && !flags.script) throw new InvalidInputError('cli.missingOption', '--no-ui runs a scripted drill: give --script FILE (an experiment file)');
  if (flags.ui !== false && !deps.terminal) {
    throw new InvalidInputError('gameday.noTerminal', 'the game-day console needs a terminal (standard input and output both TTYs); without one, run a scripted drill: simian gameday --script FILE --no-ui');
  }
  if (flags.script) await loadExperiment(flags.script);
  const topology = flags.attach || flags.provider ? undefined : await loadTopology(flags.topology);
  const config = await resolveCommandConfig(flags);
  const prometheusUrl = typeof flags.prometheus === 'string' ? flags.prometheus : config.outageCheck.prometheusUrl;
  const random = flags.seed === undefined ? deps.random : new SeededRandom(flags.seed);
  const drill = new Drill({
    config,
    providers: deps.providers,
    ...(flags.provider ? { platform: { provider: flags.provider, ...(prometheusUrl ? { prometheusUrl } : {}) } } : {}),
    ...(topology
      ? { host: { topology, topologyName: flags.topology, prometheus: flags.prometheus !== false && findExecutable('prometheus') !== undefined, ...(flags.dataDir ? { dataDir: flags.dataDir } : {}) } }
      : {}),
    viewerRate: flags.rate,
    readonly: flags.readonly === true,
    faultDurationMs: flags.duration ?? config.faults.defaultDurationMs,
    ...sloFileOf(flags, config.outageCheck.slosFile),
    experiments: experimentFiles(process.cwd()),
    facilitator: flags.facilitator ?? userInfo().username,
    ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
    pid: deps.pid,
    clock: deps.clock,
    random,
    events: new EngineEvents(),
  });
  return { drill, stateDir: config.stateDir };
}

/** Writes the report (JSON and Markdown) and says where. */
async function finish(deps: CommandDeps, flags: GamedayFlags, report: DrillReport, stateDir: string): Promise<string> {
  const path = resolve(flags.report ?? defaultDrillReportPath(stateDir, Date.parse(report.startedAt)));
  const paths = await writeDrillReport(path, report);
  if (flags.json) deps.writeOut(`${JSON.stringify(report, null, 2)}\n`);
  else deps.writeOut(`drill ${report.id}: ${report.verdict}${report.reasons.length > 0 ? `\n${report.reasons.map((r) => `  ${r}`).join('\n')}` : ''}\nreport: ${paths.markdown}\n        ${paths.json}\n`);
  return paths.markdown;
}

/** The drill's timeline and start-up as lines on standard error, for a run without a console. */
function narrate(deps: CommandDeps, drill: Drill): { dispose(): void } {
  let printed = 0;
  const quarters = everyQuarter();
  // Warnings are told as they come; everything else the drill does is on its timeline, printed below.
  const progress = renderEvents(drill.events, deps.writeErr, 'leftovers', (event) => (event.kind === 'progress' ? quarters(event) : event.kind === 'warning'));
  const timeline = drill.subscribe(() => {
    const all = drill.record.timeline;
    for (; printed < all.length; printed++) {
      const entry = all[printed]!;
      if (entry.kind !== 'warning') deps.writeErr(`simian: ${drillTime(entry.at, drill.startedAt)} ${entry.kind}: ${entry.text}\n`);
    }
  });
  return { dispose: () => [progress, timeline].forEach((d) => d.dispose()) };
}

async function gameday(deps: CommandDeps, flags: GamedayFlags, command: Command): Promise<void> {
  // ink and React load only when the console is drawn (every other command starts 0.4 s sooner without them), and
  // while the stack starts: awaiting a settled import below lets no event of the drill slip past the console.
  const consoleModule = flags.ui !== false && deps.terminal ? import('../../tui/run-console.js') : undefined;
  const { drill, stateDir } = await prepare(deps, flags, command);
  let signalled: StopSignal | undefined;
  let stopRequested!: () => void;
  const stopping = new Promise<void>((ok) => (stopRequested = ok));
  const signals = onStopSignals(deps.signals, (signal) => {
    signalled ??= signal;
    stopRequested();
  });
  const console_ = consoleModule && deps.terminal ? (await consoleModule).runConsole({ controls: drill, stdin: deps.terminal.stdin, stdout: deps.terminal.stdout }) : undefined;
  const narration = console_ ? undefined : narrate(deps, drill);
  let report: DrillReport | undefined;
  let starting: Promise<void> | undefined;
  try {
    void console_?.quit.then(stopRequested, stopRequested);
    starting = drill.start();
    await Promise.race([starting, stopping]);
    if (flags.script && !signalled) {
      const finished = drill.runExperiment(flags.script);
      if (console_) void finished.catch(() => undefined);
      else await Promise.race([finished, stopping]);
    }
    if (console_) await stopping;
  } finally {
    try {
      // A quit or a signal during the start stops the drill once it is up: stopping a stack half-way through
      // its start would leave what it starts next running.
      await starting?.catch(() => undefined);
      // The console stays up while the drill stops, to show it reverting and stopping the stack.
      report = await drill.stop();
    } finally {
      // Whatever stopping threw, the terminal comes back from the alternate screen.
      console_?.close();
      narration?.dispose();
      signals.dispose();
    }
  }
  const written = await finish(deps, flags, report, stateDir);
  if (signalled) throw new SimianError('gameday.interrupted', `interrupted by ${signalled}; every fault reverted`, { exitCode: SIGNAL_EXIT_CODES[signalled] });
  // The reasons are printed above with the verdict; the error only sets the exit status and points at the report.
  if (report.verdict === 'failed') throw new SimianError('gameday.failed', `the drill failed (${written})`);
  if (report.verdict === 'inconclusive') throw new SimianError('gameday.inconclusive', `the drill was inconclusive (${written})`, { exitCode: INCONCLUSIVE_EXIT_CODE });
}

/** The `gameday` command. */
export const gamedayCommand: CommandFactory = (deps) => {
  const command = new Command('gameday')
    .description(
      'The game-day console: starts the reference stack and viewers, shows instances, SLOs, dependencies, faults and a timeline live, ' +
        'and lets you kill instances, drop zones, evacuate regions and add latency through the safety pipeline. Writes a drill report at the end.',
    )
    .addOption(new Option('--topology <name|file>', 'the stack to start: default (2 regions × 3 zones), small (1 × 2), or a topology file').default('default'))
    .option('--attach', 'use the stack "simian stack up --detach" runs, and leave it running on quit')
    .addOption(new Option('--provider <name>', `drill another platform instead of the bundled stack (${OTHER_PROVIDERS.join(', ')}): leashed unless --unleash`).choices(OTHER_PROVIDERS))
    .addOption(new Option('--prometheus <url>', 'with --provider: read the SLOs from this Prometheus (default: outageCheck.prometheus)').argParser(parseHttpUrl))
    .addOption(new Option('--rate <viewers>', 'viewers arriving per second (+/- change it live)').argParser(parsePositive).default(6))
    .option('--no-prometheus', 'do not start a Prometheus even when one is installed (SLIs come from direct scrapes either way)')
    .option('--readonly', 'watch only: the fault keys are off')
    .addOption(new Option('--duration <time>', 'how long each reversible fault lasts before it reverts (default: faults.defaultDuration, 5m)').argParser(parseDuration))
    .option('--slos <file>', 'the SLO file to watch (default: the package\'s dashboards/slos/reference-stack.yaml; with --provider, outageCheck.slos)')
    .option('--script <file>', 'run this experiment file as the drill')
    .option('--no-ui', 'no console: with --script, print progress lines and the report path (CI, pipes)')
    .option('--report <file>', 'where the drill report goes (.json, with .md beside it; default: <state dir>/drills/)')
    .option('--facilitator <name>', 'who runs the drill, for the report (default: the user name)')
    .addOption(new Option('--seed <n>', 'seed the viewers\' and monkeys\' choices to replay a drill').argParser(parseCount))
    .option('--data-dir <dir>', 'where billing keeps its databases (default: <state dir>/data)')
    .option('--json', 'print the report as JSON at the end');
  addUnleashOption(addConfigOptions(command));
  command.addHelpText(
    'after',
    '\nKeys: c Chaos Monkey, g drop a zone, k evacuate a region, l latency on a service, e run an experiment, n note,\n' +
      '+/- viewers, H halt (revert every fault, engage the kill switch), ? help, Esc back, q quit.\n' +
      'Every fault key asks for confirmation naming the target, the blast radius and what stays healthy.\n' +
      '\nOn the bundled stack the console acts for real (unleashed); the kill switch, the outage check and the blast\n' +
      'radius still apply. With --provider it drills that platform (its inventory on the map, SLOs from its\n' +
      'Prometheus, no viewers of ours) and stays leashed: every key is decided by the pipeline, nothing is\n' +
      'injected, unless --unleash. Exit status without a console: 0 passed, 1 an SLO broke or the experiment failed,\n' +
      '2 bad input, 3 no SLO could be measured, 130/143 interrupted.',
  );
  return command.action((flags: GamedayFlags) => gameday(deps, flags, command));
};
