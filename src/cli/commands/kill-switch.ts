/**
 * @module
 * `simian kill-switch engage|release|status`: the safety lever anyone on the box can pull during an incident.
 * Engaging it creates the kill-switch file (`killSwitchFile`, by default `<state dir>/kill-switch`): every new
 * fault is refused from then on, whoever holds a fault in force reverts it within a second, and this command also
 * reverts at once every fault recorded in the state store, detached ones included. Releasing it removes the file.
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { SimianError } from '../../core/errors.js';
import { EngineEvents } from '../../engine/events.js';
import { openFaultRun } from '../../engine/fault-run.js';
import { engageKillSwitchFile, releaseKillSwitchFile } from '../../engine/kill-switch-file.js';
import type { RevertOutcome } from '../../monkeys/revert/fault-reverter.js';
import { killSwitchReason } from '../../monkeys/safety/kill-switch-watch.js';
import { errorText } from '../decision-report.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';

interface KillSwitchFlags extends ConfigOptionValues {
  json?: boolean;
}

/** What `--json` prints. */
export interface KillSwitchReport {
  readonly engaged: boolean;
  /** The file that is the switch. */
  readonly file: string;
  /** Why it counts as engaged, when it does. */
  readonly reason?: string;
  /** What `engage` reverted. */
  readonly reverted?: readonly RevertOutcome[];
}

function print(deps: CommandDeps, flags: KillSwitchFlags, report: KillSwitchReport, text: string): void {
  deps.writeOut(flags.json ? `${JSON.stringify(report, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v), 2)}\n` : text);
}

async function engage(deps: CommandDeps, flags: KillSwitchFlags): Promise<void> {
  const config = await resolveCommandConfig(flags);
  const file = await engageKillSwitchFile(config.safety, { clock: deps.clock, by: `simian kill-switch (pid ${process.pid})` });
  // A safety lever ends what is in force: revert every recorded fault now, rather than wait for its holder.
  let reverted: RevertOutcome[] = [];
  if (existsSync(config.stateStorePath)) {
    const run = await openFaultRun({ config, providers: deps.providers, clock: deps.clock, random: deps.random, events: new EngineEvents(), outageCheck: false });
    try {
      reverted = [...run.recovered.filter((o) => o.outcome !== 'already-reverted'), ...(await run.reverter.revertAll('kill-switch'))];
    } finally {
      await run.close();
    }
  }
  const lines = [`kill switch engaged: ${file} exists; no new fault will be injected until "simian kill-switch release"`];
  for (const o of reverted) lines.push(`  ${o.faultId}: ${o.outcome}${o.outcome === 'failed' ? ` (${errorText(o.error)})` : ''}`);
  print(deps, flags, { engaged: true, file, reverted }, `${lines.join('\n')}\n`);
  const failed = reverted.filter((o) => o.outcome === 'failed');
  if (failed.length > 0) throw new SimianError('killSwitch.revertFailed', `${failed.length} fault(s) could not be reverted; they stay recorded: run "simian revert --all" again`);
}

async function release(deps: CommandDeps, flags: KillSwitchFlags): Promise<void> {
  const config = await resolveCommandConfig(flags);
  const { file, stillEngaged: still } = await releaseKillSwitchFile(config.safety);
  print(deps, flags, { engaged: still !== undefined, file, ...(still ? { reason: still } : {}) }, still ? `the kill switch is still engaged: ${still}\n` : `kill switch released: ${file} removed\n`);
  if (still) throw new SimianError('killSwitch.stillEngaged', `the kill switch is still engaged: ${still}`);
}

async function status(deps: CommandDeps, flags: KillSwitchFlags): Promise<void> {
  const config = await resolveCommandConfig(flags);
  const file = config.safety.killSwitchFile!;
  const reason = await killSwitchReason(config.safety);
  print(deps, flags, { engaged: reason !== undefined, file, ...(reason ? { reason } : {}) }, reason ? `engaged: ${reason}\n` : `released (${file} does not exist)\n`);
}

/** The `kill-switch` command. */
export const killSwitchCommand: CommandFactory = (deps) => {
  const command = new Command('kill-switch').description(
    'The safety lever: engage it to stop every new fault and end the faults in force (within a second for their holders; at once here), release it to allow faults again',
  );
  for (const [name, description, action] of [
    ['engage', 'create the kill-switch file and revert every recorded fault now', engage],
    ['release', 'remove the kill-switch file', release],
    ['status', 'say whether the kill switch is engaged, and why', status],
  ] as const) {
    addConfigOptions(command.command(name).description(description).option('--json', 'print the outcome as JSON')).action((flags: KillSwitchFlags) => action(deps, flags));
  }
  return command.addHelpText('after', '\nThe file is killSwitchFile in simian.yaml (or --kill-switch-file), by default <state dir>/kill-switch; a `touch` engages it too.');
};
