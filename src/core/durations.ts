/**
 * @module
 * The one reading of a duration for all of Simian: command-line flags, `simian.yaml`, experiment files. A
 * duration is a number with a unit — `500ms`, `30s`, `5m`, `1.5h`, `1d`, or several in decreasing order as
 * Prometheus and Go write them (`1h30m`) — and comes out in whole milliseconds.
 *
 * A bare number is refused everywhere, because it has no agreed meaning: Toxiproxy and most APIs mean
 * milliseconds, most command lines mean seconds, and reading `--latency 300` the wrong way injects a latency a
 * thousand times too long. The refusal shows what the number could have meant (`300ms, 300s or 5m`). Zero is the
 * one number that needs no unit, where zero is allowed at all. Keys whose name carries the unit (`restartDelayMs`,
 * `intervalMs`) are plain numbers of milliseconds and never come here.
 */
import { describeValue } from './schema-messages.js';

/** Milliseconds per unit, largest first (the order a compound duration must follow). */
export const DURATION_UNITS: readonly (readonly [unit: string, ms: number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const UNIT_MS: ReadonlyMap<string, number> = new Map(DURATION_UNITS);

/** What a duration may be besides positive. */
export interface DurationRules {
  /** Whether zero is a meaningful value here (a jitter of 0, a pause of 0, a timeout of 0 that holds forever). */
  readonly zero: boolean;
}

/** A duration read: its milliseconds, or why the value is not one (a sentence to put after `field:`). */
export type DurationReading = { readonly ms: number } | { readonly problem: string };

/** Every valid duration is this long or shorter: beyond it, milliseconds are no longer exact integers. */
export const MAX_DURATION_MS = Number.MAX_SAFE_INTEGER;

const EXAMPLES = 'a duration with a unit (ms, s, m, h, d) such as 500ms, 30s or 5m';
const BARE_NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/y;
// A bare number is offered as seconds only up to a day: whoever wrote 3600000 did not mean 41 days.
const SECONDS_SUGGESTED_UP_TO_MS = 86_400_000;

/**
 * Reads `value` (a string from a flag or a file, or a number from a file) as a duration.
 *
 * @example
 * readDuration('1.5s', { zero: false }); // { ms: 1500 }
 * readDuration('0', { zero: true });     // { ms: 0 }
 * readDuration(300, { zero: true });     // { problem: '300 has no unit: write 300ms, 300s or 5m' }
 */
export function readDuration(value: unknown, rules: DurationRules): DurationReading {
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  if (text === undefined || text === '') return { problem: `expected ${EXAMPLES}, got ${describeValue(value)}` };
  if (text.startsWith('-')) return { problem: `expected a duration of 0 or more, got ${describeValue(value)}` };
  if (BARE_NUMBER.test(text) || typeof value === 'number') return bareNumber(value, Number(text), rules);
  const ms = sumOfParts(text);
  if (ms === undefined) return { problem: `expected ${EXAMPLES}, got ${describeValue(value)}` };
  return checked(value, ms, rules);
}

/**
 * The shortest exact spelling of `ms` in the largest unit that divides it, which {@link readDuration} reads back
 * to the same value: `3600000` → `1h`, `90000` → `90s`, `1500` → `1500ms`, `0` → `0ms`.
 */
export function formatDuration(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) {
    if (ms > 0 && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** `1h30m` → 5 400 000; undefined unless the whole text is parts in decreasing units, each unit once. */
function sumOfParts(text: string): number | undefined {
  PART.lastIndex = 0;
  let ms = 0;
  let smallestSoFar = Number.POSITIVE_INFINITY;
  while (PART.lastIndex < text.length) {
    const match = PART.exec(text);
    if (!match) return undefined;
    const size = UNIT_MS.get(match[2]!)!;
    if (size >= smallestSoFar) return undefined;
    smallestSoFar = size;
    ms += Number(match[1]) * size;
    // Spaces between parts (`1h 30m`) read as written.
    while (text[PART.lastIndex] === ' ') PART.lastIndex++;
  }
  return ms;
}

function checked(value: unknown, ms: number, rules: DurationRules): DurationReading {
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    return { problem: `expected a duration of at most ${MAX_DURATION_MS}ms (about 285 000 years), got ${describeValue(value)}` };
  }
  // 1.5s is 1500 ms; 0.5ms or 1.0001s is no whole number of milliseconds, which is all a timer can wait.
  const whole = Math.round(ms);
  if (Math.abs(ms - whole) > 1e-6 * Math.max(1, ms)) return { problem: `expected a whole number of milliseconds, got ${describeValue(value)}` };
  if (whole === 0 && !rules.zero) return { problem: `must be longer than 0, got ${describeValue(value)}` };
  return { ms: whole };
}

function bareNumber(value: unknown, n: number, rules: DurationRules): DurationReading {
  if (n === 0 && Number.isFinite(n)) return rules.zero ? { ms: 0 } : { problem: `must be longer than 0, got ${describeValue(value)}` };
  if (!Number.isFinite(n)) return { problem: `expected ${EXAMPLES}, got ${describeValue(value)}` };
  const suggestions = suggestedSpellings(n, rules);
  const write = suggestions.length === 0 ? `write ${EXAMPLES.replace(/^a /, 'it as a ')}` : `write ${joinOr(suggestions)}`;
  return { problem: `${describeValue(value)} has no unit: ${write}` };
}

/** What `n` could have meant, as milliseconds and as seconds, each spelt literally and, if shorter, in a larger unit. */
function suggestedSpellings(n: number, rules: DurationRules): string[] {
  const literal = String(n);
  const spellings: string[] = [];
  for (const [unit, size, limit] of [['ms', 1, MAX_DURATION_MS], ['s', 1000, SECONDS_SUGGESTED_UP_TO_MS]] as const) {
    const reading = checked(n, n * size, rules);
    if (!('ms' in reading) || reading.ms > limit) continue;
    spellings.push(`${literal}${unit}`);
    const simpler = formatDuration(reading.ms);
    if (largerUnit(simpler, unit)) spellings.push(simpler);
  }
  return [...new Set(spellings)];
}

function largerUnit(spelling: string, than: string): boolean {
  const unit = /[a-z]+$/.exec(spelling)?.[0] ?? '';
  return (UNIT_MS.get(unit) ?? 0) > (UNIT_MS.get(than) ?? 0);
}

function joinOr(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
