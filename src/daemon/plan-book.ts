/**
 * @module
 * The day's plan as the daemon works through it: made once per zoned date and kept in the state store, so a
 * restarted daemon, or another one on the same store, finds the same entries instead of rolling the dice again;
 * each entry claimed in one transaction with the group's minimum interval and the global cap, then finished
 * exactly once.
 */
import type { ClaimResult, ScheduleEntryStatus } from '../state/index.js';

/** The statuses an entry goes through: planned → running → done or skipped, or planned → missed. */
export type EntryStatus = ScheduleEntryStatus;

/** One entry of a day's plan, with where it stands. */
export interface PlannedEntry {
  readonly id: string;
  readonly group: string;
  readonly monkey: 'chaos';
  /** Epoch ms. */
  readonly at: number;
  readonly timeZone: string;
  /** `HH:MM` in the entry's zone. */
  readonly localTime: string;
  readonly status: EntryStatus;
  readonly reason?: string;
  /** When the status last changed, epoch ms. */
  readonly updatedAt?: number;
}

/** A day's plan and its entries' statuses. */
export interface PlanView {
  readonly key: string;
  readonly date: string;
  readonly timeZone: string;
  readonly seed: number;
  readonly entries: readonly PlannedEntry[];
}

/** The plans of the daemon's days. */
export interface PlanBook {
  /** Today's plan (in the schedule's zone), made now if this is the first time anyone asks. */
  today(now: number): PlanView;
  /**
   * The entries that are due at `now` and not finished, earliest first: today's, tomorrow's (a group in a zone
   * east of the schedule's starts its day before the schedule's does) and yesterday's if it was planned.
   */
  due(now: number): PlannedEntry[];
  /** Marks `entry` running if it is still planned, its group is past its minimum interval and the cap allows. */
  claim(entry: PlannedEntry, now: number): ClaimResult;
  finish(entryId: string, status: 'done' | 'skipped' | 'missed', reason?: string): void;
}
