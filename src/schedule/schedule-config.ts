/**
 * @module
 * The `schedule:` section of `simian.yaml`: when the daemon's Chaos Monkey may fault each group (a calendar in an
 * IANA zone, a mean time between kills, a minimum interval, caps) and which experiments run on cron expressions.
 * {@link scheduleConfigSchema} holds every default; `src/config/simian-config.ts` mounts it under `schedule` and
 * reports its issues as `file:line: schedule.field: message` like any other section. It depends on `src/core` only,
 * so the config layer can import it without a cycle.
 */
import { validateCronExpression } from 'cron';
import { z } from 'zod';
import { formatDuration, readDuration } from '../core/durations.js';
import { describeValue, expected } from '../core/schema-messages.js';
import { WEEKDAYS, isIsoDate, isValidTimeZone, minutesOfDay, type HolidaySource, type Weekday } from './business-calendar.js';

/** The zone business hours are read in when neither the schedule nor a group names one (SimianArmy's and CMv2's). */
export const DEFAULT_SCHEDULE_TIME_ZONE = 'America/Los_Angeles';
/** Business hours when none are given: 09:00 to 15:00 (exclusive), leaving the late afternoon to clean up. */
export const DEFAULT_BUSINESS_HOURS = { start: '09:00', end: '15:00' } as const;
/** Mean time between kills when a group gives none: 5 work days, a 20% coin each work day (Chaos Monkey's). */
export const DEFAULT_MTBK_WORK_DAYS = 5;
/** How long after its time a cron run may still start: 5 minutes. */
export const DEFAULT_STARTING_DEADLINE_MS = 300_000;

/**
 * Mean time between kills: in work days (a coin a day with p = 1 / workDays), or a duration of business time such
 * as `4h` (several coins a day, `day-plan.ts`).
 */
export type Mtbk = { readonly kind: 'workDays'; readonly workDays: number } | { readonly kind: 'duration'; readonly ms: number };

/** Business hours as local wall times `HH:MM`, end exclusive. */
export interface BusinessHours {
  readonly start: string;
  readonly end: string;
}

/** One opted-in group, every setting resolved (a group's zone and hours fall back to the schedule's). */
export interface ScheduleGroupConfig {
  readonly name: string;
  readonly mtbk: Mtbk;
  /** At most this many faults of the group a day. @default 1 */
  readonly maxPerDay: number;
  readonly timeZone: string;
  readonly hours: BusinessHours;
}

/** What a cron experiment does when its time comes while its last run is still active. */
export type ConcurrencyPolicy = 'forbid' | 'allow';

/** An experiment file run on a cron expression. */
export interface CronExperimentConfig {
  readonly name: string;
  /** A cron expression (5 fields, or 6 with seconds first), read by the `cron` package. */
  readonly cron: string;
  /** The zone the expression is read in. @default the schedule's timeZone */
  readonly timeZone: string;
  /** The experiment file: absolute once resolved by the config layer. */
  readonly experiment: string;
  /** `forbid` (the default): no second run of this experiment while one is active. */
  readonly concurrency: ConcurrencyPolicy;
  /** A run missed by less than this still starts late; an older one is recorded as missed. @default 300_000 (5m) */
  readonly startingDeadlineMs: number;
}

/** The resolved `schedule:` section. */
export interface ScheduleConfig {
  readonly timeZone: string;
  readonly hours: BusinessHours;
  readonly runDays: readonly Weekday[];
  readonly holidays: readonly HolidaySource[];
  /** Work days between two faults of a group (the end of business that many work days back). @default 1 */
  readonly minIntervalWorkDays: number;
  /** Faults active at once across all groups. @default 1 */
  readonly maxActive: number;
  /** The seed of the plans; absent: one derived from this configuration (`plan-seed.ts`). */
  readonly seed?: number;
  readonly groups: readonly ScheduleGroupConfig[];
  readonly experiments: readonly CronExperimentConfig[];
}

const DAY_NAMES: Readonly<Record<string, Weekday>> = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 };
const NAME_OF_DAY = Object.fromEntries(Object.entries(DAY_NAMES).map(([name, n]) => [n, name])) as Record<Weekday, string>;

