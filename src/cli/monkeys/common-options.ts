/**
 * @module
 * The flags every `simian monkey …` command shares, and how they become a session's options.
 */
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { SafetyConfig } from '../../monkeys/safety/safety-config.js';
import { parseDuration } from '../parsers.js';
import { PROVIDER_NAMES } from '../provider-factory.js';
import type { MonkeySessionOptions } from './monkey-session.js';

/** The shared flags, as commander hands them over. */
export interface CommonMonkeyFlags {
  provider: string;
  unleash?: boolean;
  stateDir: string;
  toxiproxyUrl?: string;
  trafficShiftUrl?: string;
  json?: boolean;
}

/** The flags of monkeys whose faults revert themselves. */
export interface ReversibleMonkeyFlags extends CommonMonkeyFlags {
  duration: number;
  detach?: boolean;
  force?: boolean;
}

/** Adds the shared flags. `providers` narrows `--provider` to those that can do what this monkey does. */
export function addCommonOptions(command: Command, providers: readonly string[] = PROVIDER_NAMES): Command {
  return command
    .addOption(new Option('--provider <name>', `where to act: ${providers.join(', ')}`).choices(providers).makeOptionMandatory())
    .option('--unleash', 'really inject the fault (default: leashed, decide and report only)')
    .option('--state-dir <dir>', 'the state directory of the running stack; the state store is <state-dir>/simian.db', '.simian')
    .option('--toxiproxy-url <url>', 'the Toxiproxy admin API for --provider toxiproxy (default: the running stack\'s)')
    .option('--traffic-shift-url <url>', 'an HTTP traffic-shift hook (POST <url>/admin/regions/<region>/evacuate|restore)')
    .option('--json', 'print the decision as JSON');
}

/** Adds the flags of reversible faults. */
export function addReversibleOptions(command: Command): Command {
  return command
    .addOption(new Option('--duration <duration>', 'how long the fault lasts before it reverts itself (30s, 5m, 1h)').argParser(parseDuration).default(300_000, '5m'))
    .option('--detach', 'return once the fault is injected; the stack, the next simian start or "simian revert" ends it on time')
    .option('--force', 'override the blast radius (and nothing else: the kill switch, the leash and the history still apply)');
}

/** The session options the shared flags describe. */
export function sessionOptions(flags: CommonMonkeyFlags & { detach?: boolean }, safety: Partial<SafetyConfig> = {}): MonkeySessionOptions {
  return {
    provider: flags.provider,
    providers: {
      stateDir: resolve(flags.stateDir),
      ...(flags.toxiproxyUrl ? { toxiproxyUrl: flags.toxiproxyUrl } : {}),
      ...(flags.trafficShiftUrl ? { trafficShiftUrl: flags.trafficShiftUrl } : {}),
    },
    safety: { ...safety, leashed: !flags.unleash },
    ...(flags.detach ? { detached: true } : {}),
  };
}
