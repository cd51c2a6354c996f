/**
 * @module
 * `simian monkey kong`: Chaos Kong evacuates a region for a duration.
 */
import { Command } from 'commander';
import { killEvacuatedRegion, regionEvacuationRequest } from '../../monkeys/kong/chaos-kong.js';
import type { CommandDeps } from '../command-deps.js';
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
    .option(
      '--kill-instances',
      'also terminate the region\'s opted-in instances once its traffic is gone, group by group through the safety pipeline: as many as the blast radius allows (all with --force); the platform replaces them',
    );
  addCommonOptions(command);
  addReversibleOptions(command);
  return command.action((flags: KongFlags) =>
    runReversible(
      deps,
      flags,
      (config, durationMs) => regionEvacuationRequest(config, flags.region, durationMs, { force: flags.force ?? false, killInstances: flags.killInstances ?? false }),
      flags.killInstances
        ? async (session, fault) => {
            // Each group's kills go through the same pipeline: kill switch, outage check, blast radius, record.
            const kills = await killEvacuatedRegion(session.pipeline, session.provider, fault, flags.force ?? false);
            return kills.map(({ group, decision }) => ({ monkey: 'kong', provider: session.provider.name, scope: group, leashed: session.config.leashed, decision }));
          }
        : undefined,
    ),
  );
}
