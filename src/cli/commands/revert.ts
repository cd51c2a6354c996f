/**
 * @module
 * `simian revert`: undo recorded faults. Without arguments it does what every start does (revert what a dead
 * `simian` left and what has expired); `--all` reverts every active fault, whoever holds it; ids pick faults.
 */
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { InvalidInputError, SimianError } from '../../core/errors.js';
import { EngineEvents } from '../../engine/events.js';
import { openFaultRun } from '../../engine/fault-run.js';
import type { RevertOutcome } from '../../monkeys/revert/fault-reverter.js';
import { errorText } from '../decision-report.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';
import type { CommandFactory } from '../command-deps.js';
import { formatTable } from '../table.js';

interface RevertFlags extends ConfigOptionValues {
  all?: boolean;
  json?: boolean;
}

/** What `--json` prints: each revert attempted, and the faults still active afterwards. */
export interface RevertReport {
  readonly reverted: readonly RevertOutcome[];
  readonly stillActive: readonly { readonly id: string; readonly kind: string; readonly ownerPid?: number; readonly expiresAt: number }[];
}

function formatReport(report: RevertReport): string {
  const lines = report.reverted.length === 0
    ? 'nothing to revert\n'
    : formatTable(['FAULT', 'OUTCOME', 'DETAIL'], report.reverted.map((o) => [o.faultId, o.outcome, o.outcome === 'failed' ? errorText(o.error) : '']));
  const active = report.stillActive.length === 0
    ? ''
    : `still active (held by a live simian, or not yet expired; "simian revert --all" ends them):\n${formatTable(
        ['FAULT', 'KIND', 'OWNER', 'EXPIRES'],
        report.stillActive.map((f) => [f.id, f.kind, f.ownerPid === undefined ? 'detached' : String(f.ownerPid), new Date(f.expiresAt).toISOString()]),
      )}`;
  return lines + active;
}

/** The `revert` command. */
export const revertCommand: CommandFactory = (deps) => {
  const command = new Command('revert')
    .description(
      'Revert recorded faults. With no argument: what a dead simian left behind and what has expired (what every start does); ' +
        'with fault ids: those; with --all: every active fault, whoever holds it',
    )
    .argument('[fault-ids...]', 'the faults to revert (see "simian history")')
    .option('--all', 'revert every active fault')
    .option('--json', 'print the outcome as JSON');
  // The config says where the state store and each provider are (the providers of the recorded faults).
  addConfigOptions(command);
  return command.action(async (ids: string[], flags: RevertFlags) => {
    if (flags.all && ids.length > 0) throw new InvalidInputError('cli.conflictingArguments', 'give fault ids or --all, not both');
    const config = await resolveCommandConfig(flags);
    const path = config.stateStorePath;
    if (!existsSync(path)) {
      deps.writeOut(flags.json ? `${JSON.stringify({ reverted: [], stillActive: [] }, null, 2)}\n` : 'nothing to revert (no state store)\n');
      return;
    }
    // Only reverts: no outage check, no owner. Opening the run already does what every start does.
    const run = await openFaultRun({ config, providers: deps.providers, clock: deps.clock, random: deps.random, events: new EngineEvents(), outageCheck: false });
    const { store, reverter } = run;
    try {
      for (const id of ids) if (!store.fault(id)) throw new InvalidInputError('cli.unknownFault', `no fault ${id} in ${path} (see "simian history")`);
      const reverted: RevertOutcome[] = [...run.recovered];
      if (flags.all) reverted.push(...(await reverter.revertAll('manual')));
      else for (const id of ids) reverted.push(await reverter.revert(id, 'manual'));
      const stillActive = store.activeFaults().map((f) => ({ id: f.id, kind: f.kind, expiresAt: f.expiresAt, ...(f.ownerPid !== undefined ? { ownerPid: f.ownerPid } : {}) }));
      const report: RevertReport = { reverted, stillActive };
      deps.writeOut(
        flags.json
          ? `${JSON.stringify(report, (_k, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : v), 2)}\n`
          : formatReport(report),
      );
      const failed = reverted.filter((o) => o.outcome === 'failed');
      if (failed.length > 0) throw new SimianError('revert.failed', `${failed.length} fault(s) could not be reverted; they stay recorded: run "simian revert" again`);
    } finally {
      await run.close();
    }
  });
};