const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got an empty string` });

/** Why a value was refused: the sentence after `field:`. */
class Problem {
  constructor(readonly message: string) {}
}
const problem = (message: string) => new Problem(message);

/** A field read by `read`, which returns the value or a {@link Problem}. */
const custom = <T>(read: (value: unknown) => T | Problem) =>
  z.unknown().transform((value, ctx): T => {
    const result = read(value);
    if (result instanceof Problem) {
      ctx.addIssue({ code: 'custom', message: result.message });
      return z.NEVER;
    }
    return result;
  });

const timeZone = custom<string>((value) =>
  typeof value === 'string' && isValidTimeZone(value) ? value : problem(`expected an IANA time zone such as America/New_York, got ${describeValue(value)}`),
);

const wallTime = custom<string>((value) =>
  typeof value === 'string' && minutesOfDay(value) !== undefined ? value : problem(`expected a wall time HH:MM (00:00 to 23:59), got ${describeValue(value)}`),
);

const hoursSchema = z
  .strictObject({ start: wallTime, end: wallTime }, { error: expected('a mapping with start and end (HH:MM)') })
  .superRefine((hours, ctx) => {
    if (minutesOfDay(hours.end)! <= minutesOfDay(hours.start)!) {
      ctx.addIssue({ code: 'custom', path: ['end'], message: `must be later than start (${hours.start}), got ${hours.end}` });
    }
  });

const runDay = custom<Weekday>((value) => {
  const day = typeof value === 'string' ? DAY_NAMES[value.trim().slice(0, 3).toLowerCase()] : undefined;
  return day ?? problem(`expected a day of the week (mon, tue, wed, thu, fri, sat, sun), got ${describeValue(value)}`);
});

const holiday = custom<HolidaySource>((value) =>
  value === 'us' || (typeof value === 'string' && isIsoDate(value)) ? value : problem(`expected "us" or a date YYYY-MM-DD, got ${describeValue(value)}`),
);

const whole = (min: number) =>
  custom<number>((value) =>
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min ? value : problem(`must be a whole number >= ${min}, got ${describeValue(value)}`),
  );

const mtbk = custom<Mtbk>((value) => {
  if (typeof value === 'number') {
    return Number.isFinite(value) && value >= 1
      ? { kind: 'workDays', workDays: value }
      : problem(`expected a number of work days >= 1 (5: a 20% chance each work day) or a duration of business time such as 4h, got ${describeValue(value)}`);
  }
  const reading = readDuration(value, { zero: false });
  if ('ms' in reading) return reading.ms % 60_000 === 0 ? { kind: 'duration', ms: reading.ms } : problem(`must be whole minutes, got ${describeValue(value)}`);
  return problem(`expected a number of work days (5) or a duration of business time (4h): ${reading.problem}`);
});

const deadline = custom<number>((value) => {
  const reading = readDuration(value, { zero: true });
  return 'ms' in reading ? reading.ms : problem(reading.problem);
});

const cronExpression = custom<string>((value) => {
  if (typeof value !== 'string' || value.trim() === '') return problem(`expected a cron expression such as "0 10 * * 1-5", got ${describeValue(value)}`);
  const check = validateCronExpression(value.trim());
  return check.valid ? value.trim() : problem(`invalid cron expression ${JSON.stringify(value)}: ${check.error?.message ?? 'not understood'}`);
});

const groupSchema = z.strictObject(
  {
    name: text('a group name'),
    mtbk: mtbk.default({ kind: 'workDays', workDays: DEFAULT_MTBK_WORK_DAYS }),
    maxPerDay: whole(1).default(1),
    timeZone: timeZone.optional(),
    hours: hoursSchema.optional(),
  },
  { error: expected('a mapping with name, mtbk, maxPerDay, timeZone, hours') },
);

const experimentSchema = z.strictObject(
  {
    name: text('an experiment name'),
    cron: cronExpression,
    timeZone: timeZone.optional(),
    experiment: text('a path'),
    concurrency: z.enum(['forbid', 'allow'], { error: expected('"forbid" or "allow"') }).default('forbid'),
    startingDeadline: deadline.default(DEFAULT_STARTING_DEADLINE_MS),
  },
  { error: expected('a mapping with name, cron, timeZone, experiment, concurrency, startingDeadline') },
);

const uniqueNames = (what: string) => (items: readonly { name: string }[], ctx: z.RefinementCtx) => {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${what} ${JSON.stringify(item.name)} is listed twice` });
    seen.add(item.name);
  });
};

/**
 * The schema of `schedule:` with its defaults. Its output still has the groups' and experiments' own zones and
 * hours optional and experiment paths as written: {@link resolveScheduleConfig} fills them in.
 */
