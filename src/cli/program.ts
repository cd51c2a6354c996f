/**
 * @module
 * The `simian` command line, built by a factory so tests can run it with their own output and no process exit.
 */
import { Command, CommanderError } from 'commander';

/** What the program needs from the outside world. */
export interface ProgramDeps {
  /** The version `--version` prints. */
  version: string;
  /** Standard output. @default process.stdout */
  writeOut?: (text: string) => void;
  /** Standard error. @default process.stderr */
  writeErr?: (text: string) => void;
}

/**
 * Builds the `simian` program. Commands are added by later modules, one file each under `src/cli/commands/`.
 * Errors never call `process.exit`: they throw a `CommanderError` carrying the exit code, which `main.ts` applies.
 *
 * @example
 * await createProgram({ version: '1.0.0' }).parseAsync(['--help'], { from: 'user' });
 */
export function createProgram(deps: ProgramDeps): Command {
  const program = new Command('simian');
  // Settings copied to subcommands must be made before any .command() call (commander copies them on creation).
  program.exitOverride();
  program.configureOutput({
    writeOut: deps.writeOut ?? ((text) => process.stdout.write(text)),
    writeErr: deps.writeErr ?? ((text) => process.stderr.write(text)),
  });
  program
    .description(
      "Chaos engineering and resilience toolkit in the spirit of Netflix's Simian Army. " +
        'Commands for monkeys, experiments and game days are added as they land; faults are always leashed (dry-run) ' +
        'unless --unleash is given.',
    )
    .version(deps.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .showHelpAfterError('(run "simian --help" for usage)')
    .addHelpText(
      'after',
      '\nThe resilience library is imported, not run: import { pipeline, retry } from "simian-army/resilience".\n' +
        'Docs: README.md',
    );
  return program;
}

/** Whether `error` is commander's way of saying "done" (help or version printed): not a failure. */
export function isCleanExit(error: unknown): boolean {
  return (
    error instanceof CommanderError &&
    (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help')
  );
}
