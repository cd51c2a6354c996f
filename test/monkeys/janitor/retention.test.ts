import { describe, expect, it } from 'vitest';
import { cleanAfter } from '../../../src/monkeys/janitor/retention.js';
import { BusinessCalendar } from '../../../src/schedule/business-calendar.js';

const calendar = new BusinessCalendar({ timeZone: 'America/Los_Angeles', hours: { start: '09:00', end: '15:00' }, holidays: ['2026-12-25'] });

describe('cleanAfter', () => {
  it('is the start of business on the nth work day after the mark, skipping the weekend', () => {
    // Friday 2026-12-04 15:00 in Los Angeles.
    const friday = Date.parse('2026-12-04T23:00:00Z');
    expect(new Date(cleanAfter(calendar, friday, 3)).toISOString()).toBe('2026-12-09T17:00:00.000Z');
    expect(new Date(cleanAfter(calendar, friday, 1)).toISOString()).toBe('2026-12-07T17:00:00.000Z');
  });

  it('skips holidays, so nobody comes back to find a resource gone', () => {
    // Wednesday 2026-12-23: Thursday the 24th, then Friday the 25th is a holiday, then Monday the 28th.
    const wednesday = Date.parse('2026-12-23T18:00:00Z');
    expect(new Date(cleanAfter(calendar, wednesday, 2)).toISOString()).toBe('2026-12-28T17:00:00.000Z');
  });

  it('reads the day of the mark in the calendar zone', () => {
    // 2026-12-08 03:00 UTC is still Monday the 7th in Los Angeles: one work day after is Tuesday the 8th.
    expect(new Date(cleanAfter(calendar, Date.parse('2026-12-08T03:00:00Z'), 1)).toISOString()).toBe('2026-12-08T17:00:00.000Z');
  });
});
