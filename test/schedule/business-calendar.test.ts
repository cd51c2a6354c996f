import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { BusinessCalendar } from '../../src/schedule/business-calendar.js';
import { isUsHoliday, usHolidays } from '../../src/schedule/us-holidays.js';

const iso = (ms: number) => new Date(ms).toISOString();
const ny = new BusinessCalendar({ timeZone: 'America/New_York', hours: { start: '09:00', end: '15:00' }, holidays: ['us'] });

describe('BusinessCalendar: wall times across DST', () => {
  it('moves a time in the spring-forward gap forward by the gap (America/New_York, 2026-03-08)', () => {
    expect(iso(ny.instantOf('2026-03-08', '02:30'))).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
    expect(ny.localTimeOf(ny.instantOf('2026-03-08', '02:30'))).toBe('03:30');
    expect(iso(ny.instantOf('2026-03-08', '01:59'))).toBe('2026-03-08T06:59:00.000Z'); // still EST
    expect(iso(ny.instantOf('2026-03-08', '03:00'))).toBe('2026-03-08T07:00:00.000Z'); // EDT
  });

  it('takes the first occurrence of a time in the autumn overlap (America/New_York, 2026-11-01), so it happens once', () => {
    const first = ny.instantOf('2026-11-01', '01:30');
    expect(iso(first)).toBe('2026-11-01T05:30:00.000Z'); // 01:30 EDT, not 01:30 EST (06:30Z)
    expect(ny.dateOf(first)).toBe('2026-11-01');
    expect(iso(ny.instantOf('2026-11-01', '02:00'))).toBe('2026-11-01T07:00:00.000Z'); // EST
  });

  it('takes the first occurrence in zones where luxon itself would pick the second (Europe/London) and the first (Pacific/Auckland)', () => {
    const london = new BusinessCalendar({ timeZone: 'Europe/London', hours: { start: '09:00', end: '15:00' } });
    expect(iso(london.instantOf('2026-10-25', '01:30'))).toBe('2026-10-25T00:30:00.000Z'); // BST, the first
    const auckland = new BusinessCalendar({ timeZone: 'Pacific/Auckland', hours: { start: '09:00', end: '15:00' } });
    expect(iso(auckland.instantOf('2026-04-05', '02:30'))).toBe('2026-04-04T13:30:00.000Z'); // NZDT +13, the first
  });

  it('business hours keep their wall times on both sides of a change', () => {
    expect(ny.businessHoursOf('2026-03-06')).toEqual({ start: Date.parse('2026-03-06T14:00:00Z'), end: Date.parse('2026-03-06T20:00:00Z') });
    expect(ny.businessHoursOf('2026-03-09')).toEqual({ start: Date.parse('2026-03-09T13:00:00Z'), end: Date.parse('2026-03-09T19:00:00Z') });
    expect(ny.businessHoursOf('2026-11-02')).toEqual({ start: Date.parse('2026-11-02T14:00:00Z'), end: Date.parse('2026-11-02T20:00:00Z') });
  });
});

describe('BusinessCalendar: zones far from UTC', () => {
  it('reads dates in its own zone, not in UTC', () => {
    const kiritimati = new BusinessCalendar({ timeZone: 'Pacific/Kiritimati', hours: { start: '09:00', end: '15:00' } }); // UTC+14
    const at = kiritimati.instantOf('2026-03-09', '09:00');
    expect(iso(at)).toBe('2026-03-08T19:00:00.000Z'); // the UTC date is the day before
    expect(kiritimati.dateOf(at)).toBe('2026-03-09');
    const tokyo = new BusinessCalendar({ timeZone: 'Asia/Tokyo', hours: { start: '09:00', end: '15:00' } });
    expect(tokyo.dateOf(Date.parse('2026-03-08T23:30:00Z'))).toBe('2026-03-09');
  });
});

