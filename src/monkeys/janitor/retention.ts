/**
 * @module
 * When a Janitor mark may be cleaned: the start of business on the `n`th work day after the day of the mark, in
 * the schedule's calendar (its zone, run days and holidays). A resource marked on a Friday afternoon with a
 * retention of 3 is not touched before Wednesday morning, and never over a holiday nobody is there to object.
 */
import { SimianError } from '../../core/errors.js';
import { addDays, type BusinessCalendar } from '../../schedule/business-calendar.js';

/**
 * The instant (epoch ms) a resource marked at `markedAt` may be cleaned after a retention of `businessDays`.
 *
 * @throws SimianError `janitor.noWorkDay` when the calendar has no work day within a year (every day a holiday)
 * @example
 * cleanAfter(calendar, Date.parse('2026-12-04T23:00:00Z'), 3); // Wed 2026-12-09 09:00 in the calendar's zone
 */
export function cleanAfter(calendar: BusinessCalendar, markedAt: number, businessDays: number): number {
  let day = calendar.dateOf(markedAt);
  for (let i = 0; i < businessDays; i++) {
    const next = calendar.nextWorkDay(addDays(day, 1));
    if (next === undefined) throw new SimianError('janitor.noWorkDay', `the schedule's calendar has no work day in the year after ${day}: the Janitor would never clean`, { exitCode: 2 });
    day = next;
  }
  return calendar.businessHoursOf(day).start;
}
