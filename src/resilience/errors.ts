/**
 * @module
 * Errors the resilience policies throw, each with a stable code and a guard that works across package copies.
 */
import { InvalidInputError, SimianError, isSimianError } from '../core/errors.js';

/** Codes of the errors in this module. */
export const ResilienceErrorCode = {
  circuitOpen: 'resilience.circuitOpen',
  timeout: 'resilience.timeout',
  bulkheadRejected: 'resilience.bulkheadRejected',
  rateLimited: 'resilience.rateLimited',
  retryBudgetExhausted: 'resilience.retryBudgetExhausted',
  faultInjected: 'resilience.faultInjected',
  hedgeCancelled: 'resilience.hedgeCancelled',
  disposed: 'resilience.disposed',
  invalidOption: 'resilience.invalidOption',
} as const;

/** The circuit breaker refused the call: it is open (or half-open with every probe slot taken). */
export class CircuitOpenError extends SimianError {
  constructor(
    readonly breaker: string,
    readonly state: string,
  ) {
    super(ResilienceErrorCode.circuitOpen, `circuit breaker "${breaker}" is ${state}: call not attempted`);
  }
}

/** The call took longer than its timeout. */
export class TimeoutError extends SimianError {
  constructor(
    readonly policy: string,
    readonly timeoutMs: number,
  ) {
    super(ResilienceErrorCode.timeout, `"${policy}" timed out after ${timeoutMs} ms`);
  }
}

/** A bulkhead or concurrency limit was full: the call was shed, never started. Not a failure of the dependency. */
export class BulkheadRejectedError extends SimianError {
  constructor(
    readonly policy: string,
    readonly limit: number,
  ) {
    super(ResilienceErrorCode.bulkheadRejected, `"${policy}" is at capacity (${limit} in flight): call rejected`);
  }
}

/** A rate limiter had no token left: the call was not made. `retryAfterMs` says when one will be. */
export class RateLimitedError extends SimianError {
  constructor(
    readonly policy: string,
    readonly retryAfterMs: number,
  ) {
    super(ResilienceErrorCode.rateLimited, `"${policy}" rate limit reached: retry after ${Math.ceil(retryAfterMs)} ms`);
  }
}

/**
 * A retry (or hedge) was needed but the dependency's retry budget was spent: retrying would amplify an outage.
 * `cause` is the error of the last attempt.
 */
export class RetryBudgetExhaustedError extends SimianError {
  constructor(
    readonly budget: string,
    cause: unknown,
  ) {
    super(ResilienceErrorCode.retryBudgetExhausted, `retry budget "${budget}" exhausted: not retrying`, { cause });
  }
}

/** An error injected on purpose by the fault-injection policy, to exercise fallbacks. */
export class InjectedFaultError extends SimianError {
  constructor(readonly policy: string) {
    super(ResilienceErrorCode.faultInjected, `fault injected by "${policy}"`);
  }
}

/** The abort reason of a hedged attempt that lost the race: another attempt answered first. */
export class HedgeCancelledError extends SimianError {
  constructor(readonly policy: string) {
    super(ResilienceErrorCode.hedgeCancelled, `"${policy}": another attempt answered first`);
  }
}

/** The policy was disposed and takes no more calls. */
export class PolicyDisposedError extends SimianError {
  constructor(readonly policy: string) {
    super(ResilienceErrorCode.disposed, `"${policy}" was disposed`);
  }
}

/** An option passed to a policy factory is invalid; the message names the policy and the option. */
export class InvalidOptionError extends InvalidInputError {
  constructor(
    readonly policy: string,
    readonly option: string,
    detail: string,
  ) {
    super(ResilienceErrorCode.invalidOption, `${policy}: option "${option}" ${detail}`);
  }
}

/** @returns whether `e` is a {@link CircuitOpenError} (from any copy of the package). */
export const isCircuitOpenError = (e: unknown): e is CircuitOpenError => isSimianError(e, ResilienceErrorCode.circuitOpen);
/** @returns whether `e` is a {@link TimeoutError}. */
export const isTimeoutError = (e: unknown): e is TimeoutError => isSimianError(e, ResilienceErrorCode.timeout);
/** @returns whether `e` is a {@link BulkheadRejectedError}. */
export const isBulkheadRejectedError = (e: unknown): e is BulkheadRejectedError =>
  isSimianError(e, ResilienceErrorCode.bulkheadRejected);
/** @returns whether `e` is a {@link RateLimitedError}. */
export const isRateLimitedError = (e: unknown): e is RateLimitedError => isSimianError(e, ResilienceErrorCode.rateLimited);
/** @returns whether `e` is a {@link RetryBudgetExhaustedError}. */
export const isRetryBudgetExhaustedError = (e: unknown): e is RetryBudgetExhaustedError =>
  isSimianError(e, ResilienceErrorCode.retryBudgetExhausted);
/** @returns whether `e` is an {@link InjectedFaultError}. */
export const isInjectedFaultError = (e: unknown): e is InjectedFaultError =>
  isSimianError(e, ResilienceErrorCode.faultInjected);

/** @returns whether `e` is a {@link HedgeCancelledError}: the abort reason of an attempt that lost a hedge race. */
export const isHedgeCancelledError = (e: unknown): e is HedgeCancelledError =>
  isSimianError(e, ResilienceErrorCode.hedgeCancelled);

/**
 * Whether `e` is a rejection for capacity (bulkhead, concurrency limit, rate limit): the dependency was not called,
 * so a circuit breaker must not count it as the dependency failing.
 */
export const isCapacityRejection = (e: unknown): boolean => isBulkheadRejectedError(e) || isRateLimitedError(e);
