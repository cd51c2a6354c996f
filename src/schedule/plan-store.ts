/**
 * @module
 * Day plans kept in the state store: what the daemon asks each morning and after every restart. A day's plan is
 * built once (the first process to ask stores it) and read back ever after, so a restart neither re-rolls the day
 * nor faults twice; each fault is claimed under the minimum interval and the global cap in the same transaction
 * that marks it running.
 */
import type { ClaimResult, ScheduleEntryState, StateStore, StoredPlan } from '../state/index.js';
import type { BusinessCalendar } from './business-calendar.js';
import { calendarOf, planDay, type DayPlan, type PlanEntry } from './day-plan.js';
import type { ScheduleConfig, ScheduleGroupConfig } from './schedule-config.js';

/**
 * The schedule's plans over one state store.
 *
 * @example
 * const plans = new PlanStore(store, config.schedule);
 * const { plan } = plans.planFor('2026-03-09', seed);
 * for (const entry of plan.entries) if (entry.at <= clock.now() && plans.claim(entry, clock.now()).claimed) fault(entry);
 */
export class PlanStore {
  constructor(
    private readonly store: StateStore,
    private readonly config: ScheduleConfig,
  ) {}

  /** The plan of the zoned date `date`: the stored one, or one planned now with `seed` and stored. */
  planFor(date: string, seed: number): StoredPlan<DayPlan> {
    return this.store.loadOrCreatePlan(date, () => planDay({ date, config: this.config, seed }));
  }

  /** The calendar of `group`: its own, or the schedule's zone and hours for a group no longer configured. */
  calendarOf(group: string): BusinessCalendar {
    const configured = this.config.groups.find((g) => g.name === group);
    const fallback: ScheduleGroupConfig = { name: group, mtbk: { kind: 'workDays', workDays: 1 }, maxPerDay: 1, timeZone: this.config.timeZone, hours: this.config.hours };
    return calendarOf(configured ?? fallback, this.config);
  }

  /** The earliest start of an earlier fault of `group` that still blocks one at `now`: `minInterval` work days back. */
  notBefore(group: string, now: number): number {
    return this.calendarOf(group).minIntervalStart(now, this.config.minIntervalWorkDays);
  }

  /** Claims `entry` at `now`: still planned, outside its group's minimum interval, under `maxActive`. */
  claim(entry: Pick<PlanEntry, 'id' | 'group'>, now: number): ClaimResult {
    return this.store.claimEntry(entry.id, entry.group, now, this.notBefore(entry.group, now), { maxRunning: this.config.maxActive });
  }

  /** Records the outcome of an entry (see `StateStore.finishEntry`); false when it was already finished. */
  finish(entryId: string, status: 'done' | 'skipped' | 'missed', reason?: string): boolean {
    return this.store.finishEntry(entryId, status, reason);
  }

  /** The progress of the entries of the plan of `date`. */
  entries(date: string): ScheduleEntryState[] {
    return this.store.entriesOf(date);
  }
}
