/**
 * @module
 * `simian monkey chaos`: Chaos Monkey terminates instances of a group, through the safety pipeline.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { runChaos } from '../../engine/chaos-run.js';
import type { VictimSelection } from '../../monkeys/safety/victim-selection.js';
import { decisionReportJson, errorText, formatDecisionReport, unknownTarget, type DecisionReport } from '../decision-report.js';
import type { CommandDeps } from '../command-deps.js';
import { addCommonOptions, type CommonMonkeyFlags } from './common-options.js';
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
  const session = await openMonkeySession(deps, flags);
  try {
    const { provider, pipeline, config } = session;
    const { group, decision, victims } = await runChaos(session.run, provider, pipeline, {
      clock: deps.clock,
      random: deps.random,
      events: session.events,
      ...(flags.group ? { group: flags.group } : {}),
      selection: selectionOf(flags),
      signal: flags.signal,
    });
    if (decision.outcome === 'skipped' && decision.reason === 'unknown-target') throw unknownTarget(decision.detail);
    const report: DecisionReport = { monkey: 'chaos', provider: provider.name, scope: group, leashed: config.leashed, decision, victims };
    deps.writeOut(flags.json ? decisionReportJson(report) : formatDecisionReport(report));
    if (decision.outcome === 'failed') {
      throw new SimianError('monkey.actionFailed', `the termination failed: ${errorText(decision.error)}`, { cause: decision.error });
    }
  } finally {
    await session.close();
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
