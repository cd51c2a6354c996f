/**
 * @module
 * The frame of the `simian` program, apart from its commands and the platforms: what `main.ts` needs to run one
 * command without loading every other (`simian stack up` does not need the AWS SDK, whose import alone takes a second
 * or more), and what program.ts builds the whole CLI with.
 */
import { Command, CommanderError } from 'commander';
import type { ProviderRegistry } from '../engine/provider-registry.js';
import type { CommandDeps, CommandFactory, Terminal } from './command-deps.js';
import { checkMandatoryOptionsLast } from './mandatory-options.js';
import type { SignalSource } from './signals.js';
import { systemClock, type Clock } from '../core/clock.js';
import { systemRandom, type Random } from '../core/random.js';

/** What the program needs from the outside world. */
export interface ProgramDeps {
  /** The version `--version` prints. */
  version: string;
  /** Standard output. @default process.stdout */
  writeOut?: (text: string) => void;
  /** Standard error. @default process.stderr */
  writeErr?: (text: string) => void;
  /** Time for everything the commands schedule or measure. @default the system clock */
  clock?: Clock;
  /** Randomness for everything the commands choose. @default the system random */
  random?: Random;
  /** Where providers come from. @default the real platforms */
  providers?: ProviderRegistry;
  /** Where Ctrl-C and SIGTERM come from. @default the process */
  signals?: SignalSource;
  /** Whether standard error is a terminal (progress redraws a line) or a log (progress prints lines). @default process.stderr.isTTY, false when `writeErr` is given */
  stderrIsTerminal?: boolean;
  /** The console's terminal. @default process.stdin and process.stdout when both are TTYs and `writeOut` is not given */
  terminal?: Terminal;
}

function terminalOf(deps: ProgramDeps): { terminal?: Terminal } {
  if (deps.terminal) return { terminal: deps.terminal };
  // A test that captures output has no terminal, whatever the test runner's own streams are.
  if (deps.writeOut !== undefined || process.stdout.isTTY !== true || process.stdin.isTTY !== true) return {};
  return { terminal: { stdin: process.stdin, stdout: process.stdout } };
}

/**
 * Builds a `simian` program from `commands`, with the providers given (see `createProgram` in program.ts for every
 * command and the real platforms). Errors never call `process.exit`: they throw a `CommanderError` carrying the exit
 * code, which `main.ts` applies.
 */
export function buildProgram(deps: ProgramDeps & { providers: ProviderRegistry }, commands: readonly CommandFactory[]): Command {
  const resolved: CommandDeps = {
    version: deps.version,
    writeOut: deps.writeOut ?? ((text) => process.stdout.write(text)),
    writeErr: deps.writeErr ?? ((text) => process.stderr.write(text)),
    clock: deps.clock ?? systemClock,
    random: deps.random ?? systemRandom,
    providers: deps.providers,
    pid: process.pid,
    signals: deps.signals ?? process,
    // Output a test captures is no terminal, whatever the test runner's own standard error is.
    stderrIsTerminal: deps.stderrIsTerminal ?? (deps.writeErr === undefined && process.stderr.isTTY === true),
    ...terminalOf(deps),
  };
  const program = new Command('simian');
  // Settings copied to subcommands must be made before any .command() call (commander copies them on creation).
  program.exitOverride();
  program.configureOutput({ writeOut: resolved.writeOut, writeErr: resolved.writeErr });
  program
    .description(
      "Chaos engineering in the spirit of Netflix's Simian Army: monkeys kill instances, cut off zones and regions " +
        'and slow services down, and experiments check that the SLOs hold meanwhile, on a bundled reference stack, ' +
        'Kubernetes, AWS or any Toxiproxy. Every fault goes through one safety pipeline and is leashed (a dry run ' +
        'that reports what would happen) unless --unleash is given. Docs: README.md and docs/, in the package.',
    )
    .version(deps.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run "simian --help" for usage)')
    .addHelpText(
      'after',
      '\nDurations take a unit: 500ms, 30s, 5m, 1h, 1d (1.5s, 1h30m too); a bare number is refused, except 0.\n' +
        '\nThe resilience library is imported, not run: import { pipeline, retry } from "simian-army/resilience".',
    );
  for (const create of commands) {
    const command = create(resolved);
    program.addCommand(command);
    inheritSettings(command, program);
  }
  checkMandatoryOptionsLast(program);
  return program;
}

/**
 * Commands built by factories were created apart from the program, so they missed the settings commander copies
 * on `.command()`: without this, a subcommand's parse error would call process.exit and write to the real stdout.
 * The hint after an error is each command's own: its `--help` is the one that lists the options it takes.
 */
function inheritSettings(command: Command, parent: Command): void {
  command.copyInheritedSettings(parent);
  command.showHelpAfterError(`(run "${commandPath(command)} --help" for usage)`);
  for (const sub of command.commands) inheritSettings(sub, command);
}

/** How a command is typed: `simian monkey chaos`. */
function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Whether `error` is commander's way of saying "done" (help or version printed): not a failure. */
export function isCleanExit(error: unknown): boolean {
  return (
    error instanceof CommanderError &&
    (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')
  );
}
