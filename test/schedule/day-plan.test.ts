import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { addDays, BusinessCalendar } from '../../src/schedule/business-calendar.js';
import { coinsOf, expectedFaultsPerDay, planDay } from '../../src/schedule/day-plan.js';
import { planSeed } from '../../src/schedule/plan-seed.js';
import { resolveScheduleConfig, scheduleConfigSchema, type ScheduleConfig } from '../../src/schedule/schedule-config.js';

const schedule = (section: Record<string, unknown>): ScheduleConfig => resolveScheduleConfig(scheduleConfigSchema.parse(section));

/** `count` consecutive dates from `from`. */
const dates = (from: string, count: number) => Array.from({ length: count }, (_, i) => addDays(from, i));

describe('planDay', () => {
  const config = schedule({ timeZone: 'America/New_York', groups: [{ name: 'api', mtbk: 1 }, { name: 'catalog', mtbk: 2 }, { name: 'billing', mtbk: 3 }] });

  it('gives the same plan for the same seed and config, and another one for another seed', () => {
    const days = dates('2026-03-02', 30);
    const a = days.map((date) => planDay({ date, config, seed: 7 }));
    const b = days.map((date) => planDay({ date, config, seed: 7 }));
    const c = days.map((date) => planDay({ date, config, seed: 8 }));
    expect(b).toEqual(a);
    expect(c.map((p) => p.entries)).not.toEqual(a.map((p) => p.entries));
    expect(a.flatMap((p) => p.entries).length).toBeGreaterThan(20);
  });

  it('draws each group independently: adding or removing a group changes no other group', () => {
    const alone = schedule({ timeZone: 'America/New_York', groups: [{ name: 'catalog', mtbk: 2 }] });
    for (const date of dates('2026-03-02', 20)) {
      const together = planDay({ date, config, seed: 3 }).entries.filter((e) => e.group === 'catalog');
      expect(planDay({ date, config: alone, seed: 3 }).entries).toEqual(together);
    }
    // Two groups alike draw apart: their draws come from the group's own generator, not one shared by all.
    const twins = schedule({ groups: [{ name: 'a', mtbk: 1 }, { name: 'b', mtbk: 1 }] });
    const sameMinute = dates('2026-03-02', 12).filter((date) => {
      const entries = planDay({ date, config: twins, seed: 3 }).entries;
      return entries.length === 2 && entries[0]!.at === entries[1]!.at;
    });
    expect(sameMinute.length).toBeLessThan(3);
  });

  it('plans inside business hours on the zoned date, sorted by time, with stable ids', () => {
    const plan = planDay({ date: '2026-03-09', config, seed: 11 });
    expect(plan).toMatchObject({ key: '2026-03-09', date: '2026-03-09', timeZone: 'America/New_York', seed: 11 });
    const api = plan.entries.find((e) => e.group === 'api')!; // mtbk 1: every work day
    expect(api).toMatchObject({ id: '2026-03-09/api/1', date: '2026-03-09', monkey: 'chaos', timeZone: 'America/New_York' });
    for (const e of plan.entries) {
      const local = DateTime.fromMillis(e.at, { zone: 'America/New_York' });
      expect(local.toISODate()).toBe('2026-03-09');
      expect(local.toFormat('HH:mm')).toBe(e.localTime);
      expect(e.localTime >= '09:00' && e.localTime < '15:00').toBe(true);
    }
    expect(plan.entries.map((e) => e.at)).toEqual([...plan.entries.map((e) => e.at)].sort((x, y) => x - y));
  });

  it('plans nothing on weekends and holidays, even with a coin that always says yes', () => {
    const always = schedule({ timeZone: 'America/New_York', holidays: ['us', '2026-03-10'], groups: [{ name: 'api', mtbk: 1 }] });
    for (const date of ['2026-03-07', '2026-03-08', '2026-03-10', '2026-11-26', '2026-11-27', '2026-12-24']) {
      expect(planDay({ date, config: always, seed: 1 }).entries, date).toEqual([]);
    }
    expect(planDay({ date: '2026-03-09', config: always, seed: 1 }).entries).toHaveLength(1);
  });

  it('puts the instants of zones far from UTC on their zoned date, not on the UTC date', () => {
    for (const zone of ['Asia/Tokyo', 'Pacific/Auckland', 'Pacific/Kiritimati', 'Pacific/Honolulu']) {
      const far = schedule({ timeZone: zone, holidays: [], groups: [{ name: 'api', mtbk: 1 }] });
      for (const date of dates('2026-03-02', 5)) {
        const [entry] = planDay({ date, config: far, seed: 5 }).entries;
        expect(DateTime.fromMillis(entry!.at, { zone }).toISODate(), `${zone} ${date}`).toBe(date);
      }
    }
    const kiritimati = schedule({ timeZone: 'Pacific/Kiritimati', holidays: [], groups: [{ name: 'api', mtbk: 1 }] });
    const [entry] = planDay({ date: '2026-03-09', config: kiritimati, seed: 5 }).entries;
    expect(new Date(entry!.at).toISOString().slice(0, 10)).toBe('2026-03-08'); // the UTC date is the day before
  });

  it('reads each group in its own zone and hours', () => {
    const mixed = schedule({ timeZone: 'America/Los_Angeles', groups: [{ name: 'jp', mtbk: 1, timeZone: 'Asia/Tokyo', hours: { start: '10:00', end: '11:00' } }] });
    const [entry] = planDay({ date: '2026-03-09', config: mixed, seed: 2 }).entries;
    expect(entry).toMatchObject({ timeZone: 'Asia/Tokyo' });
    expect(entry!.localTime >= '10:00' && entry!.localTime < '11:00').toBe(true);
    expect(DateTime.fromMillis(entry!.at, { zone: 'Asia/Tokyo' }).toISODate()).toBe('2026-03-09');
  });

  it('never plans a wall time that does not exist: a minute drawn in the spring gap is moved forward by it', () => {
    const night = schedule({ timeZone: 'America/New_York', runDays: ['sun'], holidays: [], hours: { start: '02:00', end: '03:00' }, groups: [{ name: 'api', mtbk: 1 }] });
    const seen = new Set<string>();
    for (let seed = 0; seed < 40; seed++) {
      const [entry] = planDay({ date: '2026-03-08', config: night, seed }).entries;
      const local = DateTime.fromMillis(entry!.at, { zone: 'America/New_York' });
      expect(local.hour).toBe(3); // 02:xx does not exist that night: it is 03:xx EDT
      seen.add(entry!.localTime);
    }
    expect(seen.size).toBeGreaterThan(10);
  });

  it('plans an autumn overlap time once, at its first occurrence', () => {
    const night = schedule({ timeZone: 'America/New_York', runDays: ['sun'], holidays: [], hours: { start: '01:00', end: '02:00' }, groups: [{ name: 'api', mtbk: 1 }] });
    for (let seed = 0; seed < 20; seed++) {
      const plan = planDay({ date: '2026-11-01', config: night, seed });
      expect(plan.entries).toHaveLength(1);
      expect(DateTime.fromMillis(plan.entries[0]!.at, { zone: 'America/New_York' }).offset).toBe(-240); // EDT, the first 01:xx
    }
  });
});

