/**
 * @module
 * One error base for all of Simian: a stable, namespaced `code` that scripts and tests match on, and a `cause`.
 */

/** Options accepted by {@link SimianError}. */
export interface SimianErrorOptions {
  /** The error that led to this one. */
  cause?: unknown;
  /** Exit code the CLI uses when this error ends a command. @default 1 */
  exitCode?: number;
}

const SIMIAN_ERROR = Symbol.for('simian-army.error');

/**
 * The base of every error Simian throws on purpose.
 *
 * @example
 * throw new SimianError('provider.notFound', 'no instance i-123 in group api', { cause: err });
 */
export class SimianError extends Error {
  /** Stable identifier, `area.problem` (for example `resilience.circuitOpen`); never reworded. */
  readonly code: string;
  /** Process exit code when this error ends a CLI command. */
  readonly exitCode: number;
  readonly [SIMIAN_ERROR] = true;

  constructor(code: string, message: string, options: SimianErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.exitCode = options.exitCode ?? 1;
  }
}

/**
 * Whether `error` is a {@link SimianError}, optionally with the given code. It checks a marker rather than the
 * class, so errors from another copy of the package still match.
 */
export function isSimianError(error: unknown, code?: string): error is SimianError {
  if (typeof error !== 'object' || error === null || !(SIMIAN_ERROR in error)) return false;
  return code === undefined || (error as SimianError).code === code;
}

/** Bad input from a user or a caller (an option, a flag, a file): exit code 2, and nothing was done. */
export class InvalidInputError extends SimianError {
  constructor(code: string, message: string, options: Omit<SimianErrorOptions, 'exitCode'> = {}) {
    super(code, message, { ...options, exitCode: 2 });
  }
}

/**
 * Builds an error without capturing a stack trace. Rejections on a hot path (an open circuit, a full bulkhead)
 * happen by the thousand during an incident, and a stack costs microseconds each while saying nothing useful.
 */
export function withoutStack<E extends Error>(build: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** The message of anything thrown: an Error's, or the value as text (decisions and outcomes carry raw errors). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
