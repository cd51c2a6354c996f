/**
 * @module
 * The `simian` command line, built by a factory so tests can run it with their own output and no process exit.
 */
import type { Command } from 'commander';
import { platformProviders } from '../engine/provider-registry.js';
import type { CommandFactory } from './command-deps.js';
import { systemClock } from '../core/clock.js';
import { systemRandom } from '../core/random.js';
import { buildProgram, type ProgramDeps } from './program-core.js';
import { conformityCommand, securityCommand } from './commands/audit.js';
import { janitorCommand } from './commands/janitor.js';
import { configCommand } from './commands/config.js';
import { daemonCommand } from './commands/daemon.js';
import { experimentCommand } from './commands/experiment.js';
import { gamedayCommand } from './commands/gameday.js';
import { historyCommand } from './commands/history.js';
import { inventoryCommand } from './commands/inventory.js';
import { killSwitchCommand } from './commands/kill-switch.js';
import { loadCommand } from './commands/load.js';
import { monkeyCommand } from './commands/monkey.js';
import { scheduleCommand } from './commands/schedule.js';
import { revertCommand } from './commands/revert.js';
import { sloCheckSubcommand } from './commands/slo-check.js';
import { createSloCommand } from './commands/slo.js';
import { stackCommand } from './commands/stack.js';
import { toxiproxyCommand } from './commands/toxiproxy.js';

export type { CommandDeps, CommandFactory } from './command-deps.js';
export { isCleanExit, type ProgramDeps } from './program-core.js';

/** Every command of `simian`, in the order `--help` lists them. */
const COMMANDS: readonly CommandFactory[] = [
  gamedayCommand,
  stackCommand,
  loadCommand,
  inventoryCommand,
  monkeyCommand,
  experimentCommand,
  daemonCommand,
  scheduleCommand,
  revertCommand,
  killSwitchCommand,
  conformityCommand,
  securityCommand,
  janitorCommand,
  historyCommand,
  createSloCommand([sloCheckSubcommand]),
  configCommand,
  toxiproxyCommand,
];

/**
 * Builds the `simian` program from its commands, one file each under `src/cli/commands/`.
 * Errors never call `process.exit`: they throw a `CommanderError` carrying the exit code, which `main.ts` applies.
 *
 * @example
 * await createProgram({ version: '1.0.0' }).parseAsync(['--help'], { from: 'user' });
 */
export function createProgram(deps: ProgramDeps, commands: readonly CommandFactory[] = COMMANDS): Command {
  const providers = deps.providers ?? platformProviders({ clock: deps.clock ?? systemClock, random: deps.random ?? systemRandom });
  return buildProgram({ ...deps, providers }, commands);
}
