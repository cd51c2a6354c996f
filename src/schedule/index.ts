/**
 * @module
 * The daemon's scheduler: zoned business calendars, day plans from the mean time between kills, cron experiments,
 * the `schedule:` config section, and plans kept in the state store.
 */
export { BusinessCalendar, CALENDAR_INVALID, WEEKDAYS, addDays, formatMinutes, isIsoDate, isValidTimeZone, minutesOfDay, weekdayOf } from './business-calendar.js';
export type { CalendarSpec, HolidaySource, Weekday } from './business-calendar.js';
export { isUsHoliday, usHolidays } from './us-holidays.js';
export type { Holiday } from './us-holidays.js';
export { calendarOf, coinsOf, expectedFaultsPerDay, planDay } from './day-plan.js';
export type { Coins, DayPlan, PlanDayInput, PlanEntry } from './day-plan.js';
export { drawsFor, hash32, planSeed } from './plan-seed.js';
export type { PlanSeed } from './plan-seed.js';
export { CRON_INVALID, MAX_LISTED_MISSED, concurrencyAllows, cronRunTimes, cronTimeOf, dueCronRun, nextCronRun } from './cron-entries.js';
export type { CronEntry, DueCronRun } from './cron-entries.js';
export {
  DEFAULT_BUSINESS_HOURS,
  DEFAULT_MTBK_WORK_DAYS,
  DEFAULT_SCHEDULE_TIME_ZONE,
  DEFAULT_STARTING_DEADLINE_MS,
  defaultScheduleConfig,
  formatMtbk,
  resolveScheduleConfig,
  scheduleConfigSchema,
  toScheduleDocument,
} from './schedule-config.js';
export type { BusinessHours, ConcurrencyPolicy, CronExperimentConfig, Mtbk, ParsedScheduleConfig, ScheduleConfig, ScheduleGroupConfig } from './schedule-config.js';
export { PlanStore } from './plan-store.js';
