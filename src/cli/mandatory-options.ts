/**
 * @module
 * Required options checked after unknown ones. Commander 14 checks mandatory options before unknown options
 * (`Command._parseCommand`), so a misspelt required option, `simian monkey chaos --provder local`, was reported as
 * the required one missing rather than as unknown with the nearest spelling. The program takes commander's mark off
 * every mandatory option and checks them in a `preAction` hook, which commander runs after its unknown-option check.
 */
import type { Command, Option } from 'commander';

/**
 * Moves the check of every mandatory option under `program` (declared with `requiredOption` or
 * `makeOptionMandatory`) after the check for unknown options. Call it once every command has been added.
 *
 * @example
 * checkMandatoryOptionsLast(program); // --provder local: "unknown option '--provder' (Did you mean --provider?)"
 */
export function checkMandatoryOptionsLast(program: Command): void {
  const deferred = new WeakSet<Option>();
  const unmark = (command: Command): void => {
    for (const option of command.options) {
      if (!option.mandatory) continue;
      option.mandatory = false;
      deferred.add(option);
    }
    for (const sub of command.commands) unmark(sub);
  };
  unmark(program);
  program.hook('preAction', (_program, actionCommand) => {
    // As commander does: the options of the command that acts and of every command above it.
    for (let command: Command | null = actionCommand; command !== null; command = command.parent) {
      for (const option of command.options) {
        if (deferred.has(option) && command.getOptionValue(option.attributeName()) === undefined) {
          command.error(`error: required option '${option.flags}' not specified`, { code: 'commander.missingMandatoryOptionValue' });
        }
      }
    }
  });
}
