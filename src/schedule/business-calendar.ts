/**
 * @module
 * The calendar of a group: which zoned dates are work days (run days minus holidays) and when, as instants, its
 * business hours fall on each. Every date here is a *zoned* date, an ISO `YYYY-MM-DD` in the calendar's IANA zone,
 * so the host's zone never enters: Chaos Monkey v2 and kube-monkey took "today" from the host and planned Tokyo's
 * kills on the wrong day. Wall times become instants by two rules, the same every time:
 *
 * - a wall time that does not exist (the spring-forward gap) moves forward by the gap: 02:30 → 03:30;
 * - a wall time that happens twice (the autumn overlap) takes its first occurrence, so it happens once.
 */
import { DateTime, IANAZone } from 'luxon';
import { InvalidInputError } from '../core/errors.js';
import { isUsHoliday } from './us-holidays.js';

/** A day of the week as luxon numbers it: Monday 1 … Sunday 7. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Monday to Friday, the default run days. */
export const WEEKDAYS: readonly Weekday[] = [1, 2, 3, 4, 5];

/** `us` (the built-in US calendar, `us-holidays.ts`) or an explicit ISO date such as `2026-12-28`. */
export type HolidaySource = 'us' | string;

/** What a calendar is made of. */
export interface CalendarSpec {
  /** An IANA zone, such as `America/Los_Angeles`. */
  readonly timeZone: string;
  /** Business hours as local wall times `HH:MM`; `end` is exclusive, and later than `start` on the same day. */
  readonly hours: { readonly start: string; readonly end: string };
  /** The days of the week faults may happen on. @default Monday to Friday */
  readonly runDays?: readonly Weekday[];
  /** Days that are never work days. @default [] */
  readonly holidays?: readonly HolidaySource[];
}