describe('BusinessCalendar: work days', () => {
  it('runs Monday to Friday by default, and only on the run days given', () => {
    expect(['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09'].map((d) => ny.isWorkDay(d))).toEqual([true, false, false, true]);
    const weekend = new BusinessCalendar({ timeZone: 'UTC', hours: { start: '09:00', end: '15:00' }, runDays: [6, 7] });
    expect(['2026-03-06', '2026-03-07', '2026-03-08'].map((d) => weekend.isWorkDay(d))).toEqual([false, true, true]);
  });

  it('skips explicit holidays and the US ones', () => {
    const cal = new BusinessCalendar({ timeZone: 'UTC', hours: { start: '09:00', end: '15:00' }, holidays: ['2026-03-10'] });
    expect(cal.isWorkDay('2026-03-10')).toBe(false);
    expect(cal.isWorkDay('2026-11-26')).toBe(true); // no 'us': Thanksgiving is a work day
    expect(ny.isWorkDay('2026-11-26')).toBe(false);
    expect(ny.isWorkDay('2026-11-27')).toBe(false);
  });

  it('counts work days back over weekends and holidays, and gives the minimum interval as the end of business then', () => {
    expect(ny.workDaysBefore('2026-03-09', 1)).toBe('2026-03-06'); // Monday → Friday
    expect(ny.workDaysBefore('2026-11-30', 1)).toBe('2026-11-25'); // over Thanksgiving, the day after and the weekend
    expect(ny.workDaysBefore('2026-03-09', 0)).toBe('2026-03-09');
    expect(iso(ny.minIntervalStart(Date.parse('2026-03-09T15:00:00Z'), 1))).toBe('2026-03-06T20:00:00.000Z'); // Fri 15:00 EST
  });

  it('refuses a zone, hours or holiday it cannot read, naming the field', () => {
    const bad = (spec: ConstructorParameters<typeof BusinessCalendar>[0]) => {
      try {
        new BusinessCalendar(spec);
      } catch (error) {
        expect(isSimianError(error, 'schedule.invalidCalendar')).toBe(true);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(bad({ timeZone: 'Mars/Olympus', hours: { start: '09:00', end: '15:00' } })).toMatch(/^timeZone: /);
    expect(bad({ timeZone: 'UTC', hours: { start: '9am', end: '15:00' } })).toMatch(/^hours.start: /);
    expect(bad({ timeZone: 'UTC', hours: { start: '15:00', end: '09:00' } })).toMatch(/^hours.end: must be later/);
    expect(bad({ timeZone: 'UTC', hours: { start: '09:00', end: '15:00' }, holidays: ['2026-02-30'] })).toMatch(/^holidays: /);
  });
});

describe('US holidays', () => {
  const dayAfterThanksgiving = (year: number) => usHolidays(year).find((h) => h.name === 'Day after Thanksgiving')?.date;

  it('puts the day after Thanksgiving on Thanksgiving + 1, also when 1 November is a Friday (2019, 2024, 2030)', () => {
    expect(dayAfterThanksgiving(2019)).toBe('2019-11-29'); // SimianArmy's "4th Friday" said 22 November
    expect(dayAfterThanksgiving(2024)).toBe('2024-11-29');
    expect(dayAfterThanksgiving(2026)).toBe('2026-11-27');
    expect(dayAfterThanksgiving(2030)).toBe('2030-11-29');
    expect(isUsHoliday('2024-11-22')).toBe(false);
    expect(isUsHoliday('2024-11-28')).toBe(true);
  });

  it('lists the 2026 calendar', () => {
    expect(usHolidays(2026).map((h) => h.date)).toEqual([
      '2026-01-01', '2026-01-19', '2026-02-16', '2026-05-25', '2026-07-03', '2026-09-07', '2026-10-12', '2026-11-11',
      '2026-11-26', '2026-11-27', '2026-12-24', '2026-12-25', '2026-12-26', '2026-12-31',
    ]);
  });

  it('observes fixed holidays on the nearest weekday: New Year on a Saturday on the Friday before, one on a Sunday on the Monday', () => {
    expect(isUsHoliday('2021-12-31')).toBe(true); // 2022-01-01 is a Saturday
    expect(usHolidays(2022)[0]).toEqual({ date: '2021-12-31', name: "New Year's Day" });
    expect(usHolidays(2023)[0]).toEqual({ date: '2023-01-02', name: "New Year's Day" }); // a Sunday
    expect(isUsHoliday('2027-07-05')).toBe(true); // 4 July 2027 is a Sunday
    expect(isUsHoliday('2026-07-03')).toBe(true); // 4 July 2026 is a Saturday
    expect(isUsHoliday('2026-07-06')).toBe(false);
  });
});
