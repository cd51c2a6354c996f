/**
 * @module
 * `simian history`: the faults, terminations and refused decisions recorded in the state store, newest first.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readHistory } from '../../engine/history.js';
import type { HistoryEntry } from '../../state/records.js';
import type { CommandFactory } from '../command-deps.js';
import { formatTable } from '../table.js';
import { addStateDirOptions, resolveCommandConfig, type StateDirOptionValues } from './config.js';

interface HistoryFlags extends StateDirOptionValues {
  limit?: number;
  json?: boolean;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  return n;
}

/** The KIND, DECISION and WHAT columns of one entry. */
function describe(e: HistoryEntry): [string, string, string] {
  switch (e.type) {
    case 'termination':
      return ['terminate', e.decision, e.instanceId];
    case 'fault':
      return [e.kind, e.decision, e.targets.join(',')];
    case 'decision':
      return ['-', e.reason ? `${e.decision} (${e.reason})` : e.decision, e.detail ?? ''];
  }
}

/**
 * A table of history entries, one line each: times in ISO 8601 (UTC); the fault id that `simian revert` takes;
 * what was hit, or why nothing was.
 */
export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'nothing recorded\n';
  const rows = entries.map((e) => {
    const [kind, decision, what] = describe(e);
    return [new Date(e.at).toISOString(), e.type === 'fault' ? e.id : '-', kind, decision, e.monkey, e.provider, e.group ?? '-', what];
  });
  return formatTable(['AT', 'FAULT', 'KIND', 'DECISION', 'MONKEY', 'PROVIDER', 'GROUP', 'TARGETS / WHY'], rows);
}

/** The `history` command. */
export const historyCommand: CommandFactory = (deps) =>
  addStateDirOptions(
    new Command('history').description('List the faults, terminations and skipped decisions recorded in the state store, newest first'),
    'the state directory, whose state store (simian.db) is read',
  )
    .option('--limit <n>', 'only the newest n entries', parseLimit)
    .option('--json', 'print as JSON')
    .action(async (flags: HistoryFlags) => {
      const config = await resolveCommandConfig(flags);
      const entries = readHistory(config, { clock: deps.clock, ...(flags.limit === undefined ? {} : { limit: flags.limit }) });
      deps.writeOut(flags.json ? `${JSON.stringify(entries, null, 2)}\n` : formatHistory(entries));
    });
