import { describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { concurrencyAllows, cronRunTimes, dueCronRun, nextCronRun, type CronEntry } from '../../src/schedule/cron-entries.js';

const iso = (ms: number) => new Date(ms).toISOString();
const at = (text: string) => Date.parse(text);

describe('cron entries: run times in a zone', () => {
  it('reads the expression in the entry zone, weekdays only', () => {
    const tokyo: CronEntry = { name: 'jp', cron: '0 10 * * 1-5', timeZone: 'Asia/Tokyo' };
    // Friday 2026-03-06 10:00 JST is 01:00Z; the next is Monday 2026-03-09.
    expect(cronRunTimes(tokyo, at('2026-03-05T12:00:00Z'), at('2026-03-10T00:00:00Z')).map(iso)).toEqual([
      '2026-03-06T01:00:00.000Z',
      '2026-03-09T01:00:00.000Z',
    ]);
  });

  it('keeps the wall time across both DST changes of America/New_York', () => {
    const ny: CronEntry = { name: 'ny', cron: '0 10 * * *', timeZone: 'America/New_York' };
    expect(cronRunTimes(ny, at('2026-03-07T00:00:00Z'), at('2026-03-10T00:00:00Z')).map(iso)).toEqual([
      '2026-03-07T15:00:00.000Z', // EST
      '2026-03-08T14:00:00.000Z', // EDT
      '2026-03-09T14:00:00.000Z',
    ]);
    expect(cronRunTimes(ny, at('2026-10-31T00:00:00Z'), at('2026-11-03T00:00:00Z')).map(iso)).toEqual([
      '2026-10-31T14:00:00.000Z',
      '2026-11-01T15:00:00.000Z',
      '2026-11-02T15:00:00.000Z',
    ]);
  });

  it('runs a time in the autumn overlap once, and one in the spring gap once (at the end of the gap)', () => {
    const overlap: CronEntry = { name: 'o', cron: '30 1 * * *', timeZone: 'America/New_York' };
    const autumn = cronRunTimes(overlap, at('2026-11-01T00:00:00Z'), at('2026-11-02T00:00:00Z'));
    expect(autumn.map(iso)).toEqual(['2026-11-01T05:30:00.000Z']);
    const gap: CronEntry = { name: 'g', cron: '30 2 * * *', timeZone: 'America/New_York' };
    expect(cronRunTimes(gap, at('2026-03-08T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toHaveLength(1);
  });

  it('refuses an invalid expression or zone, naming the field', () => {
    const message = (entry: CronEntry) => {
      try {
        nextCronRun(entry, 0);
      } catch (error) {
        expect(isSimianError(error, 'schedule.invalidCron')).toBe(true);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message({ name: 'bad', cron: '61 * * * *', timeZone: 'UTC' })).toMatch(/^experiments\.bad\.cron: .*61/);
    expect(message({ name: 'bad', cron: '0 10 * * *', timeZone: 'Mars/Olympus' })).toMatch(/^experiments\.bad\.timeZone: /);
  });
});

describe('cron entries: catch-up', () => {
  const hourly: CronEntry = { name: 'h', cron: '0 * * * *', timeZone: 'UTC', startingDeadlineMs: 300_000 };

  it('runs nothing before its first time, and the time itself once it has come', () => {
    expect(dueCronRun(hourly, { after: at('2026-03-09T10:00:00Z'), now: at('2026-03-09T10:30:00Z') })).toEqual({
      collapsedCount: 0, missed: [], missedCount: 0, missedCountExact: true, next: at('2026-03-09T11:00:00Z'),
    });
    expect(dueCronRun(hourly, { after: at('2026-03-09T10:00:00Z'), now: at('2026-03-09T11:00:00Z') }).due).toBe(at('2026-03-09T11:00:00Z'));
  });

  it('still runs a time missed by less than the starting deadline, and records an older one as missed', () => {
    const late = dueCronRun(hourly, { after: at('2026-03-09T10:00:00Z'), now: at('2026-03-09T11:04:59Z') });
    expect(late.due).toBe(at('2026-03-09T11:00:00Z'));
    const tooLate = dueCronRun(hourly, { after: at('2026-03-09T10:00:00Z'), now: at('2026-03-09T11:05:01Z') });
    expect(tooLate.due).toBeUndefined();
    expect(tooLate.missed).toEqual([at('2026-03-09T11:00:00Z')]);
    expect(tooLate.next).toBe(at('2026-03-09T12:00:00Z'));
  });

  it('collapses several times within the deadline into one run of the latest, and reports the older ones missed', () => {
    const everyMinute: CronEntry = { name: 'm', cron: '* * * * *', timeZone: 'UTC', startingDeadlineMs: 180_000 };
    const due = dueCronRun(everyMinute, { after: at('2026-03-09T10:00:00Z'), now: at('2026-03-09T10:10:30Z') });
    expect(due.due).toBe(at('2026-03-09T10:10:00Z'));
    expect(due.collapsedCount).toBe(2); // 10:08 and 10:09
    expect(due.missedCount).toBe(7); // 10:01 … 10:07
    expect(due.missed.map(iso)[0]).toBe('2026-03-09T10:01:00.000Z');
  });

  it('does not choke on a fast expression after a long downtime (Chaos Mesh\'s "too many missed start times")', () => {
    const everySecond: CronEntry = { name: 's', cron: '* * * * * *', timeZone: 'UTC', startingDeadlineMs: 1000 };
    const due = dueCronRun(everySecond, { after: at('2026-03-01T00:00:00Z'), now: at('2026-03-09T00:00:00Z') });
    expect(due.due).toBe(at('2026-03-09T00:00:00Z'));
    expect(due.missedCountExact).toBe(false);
    expect(due.missed).toHaveLength(100);
  });

  it('forbids a second run while one is active unless the policy allows it', () => {
    expect(concurrencyAllows(hourly, 1)).toBe(false);
    expect(concurrencyAllows(hourly, 0)).toBe(true);
    expect(concurrencyAllows({ ...hourly, concurrency: 'allow' }, 3)).toBe(true);
  });
});