/** The code of the error for a calendar that cannot be built (a bad zone, bad hours, a bad date). */
export const CALENDAR_INVALID = 'schedule.invalidCalendar';

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Minutes after midnight of a `HH:MM` wall time; undefined if it is not one. */
export function minutesOfDay(time: string): number | undefined {
  const match = HH_MM.exec(time);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/** `HH:MM` of minutes after midnight (0 … 1439). */
export function formatMinutes(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

const zoneValidity = new Map<string, boolean>();

/** Whether `zone` is an IANA zone luxon knows (`UTC` included). Remembered: asking Intl costs a fraction of a ms. */
export function isValidTimeZone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/** Whether `date` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(date: string): boolean {
  return ISO_DATE.test(date) && DateTime.fromISO(date, { zone: 'UTC' }).isValid;
}

/** Epoch ms of midnight UTC of the ISO date `date`: calendar arithmetic on dates, which have no zone. */
function utcMidnight(date: string): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}

/** The ISO date `days` after (or before, negative) the ISO date `date`. */
export function addDays(date: string, days: number): string {
  return new Date(utcMidnight(date) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The day of the week of the ISO date `date`. */
export function weekdayOf(date: string): Weekday {
  return (((new Date(utcMidnight(date)).getUTCDay() + 6) % 7) + 1) as Weekday;
}

/**
 * A group's business calendar in its IANA zone.
 *
 * @example
 * const calendar = new BusinessCalendar({ timeZone: 'America/New_York', hours: { start: '09:00', end: '15:00' }, holidays: ['us'] });
 * calendar.isWorkDay('2026-11-27');             // false: the day after Thanksgiving
 * calendar.instantOf('2026-03-08', '02:30');    // 2026-03-08T03:30-04:00 as epoch ms: the gap moves it forward
 */
export class BusinessCalendar {
  readonly timeZone: string;
  /** Start of business, minutes after local midnight. */
  readonly startMinute: number;
  /** End of business (exclusive), minutes after local midnight. */
  readonly endMinute: number;
  readonly runDays: readonly Weekday[];
  private readonly usHolidays: boolean;
  private readonly explicitHolidays: ReadonlySet<string>;

  /** @throws {InvalidInputError} `schedule.invalidCalendar` for an unknown zone, bad hours or a bad holiday. */
  constructor(spec: CalendarSpec) {
    if (!isValidTimeZone(spec.timeZone)) throw new InvalidInputError(CALENDAR_INVALID, `timeZone: unknown IANA time zone ${JSON.stringify(spec.timeZone)}`);
    const start = minutesOfDay(spec.hours.start);
    const end = minutesOfDay(spec.hours.end);
    if (start === undefined) throw new InvalidInputError(CALENDAR_INVALID, `hours.start: expected HH:MM, got ${JSON.stringify(spec.hours.start)}`);
    if (end === undefined) throw new InvalidInputError(CALENDAR_INVALID, `hours.end: expected HH:MM, got ${JSON.stringify(spec.hours.end)}`);
    if (end <= start) throw new InvalidInputError(CALENDAR_INVALID, `hours.end: must be later than hours.start (${spec.hours.start}), got ${spec.hours.end}`);
    const holidays = spec.holidays ?? [];
    for (const h of holidays) {
      if (h !== 'us' && !isIsoDate(h)) throw new InvalidInputError(CALENDAR_INVALID, `holidays: expected "us" or a date YYYY-MM-DD, got ${JSON.stringify(h)}`);
    }
    this.timeZone = spec.timeZone;
    this.startMinute = start;
    this.endMinute = end;
    this.runDays = [...(spec.runDays ?? WEEKDAYS)];
    this.usHolidays = holidays.includes('us');
    this.explicitHolidays = new Set(holidays.filter((h) => h !== 'us'));
  }

  /** Length of the business day in wall-clock minutes (a DST change inside the hours does not shorten it). */
  get businessMinutes(): number {
    return this.endMinute - this.startMinute;
  }

  /** Whether the zoned date is a holiday of this calendar. */
  isHoliday(date: string): boolean {
    return this.explicitHolidays.has(date) || (this.usHolidays && isUsHoliday(date));
  }

  /** Whether faults may happen on the zoned date `date` (`YYYY-MM-DD`): a run day and no holiday. */
  isWorkDay(date: string): boolean {
    return this.runDays.includes(weekdayOf(date)) && !this.isHoliday(date);
  }

  /** The zoned date (`YYYY-MM-DD` in this calendar's zone) of the instant `epochMs`. */
  dateOf(epochMs: number): string {
    return DateTime.fromMillis(epochMs, { zone: this.timeZone }).toISODate()!;
  }

  /** The local wall time `HH:MM` of the instant `epochMs` in this calendar's zone. */
  localTimeOf(epochMs: number): string {
    return DateTime.fromMillis(epochMs, { zone: this.timeZone }).toFormat('HH:mm');
  }

  /**
   * The instant (epoch ms) of the wall time `time` (`HH:MM`, or minutes after midnight) on the zoned date `date`:
   * a time in a spring-forward gap moves forward by the gap, and one in an autumn overlap is its first occurrence.
   */
  instantOf(date: string, time: string | number): number {
    const minutes = typeof time === 'number' ? time : minutesOfDay(time);
    if (minutes === undefined || minutes < 0 || minutes >= 24 * 60) throw new InvalidInputError(CALENDAR_INVALID, `expected a wall time HH:MM, got ${JSON.stringify(time)}`);
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const wall = { year, month, day, hour: Math.floor(minutes / 60), minute: minutes % 60 };
    // luxon already moves a time in a gap forward by the gap; in an overlap it may take either occurrence (it
    // differs between zones), so every offset the zone has around that day is tried and the earliest match kept.
    const chosen = DateTime.fromObject(wall, { zone: this.timeZone });
    const wallAsUtc = Date.UTC(year, month - 1, day, wall.hour, wall.minute);
    const offsets = new Set([chosen.offset, ...[-1, 1].map((d) => DateTime.fromMillis(wallAsUtc + d * 86_400_000, { zone: this.timeZone }).offset)]);
    let earliest = chosen.toMillis();
    for (const offset of offsets) {
      const candidate = wallAsUtc - offset * 60_000;
      const local = DateTime.fromMillis(candidate, { zone: this.timeZone });
      if (local.hour === wall.hour && local.minute === wall.minute && local.day === day && candidate < earliest) earliest = candidate;
    }
    return earliest;
  }

  /** The instants business starts and ends (exclusive) on the zoned date `date`. */
  businessHoursOf(date: string): { readonly start: number; readonly end: number } {
    return { start: this.instantOf(date, this.startMinute), end: this.instantOf(date, this.endMinute) };
  }

  /** The work day `n` work days before the zoned date `date` (not counting `date` itself); `n = 0` is `date`. */
  workDaysBefore(date: string, n: number): string {
    let day = date;
    for (let left = n; left > 0; ) {
      day = addDays(day, -1);
      if (this.isWorkDay(day)) left--;
    }
    return day;
  }

  /** The first work day on or after the zoned date `date`, looking at most a year ahead; undefined when none. */
  nextWorkDay(date: string): string | undefined {
    for (let i = 0, day = date; i <= 366; i++, day = addDays(day, 1)) if (this.isWorkDay(day)) return day;
    return undefined;
  }

  /**
   * The earliest instant a fault of a group may have had for another fault at `epochMs` to respect a minimum
   * interval of `workDays` work days: the end of business `workDays` work days before the fault's zoned date, as
   * Chaos Monkey v2 computes it. Faults at or after it are too recent. With 0, it is the end of business today, so
   * nothing earlier the same day blocks (set it to 0 for several faults a day).
   */
  minIntervalStart(epochMs: number, workDays: number): number {
    const day = this.workDaysBefore(this.dateOf(epochMs), workDays);
    return this.instantOf(day, this.endMinute);
  }
}
