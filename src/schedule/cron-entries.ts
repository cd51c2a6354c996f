/**
 * @module
 * Experiments on cron expressions, read by the `cron` package in the entry's IANA zone (DST included: a time in
 * a spring-forward gap runs at the end of the gap, one in an autumn overlap runs once). What to run is computed
 * from the last run and the time now, never from timers that fired, so a daemon that was down catches up the
 * Chaos Mesh way without its ">100 missed start times" failure: the latest time still within the starting
 * deadline runs, once; older ones are reported missed and never run.
 */
import { CronTime } from 'cron';
import { InvalidInputError } from '../core/errors.js';
import type { CronExperimentConfig } from './schedule-config.js';

/** The code of the error for a cron entry that cannot be read. */
export const CRON_INVALID = 'schedule.invalidCron';

/** How many missed times a catch-up lists (the latest ones); the count goes on. */
export const MAX_LISTED_MISSED = 100;
/** How many times one catch-up walks through before jumping to the deadline (a `* * * * * *` entry down for days). */
const MAX_STEPS = 10_000;

/** What a cron entry needs: its expression and zone, and for catch-up its starting deadline. */
export type CronEntry = Pick<CronExperimentConfig, 'name' | 'cron' | 'timeZone'> & Partial<Pick<CronExperimentConfig, 'startingDeadlineMs' | 'concurrency'>>;

const parsed = new WeakMap<CronEntry, CronTime>();

/**
 * The parsed expression of `entry`, validated by the `cron` package.
 *
 * @throws {InvalidInputError} `schedule.invalidCron` naming `experiments.<name>.cron` or `.timeZone`
 */
export function cronTimeOf(entry: CronEntry): CronTime {
  const known = parsed.get(entry);
  if (known) return known;
  let time: CronTime;
  try {
    time = new CronTime(entry.cron, entry.timeZone);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const field = /time ?zone/i.test(message) ? 'timeZone' : 'cron';
    const value = field === 'cron' ? entry.cron : entry.timeZone;
    throw new InvalidInputError(CRON_INVALID, `experiments.${entry.name}.${field}: ${message} (${JSON.stringify(value)})`, { cause: error });
  }
  parsed.set(entry, time);
  return time;
}

/** The first time of `entry` strictly after `after` (epoch ms). */
export function nextCronRun(entry: CronEntry, after: number): number {
  return cronTimeOf(entry).getNextDateFrom(new Date(after), entry.timeZone).toMillis();
}

/**
 * The times of `entry` in `(fromExclusive, toInclusive]`, at most `limit` of them (the first ones).
 *
 * @example
 * cronRunTimes({ name: 'n', cron: '0 10 * * 1-5', timeZone: 'Asia/Tokyo' }, from, to); // epoch ms, ascending
 */
export function cronRunTimes(entry: CronEntry, fromExclusive: number, toInclusive: number, limit = 1000): number[] {
  const times: number[] = [];
  for (let t = nextCronRun(entry, fromExclusive); t <= toInclusive && times.length < limit; t = nextCronRun(entry, t)) times.push(t);
  return times;
}

/** What a cron entry should do now. */
export interface DueCronRun {
  /** The time to run for now, if any: the latest one within the starting deadline. */
  readonly due?: number;
  /** How many earlier times within the deadline `due` stands for (catch-up runs once, not once per time). */
  readonly collapsedCount: number;
  /** Times older than the deadline: recorded as missed, never run. The latest {@link MAX_LISTED_MISSED}. */
  readonly missed: readonly number[];
  /** How many times were missed in all; a lower bound when `missedCountExact` is false. */
  readonly missedCount: number;
  readonly missedCountExact: boolean;
  /** The next time after now. */
  readonly next: number;
}

/**
 * What `entry` should run at `now`, given `after`: the time of its last run, or, for an entry never run, when the
 * daemon started watching it (so a new entry waits for its first time instead of running at once, Chaos Mesh's
 * #1379).
 */
export function dueCronRun(entry: CronEntry, at: { readonly after: number; readonly now: number }): DueCronRun {
  const deadlineStart = at.now - (entry.startingDeadlineMs ?? 0);
  const missed: number[] = [];
  let missedCount = 0;
  let exact = true;
  let t = nextCronRun(entry, at.after);
  for (; t < deadlineStart && t <= at.now; t = nextCronRun(entry, t)) {
    missedCount++;
    missed.push(t);
    if (missed.length > MAX_LISTED_MISSED) missed.shift();
    if (missedCount >= MAX_STEPS) {
      // Down for long on a fast expression: the rest before the deadline is skipped unseen, and said to be.
      exact = false;
      t = nextCronRun(entry, deadlineStart - 1);
      break;
    }
  }
  let due: number | undefined;
  let collapsedCount = 0;
  for (; t <= at.now; t = nextCronRun(entry, t)) {
    if (due !== undefined) collapsedCount++;
    due = t;
  }
  return { ...(due === undefined ? {} : { due }), collapsedCount, missed, missedCount, missedCountExact: exact, next: t };
}

/**
 * Whether the concurrency policy lets a new run of the entry start while `activeRuns` of it are active: `forbid`
 * (the default) only when none is, `allow` always.
 */
export function concurrencyAllows(entry: CronEntry, activeRuns: number): boolean {
  return (entry.concurrency ?? 'forbid') === 'allow' || activeRuns === 0;
}
