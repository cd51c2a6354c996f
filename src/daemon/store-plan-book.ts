/**
 * @module
 * The daemon's {@link PlanBook} over the state store's plans (`src/schedule/plan-store.ts`): the plan of a zoned
 * date is made by the first daemon that asks, with the schedule's seed, and read back by every later one.
 */
import type { SimianConfig } from '../config/simian-config.js';
import { addDays, BusinessCalendar, PlanStore, planSeed, type DayPlan } from '../schedule/index.js';
import type { ClaimResult, ScheduleEntryState, StateStore } from '../state/index.js';
import type { PlanBook, PlannedEntry, PlanView } from './plan-book.js';

/**
 * The plans of `config.schedule` in `store`.
 *
 * @example
 * const book = storePlanBook(store, config);
 * for (const entry of book.due(clock.now())) if (book.claim(entry, clock.now()).claimed) hit(entry);
 */
export function storePlanBook(store: StateStore, config: SimianConfig): PlanBook {
  const schedule = config.schedule;
  const plans = new PlanStore(store, schedule);
  const zone = new BusinessCalendar({ timeZone: schedule.timeZone, hours: schedule.hours, runDays: schedule.runDays, holidays: schedule.holidays });
  const { seed } = planSeed(schedule);

  const view = (plan: DayPlan): PlanView => {
    const states = new Map<string, ScheduleEntryState>(plans.entries(plan.key).map((s) => [s.id, s]));
    return {
      key: plan.key,
      date: plan.date,
      timeZone: plan.timeZone,
      seed: plan.seed,
      entries: plan.entries.map((entry): PlannedEntry => {
        const state = states.get(entry.id);
        return {
          id: entry.id,
          group: entry.group,
          monkey: entry.monkey,
          at: entry.at,
          timeZone: entry.timeZone,
          localTime: entry.localTime,
          status: state?.status ?? 'planned',
          ...(state?.reason === undefined ? {} : { reason: state.reason }),
          ...(state === undefined ? {} : { updatedAt: state.startedAt ?? state.updatedAt }),
        };
      }),
    };
  };
  const planOf = (date: string): PlanView => view(plans.planFor(date, seed).plan);

  return {
    today: (now) => planOf(zone.dateOf(now)),
    due: (now) => {
      const today = zone.dateOf(now);
      const yesterday = addDays(today, -1);
      // Yesterday's plan only if a daemon made it: a first start does not invent a day nobody watched.
      const days = [...(plans.entries(yesterday).length > 0 ? [planOf(yesterday)] : []), planOf(today), planOf(addDays(today, 1))];
      return days
        .flatMap((day) => day.entries)
        .filter((entry) => entry.at <= now && (entry.status === 'planned' || entry.status === 'running'))
        .sort((a, b) => a.at - b.at);
    },
    claim: (entry, now): ClaimResult => plans.claim(entry, now),
    finish: (entryId, status, reason) => {
      plans.finish(entryId, status, reason);
    },
  };
}
