/**
 * @module
 * The small zod pieces experiment files are made of: durations with units, code ranges, comparators, non-empty
 * text. Each failure message says what was expected and what was found, because it ends up after `file:line:
 * field:` in front of a person.
 */
import { describeValue, expected } from '../core/schema-messages.js';
import { z } from 'zod';
import { duration } from '../config/simian-config.js';
import type { CodeRanges, Comparator } from './experiment.js';

/** A non-empty string. */
export const text = (what: string) => z.string({ error: expected(what) }).min(1, { error: `expected ${what}, got an empty string` });

/** A list of non-empty strings. */
export const texts = (what: string) => z.array(text(what), { error: expected(`a list of ${what}s`) });

/** `true` or `false`. */
export const bool = z.boolean({ error: expected('true or false') });

/** A finite number. */
export const finite = (what = 'a number') =>
  z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    ctx.addIssue({ code: 'custom', message: `expected ${what}, got ${describeValue(value)}` });
    return z.NEVER;
  });

/** A whole number at least `min`. */
export const whole = (min: number) =>
  z.unknown().transform((value, ctx): number => {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= min) return value;
    ctx.addIssue({ code: 'custom', message: `expected a whole number >= ${min}, got ${describeValue(value)}` });
    return z.NEVER;
  });

/** A number in (0, 1]. */
export const share = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && value > 0 && value <= 1) return value;
  ctx.addIssue({ code: 'custom', message: `expected a number in (0, 1], got ${describeValue(value)}` });
  return z.NEVER;
});

/** A percentage in (0, 100]. */
export const percent = z.unknown().transform((value, ctx): number => {
  if (typeof value === 'number' && value > 0 && value <= 100) return value;
  ctx.addIssue({ code: 'custom', message: `expected a percentage in (0, 100], got ${describeValue(value)}` });
  return z.NEVER;
});


/** Durations are written as in simian.yaml (one parser, one set of messages). */
export { duration };

/** The comparators a query check accepts. */
export const COMPARATORS: readonly Comparator[] = ['<', '<=', '>', '>=', '==', '!='];

/** One of {@link COMPARATORS}. */
export const comparator = z.unknown().transform((value, ctx): Comparator => {
  if (typeof value === 'string' && (COMPARATORS as readonly string[]).includes(value)) return value as Comparator;
  ctx.addIssue({ code: 'custom', message: `expected one of ${COMPARATORS.join(' ')}, got ${describeValue(value)}` });
  return z.NEVER;
});

/**
 * Accepted codes between `min` and `max`: a code (`200`), a range (`"200-299"`), or a list of either
 * (`[200, "300-304"]`).
 */
export const codeRanges = (what: string, min: number, max: number) =>
  z.unknown().transform((value, ctx): CodeRanges => {
    const help = `${what}: a code from ${min} to ${max}, a range such as "${min}-${max}", or a list of them`;
    const one = (item: unknown): readonly [number, number] | undefined => {
      if (typeof item === 'number' && Number.isInteger(item) && item >= min && item <= max) return [item, item];
      if (typeof item === 'string') {
        const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(item) ?? /^\s*(\d+)\s*$/.exec(item);
        if (match) {
          const low = Number(match[1]);
          const high = Number(match[2] ?? match[1]);
          if (low >= min && high <= max && low <= high) return [low, high];
        }
      }
      return undefined;
    };
    const items = Array.isArray(value) ? value : [value];
    const ranges = items.map(one);
    if (items.length > 0 && ranges.every((r) => r !== undefined)) return ranges as CodeRanges;
    ctx.addIssue({ code: 'custom', message: `expected ${help}, got ${describeValue(value)}` });
    return z.NEVER;
  });

/** A regular expression that compiles. */
export const regex = text('a regular expression').refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { error: (issue) => `expected a valid regular expression, got ${describeValue(issue.input)}` },
);

/** A mapping that may be written with nothing under it (`pauses:`), which means "all defaults". */
export const section = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === null || value === undefined ? {} : value), schema);

/** A mapping error that lists what the mapping may hold. */
export const mapping = (keys: string) => ({ error: expected(`a mapping with ${keys}`) });

/** A list error. */
export const list = (what: string) => ({ error: expected(`a list of ${what}`) });
