/**
 * @module
 * `simian history`: the faults and terminations recorded in the state store, newest first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { HistoryEntry } from '../../state/records.js';
import { StateStore } from '../../state/state-store.js';
import type { CommandFactory } from '../command-deps.js';
import { defaultStateStorePath } from '../../config/simian-config.js';
import { formatTable } from '../table.js';

interface HistoryFlags {
  stateDir: string;
  limit?: number;
  json?: boolean;
}

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`expected a whole number >= 1, got "${value}"`);
  return n;
}

/** A table of history entries, one line each. Times are ISO 8601, UTC. */
export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'no faults recorded\n';
  const rows = entries.map((e) => [
    new Date(e.at).toISOString(),
    e.type === 'termination' ? 'terminate' : e.kind,
    e.decision,
    e.monkey,
    e.provider,
    e.group,
    e.type === 'termination' ? e.instanceId : e.targets.join(','),
  ]);
  return formatTable(['AT', 'KIND', 'DECISION', 'MONKEY', 'PROVIDER', 'GROUP', 'TARGETS'], rows);
}

/** The `history` command. */
export const historyCommand: CommandFactory = (deps) =>
  new Command('history')
    .description('List the faults and terminations recorded in the state store, newest first')
    .option('--state-dir <dir>', 'the state directory; the state store is <state-dir>/simian.db', '.simian')
    .option('--limit <n>', 'only the newest n entries', parseLimit)
    .option('--json', 'print as JSON')
    .action((flags: HistoryFlags) => {
      const path = defaultStateStorePath(resolve(flags.stateDir));
      let entries: HistoryEntry[] = [];
      // No store yet means nothing ever happened: an empty history, not an error.
      if (existsSync(path)) {
        const store = StateStore.open(path, { clock: deps.clock, readOnly: true });
        try {
          entries = store.history(flags.limit === undefined ? {} : { limit: flags.limit });
        } finally {
          store.close();
        }
      }
      deps.writeOut(flags.json ? `${JSON.stringify(entries, null, 2)}\n` : formatHistory(entries));
    });
