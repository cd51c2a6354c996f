/**
 * @module
 * `simian monkey latency`: Latency Monkey puts a network toxic on an instance, a group or a zone for a duration.
 */
import { Command, Option } from 'commander';
import { InvalidInputError } from '../../core/errors.js';
import { toxicRequest } from '../../monkeys/latency/latency-monkey.js';
import type { ToxicSpec, ToxicType } from '../../providers/provider.js';
import { parseCount, parseDurationOrZero, parsePositive } from '../parsers.js';
import type { CommandDeps } from '../command-deps.js';
import { addCommonOptions, addReversibleOptions, type ReversibleMonkeyFlags } from './common-options.js';
import { runReversible } from './run-reversible.js';

const TOXIC_TYPES: readonly ToxicType[] = ['latency', 'bandwidth', 'timeout', 'reset_peer', 'limit_data', 'down'];

interface LatencyFlags extends ReversibleMonkeyFlags {
  group?: string;
  zone?: string;
  region?: string;
  instance?: string[];
  type: ToxicType;
  latency: number;
  jitter: number;
  rate?: number;
  bytes?: number;
  timeout: number;
  stream: 'upstream' | 'downstream';
  percent?: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The toxic the flags describe, in Toxiproxy's attribute names and units (ms, KB/s). */
export function toxicFromFlags(flags: Pick<LatencyFlags, 'type' | 'latency' | 'jitter' | 'rate' | 'bytes' | 'timeout' | 'stream'>): ToxicSpec {
  const attributes: Record<string, number> = {};
  switch (flags.type) {
    case 'latency':
      attributes.latency = flags.latency;
      attributes.jitter = flags.jitter;
      break;
    case 'bandwidth':
      if (flags.rate === undefined) throw new InvalidInputError('cli.missingOption', '--type bandwidth needs --rate <KB/s>');
      attributes.rate = flags.rate;
      break;
    case 'timeout':
    case 'reset_peer':
      attributes.timeout = flags.timeout;
      break;
    case 'limit_data':
      if (flags.bytes === undefined) throw new InvalidInputError('cli.missingOption', '--type limit_data needs --bytes <n> (the bytes let through before the connection closes)');
      attributes.bytes = flags.bytes;
      break;
    case 'down':
      break;
  }
  return { type: flags.type, stream: flags.stream, attributes };
}

/** The `latency` subcommand of `simian monkey`. */
export function latencySubcommand(deps: CommandDeps): Command {
  const command = new Command('latency')
    .description(
      'Latency Monkey: add a network toxic (latency with jitter, bandwidth, timeout, reset, limit_data, down) to instances for --duration. ' +
        'A toxic that takes its instances out of service (timeout, reset_peer, limit_data, down, or a latency of safety.callerTimeout or more) ' +
        'follows the group blast radius like a termination',
    )
    .option('--group <name>', 'every instance of this group (service)')
    .option('--zone <zone>', 'only instances in this zone')
    .option('--region <region>', 'only instances in this region')
    .option('--instance <id>', 'this instance (repeat for several)', collect)
    .addOption(new Option('--percent <p>', 'only p% of the matching instances, chosen at random').argParser(parsePositive))
    .addOption(new Option('--type <type>', 'the toxic').choices(TOXIC_TYPES).default('latency'))
    .addOption(new Option('--latency <duration>', 'added delay (latency toxic), with a unit: 300ms, 2s').argParser(parseDurationOrZero).default(1000, '1s'))
    .addOption(new Option('--jitter <duration>', 'random extra delay, up to this much (latency toxic): 50ms; 0 for none').argParser(parseDurationOrZero).default(0, '0'))
    .addOption(new Option('--rate <kbps>', 'bandwidth limit in KB/s (bandwidth toxic)').argParser(parsePositive))
    .addOption(new Option('--bytes <n>', 'bytes let through on each connection before it is closed (limit_data toxic)').argParser(parseCount))
    .addOption(new Option('--timeout <duration>', 'for timeout: close after this long (5s), 0 = hold forever; for reset_peer: reset after').argParser(parseDurationOrZero).default(0, '0'))
    .addOption(new Option('--stream <direction>', 'which direction suffers').choices(['upstream', 'downstream']).default('downstream'));
  addCommonOptions(command);
  addReversibleOptions(command);
  return command.action(async (flags: LatencyFlags) => {
    if (!flags.group && !flags.zone && !flags.region && !flags.instance) {
      throw new InvalidInputError('cli.missingOption', 'name a target: --group, --zone, --region or --instance');
    }
    const toxic = toxicFromFlags(flags);
    const targets = {
      ...(flags.group ? { group: flags.group } : {}),
      ...(flags.zone ? { zone: flags.zone } : {}),
      ...(flags.region ? { region: flags.region } : {}),
      ...(flags.instance ? { instances: flags.instance } : {}),
      ...(flags.percent !== undefined ? { selection: { mode: 'percent' as const, percent: Math.min(100, flags.percent) } } : {}),
    };
    await runReversible(deps, flags, (config, durationMs) => toxicRequest(config, deps.random, targets, toxic, durationMs, flags.force ?? false));
  });
}
