/**
 * @module
 * `simian schedule show`: the daemon's plan of a day, or of several, computed from simian.yaml's `schedule:` and
 * its seed exactly as the daemon computes it, so that the owners of a group can see when it will be hit before it
 * is. With `--preview`, what each group's mtbk means in faults over a period: planned, and expected.
 */
import { Command, InvalidArgumentError } from 'commander';
import { readDuration } from '../../core/durations.js';
import { InvalidInputError } from '../../core/errors.js';
import { addDays, BusinessCalendar, calendarOf, expectedFaultsPerDay, isIsoDate, planDay, planSeed, type DayPlan, type PlanSeed, type ScheduleConfig } from '../../schedule/index.js';
import type { CommandFactory } from '../command-deps.js';
import { formatTable } from '../table.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';

const DAY_MS = 86_400_000;
/** The longest preview: a year of plans is computed in well under a second; more says little more. */
const MAX_PREVIEW_DAYS = 366;

interface ScheduleShowFlags extends ConfigOptionValues {
  date?: string;
  from?: string;
  to?: string;
  days?: number;
  seed?: number;
  preview?: number;
  json?: boolean;
}

function parseDate(value: string): string {
  if (!isIsoDate(value)) throw new InvalidArgumentError(`expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

function parseDays(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_PREVIEW_DAYS) throw new InvalidArgumentError(`expected a whole number of days from 1 to ${MAX_PREVIEW_DAYS}, got "${value}"`);
  return n;
}

function parseSeed(value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
}

function parsePreview(value: string): number {
  const reading = readDuration(value, { zero: false });
  if ('problem' in reading) throw new InvalidArgumentError(`expected a period of whole days such as 30d: ${reading.problem}`);
  const days = reading.ms / DAY_MS;
  if (!Number.isInteger(days) || days > MAX_PREVIEW_DAYS) throw new InvalidArgumentError(`expected whole days from 1d to ${MAX_PREVIEW_DAYS}d, got "${value}"`);
  return days;
}

function usage(message: string): InvalidInputError {
  return new InvalidInputError('cli.invalidFlag', message);
}

/** The days from `from` to `to`, both included. */
function rangeDays(from: string, to: string): number {
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS + 1;
  if (days < 1) throw usage(`--to ${to} is before the first day ${from}`);
  if (days > MAX_PREVIEW_DAYS) throw usage(`--from ${from} --to ${to} spans ${days} days; at most ${MAX_PREVIEW_DAYS}`);
  return days;
}

/** What each group's mtbk means over `days` days from `from`: the faults the plans hold, and the expectation. */
export interface GroupPreview {
  readonly group: string;
  readonly workDays: number;
  readonly planned: number;
  readonly expected: number;
  /** Work days between faults on average (mtbk in work days), or undefined when none is expected. */
  readonly meanWorkDaysBetween?: number;
}

/** The per-group preview of `plans` (consecutive days) under `schedule`. */
export function previewGroups(schedule: ScheduleConfig, plans: readonly DayPlan[]): GroupPreview[] {
  return schedule.groups.map((group) => {
    const calendar = calendarOf(group, schedule);
    const workDays = plans.filter((p) => calendar.isWorkDay(p.date)).length;
    const perDay = expectedFaultsPerDay(group);
    return {
      group: group.name,
      workDays,
      planned: plans.reduce((n, p) => n + p.entries.filter((e) => e.group === group.name).length, 0),
      expected: Math.round(perDay * workDays * 10) / 10,
      ...(perDay > 0 ? { meanWorkDaysBetween: Math.round((1 / perDay) * 10) / 10 } : {}),
    };
  });
}

function seedLine(seed: PlanSeed): string {
  if (seed.source === 'derived') return `seed ${seed.seed} (derived from the schedule section: it changes when the section does; set schedule.seed to pin it)`;
  return `seed ${seed.seed} (from ${seed.source === 'flag' ? '--seed' : 'schedule.seed'})`;
}

function formatPlans(schedule: ScheduleConfig, seed: PlanSeed, plans: readonly DayPlan[]): string {
  const lines = [`${schedule.groups.length} group(s) opted in; ${seedLine(seed)}`];
  const rows = plans.flatMap((plan) => plan.entries.map((e) => [plan.date, `${e.localTime} ${e.timeZone}`, new Date(e.at).toISOString(), e.group, e.monkey, e.id]));
  if (rows.length === 0) lines.push(`no fault planned${plans.length === 1 ? ` on ${plans[0]!.date}` : ` from ${plans[0]!.date} to ${plans.at(-1)!.date}`}`);
  const table = rows.length === 0 ? '' : formatTable(['DATE', 'LOCAL', 'UTC', 'GROUP', 'MONKEY', 'ENTRY'], rows);
  return `${lines.join('\n')}\n${table}`;
}

function formatPreview(previews: readonly GroupPreview[], days: number): string {
  if (previews.length === 0) return 'no group is opted in (schedule.groups is empty)\n';
  const rows = previews.map((p) => [p.group, String(p.workDays), String(p.planned), String(p.expected), p.meanWorkDaysBetween === undefined ? '-' : String(p.meanWorkDaysBetween)]);
  return `over ${days} day(s):\n${formatTable(['GROUP', 'WORK DAYS', 'PLANNED', 'EXPECTED', 'WORK DAYS BETWEEN'], rows)}`;
}

/** The `schedule` command: `schedule show`. */
export const scheduleCommand: CommandFactory = (deps) => {
  const show = addConfigOptions(new Command('show'))
    .description("Show the daemon's plan: which groups Chaos Monkey hits when, computed from simian.yaml's schedule and its seed as the daemon does")
    .option('--date <YYYY-MM-DD>', "the first day shown, in schedule.timeZone (default: today there)", parseDate)
    .option('--from <YYYY-MM-DD>', 'the first day of a range (same as --date)', parseDate)
    .option('--to <YYYY-MM-DD>', 'the last day of a range, inclusive (from --from, or today)', parseDate)
    .option('--days <n>', 'how many consecutive days to show (default 1)', parseDays)
    .option('--seed <n>', 'plan with this seed instead of the configured or derived one (what-if: the daemon keeps its own)', parseSeed)
    .option('--preview <period>', "what each group's mtbk means over a period of whole days (30d): faults planned and expected", parsePreview)
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      [
        '',
        'The daemon plans each day once and stores it; a day it has planned shows the same entries here as long as the',
        'schedule section and seed are unchanged. The daemon API (GET /v1/plan) says where each entry stands.',
      ].join('\n'),
    )
    .action(async (flags: ScheduleShowFlags) => {
      const config = await resolveCommandConfig(flags);
      const schedule = config.schedule;
      const seed = planSeed(schedule, flags.seed);
      const zone = new BusinessCalendar({ timeZone: schedule.timeZone, hours: schedule.hours, runDays: schedule.runDays, holidays: schedule.holidays });
      if (flags.date !== undefined && flags.from !== undefined && flags.date !== flags.from) throw usage('--date and --from name different first days: give one');
      const from = flags.from ?? flags.date ?? zone.dateOf(deps.clock.now());
      const days = flags.preview ?? flags.days ?? (flags.to === undefined ? 1 : rangeDays(from, flags.to));
      const plans = Array.from({ length: days }, (_, i) => planDay({ date: addDays(from, i), config: schedule, seed: seed.seed }));
      if (flags.json) {
        const body = flags.preview === undefined ? { seed, plans } : { seed, from, days, groups: previewGroups(schedule, plans), plans };
        deps.writeOut(`${JSON.stringify(body, null, 2)}\n`);
        return;
      }
      deps.writeOut(flags.preview === undefined ? formatPlans(schedule, seed, plans) : `${seedLine(seed)}\n${formatPreview(previewGroups(schedule, plans), days)}`);
    });
  return new Command('schedule').description("The daemon's schedule (simian.yaml's schedule:)").addCommand(show);
};
