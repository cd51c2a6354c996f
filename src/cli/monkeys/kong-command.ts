/**
 * @module
 * `simian monkey kong`: Chaos Kong evacuates a region for a duration.
 */
import { Command } from 'commander';
import { regionEvacuationRequest } from '../../monkeys/kong/chaos-kong.js';
import type { CommandDeps } from '../program.js';
import { addCommonOptions, addReversibleOptions, type ReversibleMonkeyFlags } from './common-options.js';
import { runReversible } from './run-reversible.js';

interface KongFlags extends ReversibleMonkeyFlags {
  region: string;
  killInstances?: boolean;
}

/** The `kong` subcommand of `simian monkey`. */
export function kongSubcommand(deps: CommandDeps): Command {
  const command = new Command('kong')
    .description(
      'Chaos Kong: shift a region\'s traffic away (local: the front door; elsewhere: --traffic-shift-url) and restore it ' +
        'after --duration. Evacuating the last region with traffic is refused unless --force.',
    )
    .requiredOption('--region <region>', 'the region to evacuate')
    .option('--kill-instances', 'also terminate every opted-in instance of the region once its traffic is gone (the platform replaces them)');
  addCommonOptions(command);
  addReversibleOptions(command);
  return command.action((flags: KongFlags) =>
    runReversible(deps, flags, (config, durationMs) => regionEvacuationRequest(config, flags.region, durationMs, { force: flags.force ?? false, killInstances: flags.killInstances ?? false })),
  );
}