describe('the coin against 1/MTBK', () => {
  /** The faults of `group` over the first `workDays` work days from 2026-01-05. */
  function faultsOver(config: ScheduleConfig, workDays: number, seed: number): { faults: number; days: number; perDay: number[] } {
    const calendar = new BusinessCalendar({ timeZone: config.timeZone, hours: config.hours, runDays: config.runDays, holidays: config.holidays });
    const perDay: number[] = [];
    for (let date = '2026-01-05'; perDay.length < workDays; date = addDays(date, 1)) {
      if (calendar.isWorkDay(date)) perDay.push(planDay({ date, config, seed }).entries.length);
      else expect(planDay({ date, config, seed }).entries).toEqual([]);
    }
    return { faults: perDay.reduce((a, b) => a + b, 0), days: perDay.length, perDay };
  }

  it('faults a group with mtbk 5 on about 1 work day in 5 over 3 × 2000 work days', () => {
    const config = schedule({ groups: [{ name: 'api', mtbk: 5 }] });
    const faults = [1, 2, 3].map((seed) => faultsOver(config, 2000, seed).faults);
    // Binomial(6000, 0.2): mean 1200, sd 31; ±4 sd tells 1/5 from 1/6 (1000) and 1/4 (1500).
    expect(Math.abs(faults.reduce((a, b) => a + b) - 1200), String(faults)).toBeLessThan(124);
    expect(new Set(faults).size).toBe(3);
  });

  it('with mtbk 4h over 6 h of business, expects 1.5 faults a day uncapped and P(≥1) = 0.9375 with the default cap of 1', () => {
    expect(coinsOf({ kind: 'duration', ms: 4 * 3_600_000 }, 360)).toEqual({ count: 2, p: 0.75, slotMinutes: 180 });
    const capped = schedule({ groups: [{ name: 'api', mtbk: '4h' }] });
    const two = schedule({ groups: [{ name: 'api', mtbk: '4h', maxPerDay: 2 }] });
    expect(expectedFaultsPerDay(capped.groups[0]!)).toBeCloseTo(0.9375, 10);
    expect(expectedFaultsPerDay(two.groups[0]!)).toBeCloseTo(1.5, 10);
    const a = faultsOver(capped, 2000, 9);
    expect(Math.max(...a.perDay)).toBe(1);
    expect(Math.abs(a.faults - 1875)).toBeLessThan(45); // sd 10.8
    const b = faultsOver(two, 2000, 9);
    expect(Math.max(...b.perDay)).toBe(2);
    expect(Math.abs(b.faults - 3000)).toBeLessThan(110); // sd 27.4
  });

  it('reads an mtbk longer than the business day as a fraction of a coin: 12h over 6 h is one work day in 2', () => {
    expect(coinsOf({ kind: 'duration', ms: 12 * 3_600_000 }, 360)).toEqual({ count: 1, p: 0.5, slotMinutes: 360 });
    const { faults } = faultsOver(schedule({ groups: [{ name: 'api', mtbk: '12h' }] }), 2000, 4);
    expect(Math.abs(faults - 1000)).toBeLessThan(90); // sd 22.4
  });
});

describe('planSeed', () => {
  it('takes the flag, else schedule.seed, else one derived from the calendar and groups', () => {
    const config = schedule({ seed: 5, groups: [{ name: 'api' }] });
    expect(planSeed(config, 9)).toEqual({ seed: 9, source: 'flag' });
    expect(planSeed(config)).toEqual({ seed: 5, source: 'config' });
    const unseeded = schedule({ groups: [{ name: 'api' }] });
    expect(planSeed(unseeded)).toEqual(planSeed(schedule({ groups: [{ name: 'api' }] })));
    expect(planSeed(unseeded).source).toBe('derived');
    expect(planSeed(schedule({ groups: [{ name: 'api', mtbk: 3 }] })).seed).not.toBe(planSeed(unseeded).seed);
  });
});
