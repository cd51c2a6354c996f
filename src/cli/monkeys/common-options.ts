/**
 * @module
 * The flags every `simian monkey …` command shares.
 */
import { Option, type Command } from 'commander';
import { PROVIDER_NAMES } from '../../engine/provider-registry.js';
import { addConfigOptions, type ConfigOptionValues } from '../commands/config.js';
import { parseDuration } from '../parsers.js';
import { addUnleashOption } from '../unleash-option.js';

/** The shared flags, as commander hands them over (the config flags included). */
export interface CommonMonkeyFlags extends ConfigOptionValues {
  provider: string;
  json?: boolean;
}

/** The flags of monkeys whose faults revert themselves. */
export interface ReversibleMonkeyFlags extends CommonMonkeyFlags {
  /** Absent: the config's `faults.defaultDuration`. */
  duration?: number;
  detach?: boolean;
  force?: boolean;
}

/** Adds the shared flags: `--provider`, `--json`, `--unleash` and every config override (`--config`, `--state-dir`…). */
export function addCommonOptions(command: Command, providers: readonly string[] = PROVIDER_NAMES): Command {
  command
    .addOption(new Option('--provider <name>', `where to act: ${providers.join(', ')}`).choices(providers).makeOptionMandatory())
    .option('--json', 'print the decision as JSON');
  return addUnleashOption(addConfigOptions(command));
}

/** Adds the flags of reversible faults. */
export function addReversibleOptions(command: Command): Command {
  return command
    .addOption(new Option('--duration <duration>', 'how long the fault lasts before it reverts itself, with a unit: 30s, 5m (default: faults.defaultDuration, 5m)').argParser(parseDuration))
    .option('--detach', 'return once the fault is injected; the stack, the next simian start or "simian revert" ends it on time')
    .option('--force', 'override the blast radius (and nothing else: the kill switch, the leash and the history still apply)');
}
