/**
 * @module
 * A day's plan: which groups get a Chaos Monkey fault on a zoned date, and when. Chaos Monkey's semantics, made
 * reproducible: for each opted-in group whose calendar says the date is a work day, coins with p derived from the
 * mean time between kills (MTBK) decide whether it gets a fault, at a uniformly random minute of its business
 * hours (a local wall time, made an instant by the group's calendar).
 *
 * MTBK, two ways:
 * - **work days** (`5`): one coin a work day with p = 1 / 5, Chaos Monkey v2's daily coin. The gap between faults
 *   is geometric with a mean of 5 work days (before `minInterval` lengthens it).
 * - **business time** (`4h`): the business day (say 6 h) is cut into n = ⌈6h / 4h⌉ = 2 equal slots, each a coin with
 *   p = 6h / (4h × n) = 0.75 for a fault at a random minute of that slot: a day expects n × p = hours / mtbk = 1.5
 *   faults, one every 4 business hours on average. An mtbk longer than the day (`12h` with 6 h hours) is one coin
 *   with p = 0.5: one every two work days, the same as `mtbk: 2`.
 *
 * `maxPerDay` (default 1) then caps a group's day: when more coins come up, the faults kept are drawn at random
 * among them (keeping the earliest would favour mornings). {@link expectedFaultsPerDay} is the mean with the cap.
 */
import { randomInt, type Random } from '../core/random.js';
import { BusinessCalendar, minutesOfDay } from './business-calendar.js';
import { drawsFor } from './plan-seed.js';
import type { Mtbk, ScheduleConfig, ScheduleGroupConfig } from './schedule-config.js';

/** One planned fault. */
export interface PlanEntry {
  /** Stable across runs and machines: `${date}/${group}/${n}`, n counting the group's faults of the day from 1. */
  readonly id: string;
  /** The zoned date of the plan (`YYYY-MM-DD`). */
  readonly date: string;
  readonly group: string;
  readonly monkey: 'chaos';
  /** When, in epoch ms. */
  readonly at: number;
  /** The group's zone, in which `localTime` is read. */
  readonly timeZone: string;
  /** The local wall time `HH:MM` of `at` (a time drawn in a DST gap shows where it moved to). */
  readonly localTime: string;
}

/** A day's plan, entries sorted by time (then group). */
export interface DayPlan {
  /** The key the state store keeps it by: the zoned date. */
  readonly key: string;
  readonly date: string;
  /** The schedule's zone, in which `date` is read. */
  readonly timeZone: string;
  readonly seed: number;
  readonly entries: readonly PlanEntry[];
}

/** What {@link planDay} plans from. */
export interface PlanDayInput {
  /** The zoned date (`YYYY-MM-DD`): each group reads it in its own zone. */
  readonly date: string;
  readonly config: ScheduleConfig;
  /** The opted-in groups. @default config.groups */
  readonly groups?: readonly ScheduleGroupConfig[];
  readonly seed: number;
}

/** The coins of one group's business day: how many, their probability, and the slot each one covers. */
export interface Coins {
  readonly count: number;
  readonly p: number;
  /** Wall-clock minutes of business each coin's fault time is drawn from. */
  readonly slotMinutes: number;
}

/** The coins of a day with `businessMinutes` of business hours under `mtbk` (see the module's comment). */
export function coinsOf(mtbk: Mtbk, businessMinutes: number): Coins {
  if (mtbk.kind === 'workDays') return { count: 1, p: 1 / mtbk.workDays, slotMinutes: businessMinutes };
  const mtbkMinutes = mtbk.ms / 60_000;
  const count = Math.max(1, Math.ceil(businessMinutes / mtbkMinutes));
  return { count, p: businessMinutes / (mtbkMinutes * count), slotMinutes: businessMinutes / count };
}

/** The mean number of faults a work day gives the group: E[min(Binomial(count, p), maxPerDay)]. */
export function expectedFaultsPerDay(group: ScheduleGroupConfig): number {
  const businessMinutes = minutesOfDay(group.hours.end)! - minutesOfDay(group.hours.start)!;
  const { count, p } = coinsOf(group.mtbk, businessMinutes);
  let expected = 0;
  let choose = 1;
  for (let k = 0; k <= count; k++) {
    if (k > 0) choose = (choose * (count - k + 1)) / k;
    expected += Math.min(k, group.maxPerDay) * choose * p ** k * (1 - p) ** (count - k);
  }
  return expected;
}

/** The calendar of a group: its zone and hours, the schedule's run days and holidays. */
export function calendarOf(group: ScheduleGroupConfig, config: Pick<ScheduleConfig, 'runDays' | 'holidays'>): BusinessCalendar {
  return new BusinessCalendar({ timeZone: group.timeZone, hours: group.hours, runDays: config.runDays, holidays: config.holidays });
}

/** The minutes after local midnight of one group's faults on a work day, sorted, before the daily cap. */
function drawMinutes(calendar: BusinessCalendar, coins: Coins, random: Random, maxPerDay: number): number[] {
  const hits: number[] = [];
  for (let i = 0; i < coins.count; i++) {
    // Both numbers are drawn whatever the coin says, so the draws of one slot never shift those of the next.
    const heads = random.next() < coins.p;
    const slotStart = Math.round(i * coins.slotMinutes);
    const slotEnd = Math.round((i + 1) * coins.slotMinutes);
    const minute = calendar.startMinute + slotStart + randomInt(random, slotEnd - slotStart);
    if (heads) hits.push(minute);
  }
  // Keep maxPerDay of them, chosen at random (a partial Fisher-Yates shuffle).
  for (let i = 0; i < Math.min(maxPerDay, hits.length); i++) {
    const j = i + randomInt(random, hits.length - i);
    [hits[i], hits[j]] = [hits[j]!, hits[i]!];
  }
  return hits.slice(0, maxPerDay).sort((a, b) => a - b);
}

/**
 * The plan of the zoned date `date`: the same input always gives the same plan.
 *
 * @example
 * const plan = planDay({ date: '2026-03-09', config, seed: 42 });
 * plan.entries[0]; // { id: '2026-03-09/api/1', group: 'api', at: 1773075600000, localTime: '10:00', … }
 */
export function planDay(input: PlanDayInput): DayPlan {
  const { date, config, seed } = input;
  const entries: PlanEntry[] = [];
  for (const group of input.groups ?? config.groups) {
    const calendar = calendarOf(group, config);
    if (!calendar.isWorkDay(date)) continue;
    const minutes = drawMinutes(calendar, coinsOf(group.mtbk, calendar.businessMinutes), drawsFor(seed, date, group.name), group.maxPerDay);
    minutes.forEach((minute, i) => {
      const at = calendar.instantOf(date, minute);
      entries.push({ id: `${date}/${group.name}/${i + 1}`, date, group: group.name, monkey: 'chaos', at, timeZone: group.timeZone, localTime: calendar.localTimeOf(at) });
    });
  }
  entries.sort((a, b) => a.at - b.at || a.group.localeCompare(b.group) || a.id.localeCompare(b.id));
  return { key: date, date, timeZone: config.timeZone, seed, entries };
}
