/**
 * @module
 * Option parsers shared by commands: each throws commander's InvalidArgumentError, which names the flag.
 */
import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a duration such as `500ms`, `30s`, `2m` or `1h` (a bare number is seconds) into milliseconds. */
export function parseDuration(value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(value.trim());
  if (!match) throw new InvalidArgumentError(`expected a duration such as 30s, 500ms, 2m; got "${value}"`);
  const ms = Number(match[1]) * UNITS[match[2] ?? 's']!;
  if (ms <= 0) throw new InvalidArgumentError('must be longer than 0');
  return ms;
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
