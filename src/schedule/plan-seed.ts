/**
 * @module
 * Where a plan's randomness comes from. Each group's draws on each day come from their own
 * `SeededRandom(hash(seed, date, group))`, so adding a group or moving a day never changes another group's draws,
 * and the same seed and config give the same plan on every machine.
 */
import { SeededRandom } from '../core/random.js';
import type { ScheduleConfig } from './schedule-config.js';

/** FNV-1a over the UTF-16 code units of `text`: a stable 32-bit hash, the same on every machine. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The generator of one group's draws on one zoned date. */
export function drawsFor(seed: number, date: string, group: string): SeededRandom {
  // A JSON array keeps the parts apart: ("a/b", "c") and ("a", "b/c") are different inputs.
  return new SeededRandom(hash32(JSON.stringify([seed, date, group])));
}

/** The seed a plan uses, and whether the configuration gave it or it was derived. */
export interface PlanSeed {
  readonly seed: number;
  readonly source: 'flag' | 'config' | 'derived';
}

/**
 * The seed of the plans: `override` (a `--seed` flag) if given, else `schedule.seed`, else a hash of the schedule
 * section's calendar and groups. The derived seed is stable while the section does not change (the daemon and `simian schedule
 * show` derive the same one), and changes when it does, like a re-roll.
 */
export function planSeed(config: ScheduleConfig, override?: number): PlanSeed {
  if (override !== undefined) return { seed: override, source: 'flag' };
  if (config.seed !== undefined) return { seed: config.seed, source: 'config' };
  // Only what shapes the plan: experiment paths are absolute, and a seed must not change with the checkout's folder.
  const { timeZone, hours, runDays, holidays, groups } = config;
  return { seed: hash32(JSON.stringify({ timeZone, hours, runDays, holidays, groups })), source: 'derived' };
}
