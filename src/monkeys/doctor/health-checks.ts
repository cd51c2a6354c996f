/**
 * @module
 * The seams of Doctor Monkey: what a health check is, what it finds, and how findings add up to a verdict. A
 * check may say an instance is well, that it is not, or that it cannot tell; only the second ever leads to a
 * termination, because when we cannot see, we do not break things.
 */
import { isSimianError, SimianError } from '../../core/errors.js';
import type { Instance } from '../../core/model.js';

/** The checks Doctor Monkey knows. */
export type CheckName = 'health' | 'registration' | 'restart-loop';

/**
 * What a check says about one instance: `true` (well), `false` (sick: the evidence is against the instance) or
 * `'unknown'` (the check itself could not tell, and the instance is not judged on it).
 */
export type CheckOk = boolean | 'unknown';

/** One check's answer for one instance, before the doctor names the check. */
export interface CheckOutcome {
  readonly ok: CheckOk;
  /** A sentence for people: what was seen (`HTTP 500`, `restarted 4 times, up for 12 s`). */
  readonly detail: string;
}

/** One check's answer for one instance, as the report carries it. */
export interface Finding extends CheckOutcome {
  readonly check: CheckName;
}

/** What a check is given for each piece of work it does. */
export interface CheckContext {
  /**
   * Aborts when the per-check timeout runs out (its reason is a {@link SimianError} with code
   * {@link CHECK_TIMEOUT}, see {@link isCheckTimeout}). A check passes it on to whatever it waits for.
   */
  readonly signal: AbortSignal;
  /** The per-check timeout, ms, for the detail of a timeout finding. */
  readonly timeoutMs: number;
}

/**
 * Examines one instance. Resolves `undefined` when the check does not apply to it (a service that never
 * registers, an instance without a restart count); rejecting means the check could not tell (`'unknown'`).
 */
export type InstanceProbe = (instance: Instance, context: CheckContext) => Promise<CheckOutcome | undefined> | CheckOutcome | undefined;

/** A health check over the inventory. */
export interface HealthCheck {
  readonly name: CheckName;
  /**
   * Gets ready for one examination of `instances` and returns the per-instance probe. Work every instance needs
   * (reading a registry) is done here, once. It runs under the per-check timeout; rejecting makes this check
   * `'unknown'` for every instance.
   */
  prepare(instances: readonly Instance[], context: CheckContext): Promise<InstanceProbe>;
}

/** The code of the abort reason a check's signal carries when the per-check timeout runs out. */
export const CHECK_TIMEOUT = 'doctor.checkTimeout';

/** The abort reason of a check that ran out of time. */
export function checkTimeoutError(timeoutMs: number): SimianError {
  return new SimianError(CHECK_TIMEOUT, `no answer within ${timeoutMs} ms`);
}

/** Whether `reason` (an abort reason, a rejection) is the per-check timeout running out. */
export function isCheckTimeout(reason: unknown): boolean {
  return isSimianError(reason, CHECK_TIMEOUT);
}

/** An instance's verdict: sick on any failed check, unknown when a check could not tell or none applied. */
export type Verdict = 'healthy' | 'sick' | 'unknown';

/**
 * Adds findings up. One failed check makes an instance sick even if another could not tell; an instance that no
 * check applied to is `unknown`, not healthy: nobody looked.
 */
export function verdictOf(findings: readonly Finding[]): Verdict {
  if (findings.some((f) => f.ok === false)) return 'sick';
  if (findings.length === 0 || findings.some((f) => f.ok === 'unknown')) return 'unknown';
  return 'healthy';
}

/** The message of anything thrown. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
