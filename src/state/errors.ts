/**
 * @module
 * The state store's errors. The codes are stable because the safety pipeline branches on them: a fault whose
 * record failed (`state.unwritable`) must not be injected.
 */
import { InvalidInputError, SimianError } from '../core/errors.js';

/** Code of every "the store cannot take this write" failure, at open or on a write. */
export const STATE_UNWRITABLE = 'state.unwritable';
/** Code of a failed read: callers treat it as "cannot see", and skip the fault. */
export const STATE_UNREADABLE = 'state.unreadable';

/** Renders a thrown value for a message, whatever was thrown. */
function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * A write did not commit (read-only file, disk full, closed store, lock held past the busy timeout, duplicate
 * id...). Nothing of it was stored, so the fault it was meant to record must not happen.
 */
export class StateUnwritableError extends SimianError {
  constructor(path: string, what: string, cause: unknown) {
    super(STATE_UNWRITABLE, `state store ${path}: could not record ${what}: ${reason(cause)}`, { cause });
  }
}

/** A read failed (closed store, I/O error): callers cannot see what is active, so they skip. */
export class StateUnreadableError extends SimianError {
  constructor(path: string, what: string, cause: unknown) {
    super(STATE_UNREADABLE, `state store ${path}: could not read ${what}: ${reason(cause)}`, { cause });
  }
}

/**
 * The store cannot be opened at `path` (missing or read-only folder, a folder in place of the file, not a
 * database, a schema from a newer Simian). It is bad configuration, hence an {@link InvalidInputError} (exit 2).
 */
export function unopenableStore(path: string, why: string, cause?: unknown): InvalidInputError {
  return new InvalidInputError(STATE_UNWRITABLE, `state store ${path}: ${why}`, cause === undefined ? {} : { cause });
}
