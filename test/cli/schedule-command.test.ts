/**
 * `simian schedule show`: the plan as the daemon computes it, reproducible from the seed, over a day, a range or a
 * preview period, as a table or JSON; bad flags are refused before anything is planned.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommanderError } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scheduleCommand } from '../../src/cli/commands/schedule.js';
import { createProgram } from '../../src/cli/program.js';
import { InvalidInputError } from '../../src/core/errors.js';
import { BusinessCalendar, type DayPlan } from '../../src/schedule/index.js';

let dir = '';
let configFile = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simian-schedule-cli-'));
  configFile = join(dir, 'simian.yaml');
  await writeFile(
    configFile,
    ['schedule:', '  timeZone: America/New_York', '  seed: 42', '  groups:', '    - { name: web, mtbk: 5 }', '    - { name: api, mtbk: 4h, maxPerDay: 3 }', ''].join('\n'),
  );
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const program = createProgram({ version: 't', writeOut: (t) => (out += t), writeErr: (t) => (err += t) }, [scheduleCommand]);
  const error = await program.parseAsync(['schedule', 'show', '--config', configFile, ...args], { from: 'user' }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { out, err, error };
}

async function plansOf(...args: string[]): Promise<{ seed: { seed: number; source: string }; plans: DayPlan[] }> {
  const { out, error } = await run(...args, '--json');
  expect(error).toBeUndefined();
  return JSON.parse(out) as { seed: { seed: number; source: string }; plans: DayPlan[] };
}

describe('simian schedule show', () => {
  it('gives the same plan for the same seed and config, and another for another seed', async () => {
    const first = await plansOf('--from', '2026-03-02', '--to', '2026-03-13');
    const again = await plansOf('--date', '2026-03-02', '--days', '12');
    expect(first.plans.map((p) => p.date)).toEqual(Array.from({ length: 12 }, (_, i) => `2026-03-${String(i + 2).padStart(2, '0')}`));
    expect(again).toEqual(first);
    expect(first.seed).toEqual({ seed: 42, source: 'config' });
    const other = await plansOf('--from', '2026-03-02', '--to', '2026-03-13', '--seed', '7');
    expect(other.seed).toEqual({ seed: 7, source: 'flag' });
    expect(other.plans.map((p) => p.entries)).not.toEqual(first.plans.map((p) => p.entries));
  });

  it('plans only inside business hours of work days, in the schedule zone', async () => {
    const { plans } = await plansOf('--from', '2026-03-02', '--to', '2026-03-15');
    const calendar = new BusinessCalendar({ timeZone: 'America/New_York', hours: { start: '09:00', end: '15:00' }, holidays: ['us'] });
    const entries = plans.flatMap((p) => p.entries.map((e) => ({ ...e, date: p.date })));
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(calendar.isWorkDay(entry.date), entry.date).toBe(true);
      expect(entry.localTime >= '09:00' && entry.localTime < '15:00', entry.localTime).toBe(true);
    }
    // The weekend of 7-8 March plans nothing.
    expect(plans.filter((p) => p.date === '2026-03-07' || p.date === '2026-03-08').flatMap((p) => p.entries)).toEqual([]);
  });

  it('--preview tells what each mtbk means: faults expected and planned over the period', async () => {
    const { out, error } = await run('--date', '2026-03-02', '--preview', '30d', '--json');
    expect(error).toBeUndefined();
    const body = JSON.parse(out) as { days: number; plans: DayPlan[]; groups: { group: string; workDays: number; planned: number; expected: number; meanWorkDaysBetween?: number }[] };
    expect(body.days).toBe(30);
    const web = body.groups.find((g) => g.group === 'web')!;
    const api = body.groups.find((g) => g.group === 'api')!;
    // 2 to 31 March 2026: 22 weekdays, no US holiday.
    expect(web.workDays).toBe(22);
    expect(web.expected).toBe(4.4);
    expect(web.meanWorkDaysBetween).toBe(5);
    // Six business hours cut into slots of 4 h: 1.5 faults a day, capped by maxPerDay 3.
    expect(api.expected).toBeGreaterThan(web.expected);
    for (const group of body.groups) {
      expect(group.planned).toBe(body.plans.flatMap((p) => p.entries).filter((e) => e.group === group.group).length);
    }
    const text = await run('--date', '2026-03-02', '--preview', '30d');
    expect(text.out).toMatch(/GROUP\s+WORK DAYS\s+PLANNED\s+EXPECTED/);
    expect(text.out).toMatch(/^web\s+22\s+\d+\s+4\.4\s+5$/m);
  });

  it('prints a table with local and UTC times, and the seed it used', async () => {
    const { out, error } = await run('--from', '2026-03-02', '--to', '2026-03-06');
    expect(error).toBeUndefined();
    expect(out).toMatch(/^2 group\(s\) opted in; seed 42 \(from schedule\.seed\)$/m);
    expect(out).toMatch(/DATE\s+LOCAL\s+UTC\s+GROUP\s+MONKEY\s+ENTRY/);
    expect(out).toMatch(/^2026-03-0\d\s+\d\d:\d\d America\/New_York\s+2026-03-0\dT\d\d:\d\d:00\.000Z\s+(web|api)\s/m);
  });

  it('refuses a range that ends before it starts, a period not in days and a bad date, planning nothing', async () => {
    const backwards = await run('--from', '2026-03-10', '--to', '2026-03-02');
    expect(backwards.error).toBeInstanceOf(InvalidInputError);
    expect((backwards.error as Error).message).toMatch(/--to 2026-03-02 is before the first day 2026-03-10/);
    expect(backwards.out).toBe('');
    const hours = await run('--preview', '30h');
    expect(hours.error).toBeInstanceOf(CommanderError);
    expect(hours.err).toMatch(/expected whole days/);
    const date = await run('--date', '2026-02-30x');
    expect(date.error).toBeInstanceOf(CommanderError);
    expect(date.err).toMatch(/expected a date YYYY-MM-DD/);
  });
});
