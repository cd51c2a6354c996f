/**
 * @module
 * One wording for an action that failed and whose own rollback failed too, so that nobody reads "failed" and
 * believes the platform was left as it was found.
 */
import { SimianError } from '../core/errors.js';

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The action's error (its code kept) with the rollback's failure in the message.
 *
 * @example
 * throw withRollbackFailure(error, undoError, 'uncordoning nodes a, b again');
 * // "cannot cordon node c: HTTP 500; uncordoning nodes a, b again failed too: HTTP 503"
 */
export function withRollbackFailure(error: unknown, rollbackError: unknown, rollback: string): SimianError {
  const code = error instanceof SimianError ? error.code : 'provider.actionFailed';
  return new SimianError(code, `${text(error)}; ${rollback} failed too: ${text(rollbackError)}`, { cause: error });
}
