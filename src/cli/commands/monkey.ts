/**
 * @module
 * `simian monkey chaos`: Chaos Monkey against a provider (only `local`, the running reference stack, for now),
 * through the safety pipeline, leashed unless `--unleash`.
 */
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { SimianError } from '../../core/errors.js';
import { randomInt } from '../../core/random.js';
import type { SafetyDecision } from '../../monkeys/safety/decision.js';
import { SafetyPipeline } from '../../monkeys/safety/safety-pipeline.js';
import type { VictimSelection } from '../../monkeys/safety/victim-selection.js';
import { LocalProvider, PID_TAG } from '../../providers/local/local-provider.js';
import { StateStoreLedger } from '../../monkeys/safety/state-store-ledger.js';
import { isAlive, readStackState } from '../../reference-stack/stack/stack-state.js';
import { StateStore } from '../../state/state-store.js';
import type { CommandDeps, CommandFactory } from '../program.js';

/** The providers `--provider` accepts today. */
export const MONKEY_PROVIDERS = ['local'] as const;

/** Where the state store lives in a state directory. */
export function stateStorePath(stateDir: string): string {
  return join(stateDir, 'simian.db');
}

interface ChaosFlags {
  provider: string;
  group?: string;
  unleash?: boolean;
  count?: number;
  percent?: number;
  signal: 'SIGKILL' | 'SIGTERM';
  stateDir: string;
  json?: boolean;
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

/** What `--json` prints: the decision, with the victims' pids for an executed local termination. */
export interface ChaosReport {
  readonly monkey: 'chaos';
  readonly provider: string;
  readonly group: string;
  readonly leashed: boolean;
  readonly decision: SafetyDecision;
  readonly victims: readonly { readonly id: string; readonly pid: number | undefined }[];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A human rendering of a chaos report. */
export function formatChaosReport(report: ChaosReport): string {
  const { decision } = report;
  const victims = report.victims.map((v) => `${v.id} (pid ${v.pid ?? '?'})`).join(', ');
  switch (decision.outcome) {
    case 'executed':
      return `executed: terminated ${victims} of group ${report.group} [${decision.fault.id}]\n`;
    case 'skipped':
      return `skipped (${decision.reason}): ${decision.detail}\n`;
    case 'failed':
      return `failed: terminating ${decision.fault.targets.join(', ')} of group ${report.group}: ${errorText(decision.error)}` +
        ` (already hit: ${decision.affected.join(', ') || 'none'})\n`;
  }
}

/** JSON-safe: errors become their message. */
function toJson(report: ChaosReport): string {
  return `${JSON.stringify(report, (_key, value: unknown) => (value instanceof Error ? { name: value.name, message: value.message } : value), 2)}\n`;
}

async function chaos(deps: CommandDeps, flags: ChaosFlags): Promise<void> {
  const stateDir = resolve(flags.stateDir);
  const state = readStackState(stateDir);
  if (!isAlive(state.pid)) throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) is no longer running; start one with "simian stack up"`);
  const provider = new LocalProvider({ adminUrl: state.adminUrl });
  const groups = await provider.inventory.groups();
  let group = flags.group;
  if (group === undefined) {
    if (groups.length === 0) throw new SimianError('monkey.noGroups', 'the local stack has no instances');
    group = groups[randomInt(deps.random, groups.length)]!.name;
  }
  const pids = new Map(groups.flatMap((g) => g.instances.map((i) => [i.id, i.tags[PID_TAG]] as const)));

  const selection: VictimSelection =
    flags.count !== undefined ? { mode: 'fixed', count: flags.count } : flags.percent !== undefined ? { mode: 'percent', percent: flags.percent } : { mode: 'one' };
  const leashed = !flags.unleash;
  const store = StateStore.open(stateStorePath(stateDir), { clock: deps.clock });
  try {
    const pipeline = new SafetyPipeline({
      provider,
      ledger: new StateStoreLedger(store, provider.name),
      clock: deps.clock,
      random: deps.random,
      config: { leashed },
    });
    const decision = await pipeline.terminate({ monkey: 'chaos', group, selection, signal: flags.signal });
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
    const report: ChaosReport = { monkey: 'chaos', provider: provider.name, group, leashed, decision, victims };
    deps.writeOut(flags.json ? toJson(report) : formatChaosReport(report));
    if (decision.outcome === 'failed') {
      throw new SimianError('monkey.actionFailed', `the termination failed: ${errorText(decision.error)}`, { cause: decision.error });
    }
  } finally {
    store.close();
  }
}

/** The `monkey` command: `simian monkey chaos …`. */
export const monkeyCommand: CommandFactory = (deps) => {
  const monkey = new Command('monkey').description('Run a monkey once through the safety pipeline (leashed, a dry run, unless --unleash)');
  monkey
    .command('chaos')
    .description('Chaos Monkey: terminate instances of a group')
    .addOption(new Option('--provider <name>', 'where to act: local (the running reference stack)').choices(MONKEY_PROVIDERS).makeOptionMandatory())
    .option('--group <name>', 'the group (service) to hit; default: one at random')
    .option('--unleash', 'really terminate (default: leashed, decide and report only)')
    .addOption(new Option('--count <n>', 'terminate exactly n instances (default: one)').argParser(parseWhole).conflicts('percent'))
    .addOption(new Option('--percent <p>', 'terminate p% of the eligible instances, rounded down').argParser(parsePercent))
    .addOption(new Option('--signal <signal>', 'how to kill').choices(['SIGKILL', 'SIGTERM']).default('SIGKILL'))
    .option('--state-dir <dir>', 'the state directory of the running stack; the state store is <state-dir>/simian.db', '.simian')
    .option('--json', 'print the decision as JSON')
    .action((flags: ChaosFlags) => chaos(deps, flags));
  return monkey;
};
