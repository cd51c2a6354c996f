/**
 * @module
 * What every front end shows as the history: the faults, terminations and refused decisions the state store holds,
 * newest first, read without taking a write lock (a running stack or daemon keeps writing).
 */
import { existsSync } from 'node:fs';
import type { Clock } from '../core/clock.js';
import type { SimianConfig } from '../config/simian-config.js';
import type { HistoryEntry } from '../state/records.js';
import { StateStore } from '../state/state-store.js';

/**
 * The newest `limit` entries (all when absent) of the configuration's state store; none when it does not exist
 * yet (nothing ever happened there).
 *
 * @throws InvalidInputError `state.invalidQuery` for a bad limit; SimianError when the store cannot be read
 */
export function readHistory(config: Pick<SimianConfig, 'stateStorePath'>, options: { readonly clock: Clock; readonly limit?: number }): HistoryEntry[] {
  if (!existsSync(config.stateStorePath)) return [];
  const store = StateStore.open(config.stateStorePath, { clock: options.clock, readOnly: true });
  try {
    return store.history(options.limit === undefined ? {} : { limit: options.limit });
  } finally {
    store.close();
  }
}
