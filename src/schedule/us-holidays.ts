/**
 * @module
 * The built-in US holiday calendar (`holidays: ['us']`), computed by rule for any year: the days engineers are
 * unlikely to be at their desks to answer a rampaging monkey. It follows SimianArmy's list, with one fix: the day
 * after Thanksgiving is Thanksgiving + 1, not "the 4th Friday of November", which SimianArmy took for it and which
 * is a week early whenever 1 November is a Friday (2019, 2024, 2030).
 */
import { DateTime } from 'luxon';

/** One holiday: its ISO date (`2026-11-27`) and its name. */
export interface Holiday {
  readonly date: string;
  readonly name: string;
}

/** The date of the `n`th `weekday` (luxon's: Monday 1 … Sunday 7) of `month` in `year`. */
function nthWeekday(year: number, month: number, weekday: number, n: number): DateTime {
  const first = DateTime.utc(year, month, 1);
  return first.plus({ days: ((weekday - first.weekday + 7) % 7) + 7 * (n - 1) });
}

/** The last `weekday` of `month` in `year`. */
function lastWeekday(year: number, month: number, weekday: number): DateTime {
  const last = DateTime.utc(year, month, 1).endOf('month').startOf('day');
  return last.minus({ days: (last.weekday - weekday + 7) % 7 });
}

/** A fixed-date holiday observed on the nearest weekday: Saturday moves to Friday, Sunday to Monday. */
function observed(year: number, month: number, day: number): DateTime {
  const date = DateTime.utc(year, month, day);
  if (date.weekday === 6) return date.minus({ days: 1 });
  if (date.weekday === 7) return date.plus({ days: 1 });
  return date;
}

const iso = (date: DateTime): string => date.toISODate()!;

/**
 * The US holidays observed in `year`, in date order. New Year's Day observed on a Saturday falls on 31 December of
 * the year before; it is listed under the year it is observed in, so both years' lists are consulted by
 * {@link isUsHoliday}.
 *
 * @example
 * usHolidays(2024).find((h) => h.name === 'Day after Thanksgiving')?.date; // '2024-11-29'
 */
export function usHolidays(year: number): Holiday[] {
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  const list: Array<[DateTime, string]> = [
    [observed(year, 1, 1), "New Year's Day"],
    [nthWeekday(year, 1, 1, 3), 'Martin Luther King Jr. Day'],
    [nthWeekday(year, 2, 1, 3), "Presidents' Day"],
    [lastWeekday(year, 5, 1), 'Memorial Day'],
    [observed(year, 7, 4), 'Independence Day'],
    [nthWeekday(year, 9, 1, 1), 'Labor Day'],
    [nthWeekday(year, 10, 1, 2), 'Columbus Day'],
    [observed(year, 11, 11), 'Veterans Day'],
    [thanksgiving, 'Thanksgiving'],
    [thanksgiving.plus({ days: 1 }), 'Day after Thanksgiving'],
    [DateTime.utc(year, 12, 24), 'Christmas Eve'],
    [DateTime.utc(year, 12, 25), 'Christmas Day'],
    [DateTime.utc(year, 12, 26), 'Day after Christmas'],
    [DateTime.utc(year, 12, 31), "New Year's Eve"],
  ];
  return list.map(([date, name]) => ({ date: iso(date), name })).sort((a, b) => a.date.localeCompare(b.date));
}

const cache = new Map<number, ReadonlySet<string>>();

/** The holiday dates observed in `year`, computed once per year. */
function holidayDates(year: number): ReadonlySet<string> {
  let dates = cache.get(year);
  if (!dates) {
    dates = new Set(usHolidays(year).map((h) => h.date));
    cache.set(year, dates);
  }
  return dates;
}

/** Whether the ISO date `date` is a US holiday (its own year's, or next year's New Year observed on 31 December). */
export function isUsHoliday(date: string): boolean {
  const year = Number(date.slice(0, 4));
  return holidayDates(year).has(date) || holidayDates(year + 1).has(date);
}