export const scheduleConfigSchema = z.strictObject(
  {
    timeZone: timeZone.default(DEFAULT_SCHEDULE_TIME_ZONE),
    hours: hoursSchema.default({ ...DEFAULT_BUSINESS_HOURS }),
    runDays: z.array(runDay, { error: expected('a list of days (mon … sun)') }).default([...WEEKDAYS]),
    holidays: z.array(holiday, { error: expected('a list of "us" and dates YYYY-MM-DD') }).default(['us']),
    minInterval: whole(0).default(1),
    maxActive: whole(1).default(1),
    seed: custom<number>((value) => (typeof value === 'number' && Number.isSafeInteger(value) ? value : problem(`expected a whole number, got ${describeValue(value)}`))).optional(),
    groups: z.array(groupSchema, { error: expected('a list of groups') }).superRefine(uniqueNames('group')).default([]),
    experiments: z.array(experimentSchema, { error: expected('a list of experiments') }).superRefine(uniqueNames('experiment')).default([]),
  },
  { error: expected('a mapping with timeZone, hours, runDays, holidays, minInterval, maxActive, seed, groups, experiments') },
);

/** What {@link scheduleConfigSchema} makes of a `schedule:` section. */
export type ParsedScheduleConfig = z.output<typeof scheduleConfigSchema>;

/**
 * The resolved schedule: groups and experiments take the schedule's zone and hours unless they name their own, and
 * `resolvePath` makes experiment paths absolute (the config layer resolves them against the file's folder).
 */
export function resolveScheduleConfig(parsed: ParsedScheduleConfig, resolvePath: (path: string) => string = (p) => p): ScheduleConfig {
  return {
    timeZone: parsed.timeZone,
    hours: { ...parsed.hours },
    runDays: [...new Set(parsed.runDays)].sort(),
    holidays: [...parsed.holidays],
    minIntervalWorkDays: parsed.minInterval,
    maxActive: parsed.maxActive,
    ...(parsed.seed === undefined ? {} : { seed: parsed.seed }),
    groups: parsed.groups.map((g) => ({
      name: g.name,
      mtbk: g.mtbk,
      maxPerDay: g.maxPerDay,
      timeZone: g.timeZone ?? parsed.timeZone,
      hours: { ...(g.hours ?? parsed.hours) },
    })),
    experiments: parsed.experiments.map((e) => ({
      name: e.name,
      cron: e.cron,
      timeZone: e.timeZone ?? parsed.timeZone,
      experiment: resolvePath(e.experiment),
      concurrency: e.concurrency,
      startingDeadlineMs: e.startingDeadline,
    })),
  };
}

/** The schedule with nothing but defaults: no groups, no experiments. */
export function defaultScheduleConfig(): ScheduleConfig {
  return resolveScheduleConfig(scheduleConfigSchema.parse({}));
}

/** `mtbk` as written in `simian.yaml`: `5` or `4h`. */
export function formatMtbk(value: Mtbk): number | string {
  return value.kind === 'workDays' ? value.workDays : formatDuration(value.ms);
}

/** `schedule` written back in the shape of `simian.yaml`, which parses to the same {@link ScheduleConfig}. */
export function toScheduleDocument(config: ScheduleConfig): Record<string, unknown> {
  const same = (a: BusinessHours, b: BusinessHours) => a.start === b.start && a.end === b.end;
  return {
    timeZone: config.timeZone,
    hours: { ...config.hours },
    runDays: config.runDays.map((d) => NAME_OF_DAY[d]),
    holidays: [...config.holidays],
    minInterval: config.minIntervalWorkDays,
    maxActive: config.maxActive,
    ...(config.seed === undefined ? {} : { seed: config.seed }),
    groups: config.groups.map((g) => ({
      name: g.name,
      mtbk: formatMtbk(g.mtbk),
      maxPerDay: g.maxPerDay,
      ...(g.timeZone === config.timeZone ? {} : { timeZone: g.timeZone }),
      ...(same(g.hours, config.hours) ? {} : { hours: { ...g.hours } }),
    })),
    experiments: config.experiments.map((e) => ({
      name: e.name,
      cron: e.cron,
      ...(e.timeZone === config.timeZone ? {} : { timeZone: e.timeZone }),
      experiment: e.experiment,
      concurrency: e.concurrency,
      startingDeadline: formatDuration(e.startingDeadlineMs),
    })),
  };
}
