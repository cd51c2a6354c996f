/**
 * @module
 * `--unleash`, which only commands that inject faults take (the monkeys, `experiment run`): a command that cannot
 * act refuses it as an unknown option, so nobody believes a read-only command did something for real.
 */
import { Option, type Command } from 'commander';
import { UNLEASH_FLAG } from '../config/load-config.js';

/**
 * Adds `--unleash` (`leashed: false`, the strongest layer of the configuration) to a command that injects faults.
 * Its value reaches the configuration with the others the command passes to `resolveCommandConfig`.
 *
 * @example
 * addUnleashOption(addConfigOptions(new Command('chaos'))); // simian monkey chaos --provider local --unleash
 */
export function addUnleashOption(command: Command): Command {
  return command.addOption(new Option(UNLEASH_FLAG.flag, 'act for real: overrides leashed to false (without it, a dry run)'));
}
