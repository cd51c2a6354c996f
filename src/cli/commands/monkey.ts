/**
 * @module
 * `simian monkey …`: each monkey once, through the safety pipeline, leashed (a dry run) unless `--unleash`.
 */
import { Command } from 'commander';
import { chaosSubcommand } from '../monkeys/chaos-command.js';
import { doctorSubcommand } from '../monkeys/doctor-command.js';
import { gorillaSubcommand } from '../monkeys/gorilla-command.js';
import { kongSubcommand } from '../monkeys/kong-command.js';
import { latencySubcommand } from '../monkeys/latency-command.js';
import type { CommandFactory } from '../command-deps.js';


/** The `monkey` command. */
export const monkeyCommand: CommandFactory = (deps) =>
  new Command('monkey')
    .description('Run a monkey once through the safety pipeline (leashed, a dry run, unless --unleash)')
    .addCommand(chaosSubcommand(deps))
    .addCommand(gorillaSubcommand(deps))
    .addCommand(kongSubcommand(deps))
    .addCommand(latencySubcommand(deps))
    .addCommand(doctorSubcommand(deps));
