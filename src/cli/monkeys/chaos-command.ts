/**
 * @module
 * `simian monkey chaos`: Chaos Monkey terminates instances of a group, through the safety pipeline.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { randomInt } from '../../core/random.js';
import { maxVictims } from '../../monkeys/safety/blast-radius.js';
import { eligibleInstances } from '../../monkeys/safety/eligibility.js';
import type { VictimSelection } from '../../monkeys/safety/victim-selection.js';
import { PID_TAG } from '../../providers/local/local-provider.js';
import { decisionReportJson, errorText, formatDecisionReport, unknownTarget, type DecisionReport } from '../decision-report.js';
import type { CommandDeps } from '../program.js';
import { addCommonOptions, sessionOptions, type CommonMonkeyFlags } from './common-options.js';
import { openMonkeySession } from './monkey-session.js';

interface ChaosFlags extends CommonMonkeyFlags {
  group?: string;
  count?: number;
  percent?: number;
  maxPercent?: number;
  signal: 'SIGKILL' | 'SIGTERM';
}

function parseWhole(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  return n;
}

function parsePercent(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError(`expected a percentage in (0, 100], got "${value}"`);
  return n;
}

function selectionOf(flags: ChaosFlags): VictimSelection {
  if (flags.count !== undefined) return { mode: 'fixed', count: flags.count };
  if (flags.percent !== undefined) return { mode: 'percent', percent: flags.percent };
  if (flags.maxPercent !== undefined) return { mode: 'max-percent', percent: flags.maxPercent };
  return { mode: 'one' };
}

async function chaos(deps: CommandDeps, flags: ChaosFlags): Promise<void> {
  const session = await openMonkeySession(deps, await sessionOptions(flags));
  try {
    const { provider, store, pipeline, config } = session;
    const groups = await provider.inventory.groups();
    let group = flags.group;
    if (group === undefined) {
      // Like Chaos Monkey, pick among the groups it may hit: a group of one, or one that did not opt in, would only
      // ever be skipped, and a run that always skips teaches nobody anything.
      const hittable = groups.filter((g) => eligibleInstances(g, config).length > 0 && maxVictims(g, config) > 0);
      if (hittable.length === 0) throw new SimianError('monkey.noGroups', `provider ${provider.name} has no group with an instance the blast radius allows to hit`);
      group = hittable[randomInt(deps.random, hittable.length)]!.name;
    }
    const pids = new Map(groups.flatMap((g) => g.instances.map((i) => [i.id, i.tags[PID_TAG]] as const)));
    const decision = await pipeline.terminate({ monkey: 'chaos', group, selection: selectionOf(flags), signal: flags.signal });
    if (decision.outcome === 'skipped' && decision.reason === 'unknown-target') throw unknownTarget(decision.detail);
    if (decision.outcome === 'skipped' && decision.reason === 'leashed' && decision.fault) {
      // Dry runs are history too (they count for no limit); failing to note one changes nothing that happened.
      try {
        for (const instanceId of decision.fault.targets) {
          store.recordTermination({ monkey: 'chaos', provider: provider.name, group, instanceId, at: decision.fault.startedAt, dryRun: true });
        }
      } catch (error) {
        deps.writeErr(`simian: warning: the dry run was not recorded: ${errorText(error)}\n`);
      }
    }
    const targets = decision.outcome === 'skipped' ? (decision.fault?.targets ?? []) : decision.fault.targets;
    const victims = targets.map((id) => {
      const pid = pids.get(id);
      return { id, pid: pid === undefined ? undefined : Number(pid) };
    });
    const report: DecisionReport = { monkey: 'chaos', provider: provider.name, scope: group, leashed: config.leashed, decision, victims };
    deps.writeOut(flags.json ? decisionReportJson(report) : formatDecisionReport(report));
    if (decision.outcome === 'failed') {
      throw new SimianError('monkey.actionFailed', `the termination failed: ${errorText(decision.error)}`, { cause: decision.error });
    }
  } finally {
    session.close();
  }
}

/** The `chaos` subcommand of `simian monkey`. */
export function chaosSubcommand(deps: CommandDeps): Command {
  const command = new Command('chaos')
    .description('Chaos Monkey: terminate instances of a group (the platform is expected to replace them)')
    .option('--group <name>', 'the group (service) to hit; default: one at random among those the blast radius allows')
    .addOption(new Option('--count <n>', 'terminate exactly n instances (default: one)').argParser(parseWhole).conflicts(['percent', 'maxPercent']))
    .addOption(new Option('--percent <p>', 'terminate p% of the eligible instances, rounded down').argParser(parsePercent).conflicts('maxPercent'))
    .addOption(new Option('--max-percent <p>', 'terminate a random number from 0 to p% of the eligible instances').argParser(parsePercent))
    .addOption(new Option('--signal <signal>', 'how to kill').choices(['SIGKILL', 'SIGTERM']).default('SIGKILL'));
  addCommonOptions(command);
  return command.action((flags: ChaosFlags) => chaos(deps, flags));
}
