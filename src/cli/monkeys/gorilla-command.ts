/**
 * @module
 * `simian monkey gorilla`: Chaos Gorilla takes a zone down for a duration.
 */
import { Command } from 'commander';
import { zoneOutageRequest } from '../../monkeys/gorilla/chaos-gorilla.js';
import type { CommandDeps } from '../command-deps.js';
import { addCommonOptions, addReversibleOptions, type ReversibleMonkeyFlags } from './common-options.js';
import { runReversible } from './run-reversible.js';

interface GorillaFlags extends ReversibleMonkeyFlags {
  zone: string;
  region?: string;
}

/** The `gorilla` subcommand of `simian monkey`. */
export function gorillaSubcommand(deps: CommandDeps): Command {
  const command = new Command('gorilla')
    .description(
      'Chaos Gorilla: take a whole zone down (local: its proxies refuse connections; kubernetes: cordon and evict; ' +
        'aws: stop its opted-in instances) and revert after --duration',
    )
    .requiredOption('--zone <zone>', 'the zone to take down')
    .option('--region <region>', 'the zone\'s region, when two regions have a zone of that name');
  addCommonOptions(command);
  addReversibleOptions(command);
  return command.action((flags: GorillaFlags) =>
    runReversible(deps, flags, (config, durationMs) =>
      zoneOutageRequest(config, { zone: flags.zone, ...(flags.region ? { region: flags.region } : {}) }, durationMs, flags.force ?? false),
    ),
  );
}
