/**
 * @module
 * Option parsers shared by commands: each throws commander's InvalidArgumentError, which names the flag.
 */
import { InvalidArgumentError } from 'commander';
import { readDuration, type DurationRules } from '../core/durations.js';

/**
 * Parses a duration with a unit (`500ms`, `30s`, `2m`, `1h`, `1h30m`) into milliseconds, longer than 0. A bare
 * number is refused with what it could have meant (`"300" has no unit: write 300ms, 300s or 5m`): see
 * `core/durations.ts`.
 */
export function parseDuration(value: string): number {
  return flagDuration(value, { zero: false });
}

/** Like {@link parseDuration}, but `0` (which needs no unit) is allowed: a jitter of 0, a timeout that holds forever. */
export function parseDurationOrZero(value: string): number {
  return flagDuration(value, { zero: true });
}

function flagDuration(value: string, rules: DurationRules): number {
  const reading = readDuration(value, rules);
  if ('problem' in reading) throw new InvalidArgumentError(reading.problem);
  return reading.ms;
}

/** Parses a number greater than 0. */
export function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a number > 0, got "${value}"`);
  return n;
}

/** Parses a ratio in [0, 1]. */
export function parseRatio(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`expected a number from 0 to 1, got "${value}"`);
  return n;
}

/** Parses an integer >= 0. */
export function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number >= 0, got "${value}"`);
  return n;
}

/** Parses an http(s) URL. */
export function parseHttpUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString().replace(/\/$/, '');
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError(`expected an http:// or https:// URL, got "${value}"`);
}
