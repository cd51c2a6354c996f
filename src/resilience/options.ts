/**
 * @module
 * Checks on policy options. A bad option fails when the policy is built, with a message naming the option,
 * rather than misbehaving at 3 a.m.
 */
import { InvalidOptionError } from './errors.js';

/** Validates the options of one policy; every check names `policy` and the option in its error. */
export class OptionChecker {
  constructor(private readonly policy: string) {}

  /** A finite number within [min, max]; `undefined` gives `fallback`. */
  number(option: string, value: unknown, fallback: number, min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || Number.isNaN(value)) throw this.error(option, `must be a number, got ${describe(value)}`);
    if (value < min || value > max) throw this.error(option, `must be between ${min} and ${max}, got ${value}`);
    return value;
  }

  /** An integer within [min, max] (Infinity allowed when max is Infinity). */
  integer(option: string, value: unknown, fallback: number, min = 0, max = Number.POSITIVE_INFINITY): number {
    const n = this.number(option, value, fallback, min, max);
    if (!Number.isInteger(n) && n !== Number.POSITIVE_INFINITY) throw this.error(option, `must be an integer, got ${n}`);
    return n;
  }

  /** `value`, which must be given: `hint` says what the option means, for the error. */
  required<V>(option: string, value: V | undefined, hint = ''): V {
    if (value === undefined) throw this.error(option, hint ? `is required: ${hint}` : 'is required');
    return value;
  }

  /** A finite number strictly greater than 0. */
  positive(option: string, value: unknown, fallback: number): number {
    const n = this.number(option, value, fallback);
    if (!(n > 0) || !Number.isFinite(n)) throw this.error(option, `must be a finite number > 0, got ${n}`);
    return n;
  }

  /** A duration in milliseconds: finite and >= min. */
  duration(option: string, value: unknown, fallback: number, min = 0): number {
    const n = this.number(option, value, fallback, min);
    if (!Number.isFinite(n)) throw this.error(option, `must be a finite number of milliseconds, got ${n}`);
    return n;
  }

  /** A ratio in [0, 1]. */
  ratio(option: string, value: unknown, fallback: number): number {
    return this.number(option, value, fallback, 0, 1);
  }

  /** One of `choices`. */
  choice<C extends string>(option: string, value: unknown, fallback: C, choices: readonly C[]): C {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      throw this.error(option, `must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describe(value)}`);
    }
    return value as C;
  }

  /** A function, or undefined. */
  fn<F>(option: string, value: unknown): F | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'function') throw this.error(option, `must be a function, got ${describe(value)}`);
    return value as F;
  }

  /** A non-empty name usable as a Prometheus label value. */
  name(value: unknown, fallback: string): string {
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || value.trim() === '') throw this.error('name', `must be a non-empty string, got ${describe(value)}`);
    return value;
  }

  /** An error naming this policy and `option`. */
  error(option: string, detail: string): InvalidOptionError {
    return new InvalidOptionError(this.policy, option, detail);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : String(value);
}
