/**
 * @module
 * Bounded retries of EC2 calls that EC2 asked us to repeat (throttling) or failed on its side (5xx). EC2 throttles
 * per account and per action, and during a game day other tools share the budget: giving up at once would make a
 * chaos run flaky, and retrying forever would hide a sick API. The SDK's own retries should be off
 * (`maxAttempts: 1`) or low, so that this one bounded policy, whose waits go through the injected {@link Clock},
 * is the one that applies.
 */
import type { Clock } from '../../core/clock.js';
import { InvalidInputError } from '../../core/errors.js';
import { RETRYABLE_CODES, toProviderError, type Ec2Action } from './ec2-errors.js';

/** How {@link withEc2Retry} retries. */
export interface Ec2RetryOptions {
  /** Attempts in all, the first included; 1 means no retry. @default 5 */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each further one, ms. @default 500 */
  readonly baseDelayMs?: number;
  /** Longest single wait, ms. @default 20_000 */
  readonly maxDelayMs?: number;
}

/** The defaults of {@link Ec2RetryOptions}. */
export const DEFAULT_EC2_RETRY: Required<Ec2RetryOptions> = { attempts: 5, baseDelayMs: 500, maxDelayMs: 20_000 };

/** Fills in and checks retry options; bad values are refused rather than clamped into something surprising. */
export function resolveEc2Retry(options: Ec2RetryOptions = {}): Required<Ec2RetryOptions> {
  const resolved = { ...DEFAULT_EC2_RETRY, ...options };
  if (!Number.isInteger(resolved.attempts) || resolved.attempts < 1) {
    throw new InvalidInputError('provider.invalidOption', `aws provider: retry.attempts must be a positive integer, got ${resolved.attempts}`);
  }
  for (const field of ['baseDelayMs', 'maxDelayMs'] as const) {
    if (!(resolved[field] >= 0)) throw new InvalidInputError('provider.invalidOption', `aws provider: retry.${field} must be >= 0, got ${resolved[field]}`);
  }
  return resolved;
}

/**
 * Runs `call`, retrying throttled and failing (5xx) answers up to `retry.attempts` times in all with an
 * exponential backoff (no jitter: one Simian process makes few calls, so there is no herd to spread). Whatever
 * still fails, and every other failure at once, is mapped with {@link toProviderError}.
 *
 * @example
 * const page = await withEc2Retry(clock, resolveEc2Retry(), { operation: 'DescribeInstances' }, () => client.send(command));
 */
export async function withEc2Retry<T>(clock: Clock, retry: Required<Ec2RetryOptions>, action: Ec2Action, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (raw) {
      const error = toProviderError(raw, action, attempt);
      if (attempt >= retry.attempts || !RETRYABLE_CODES.has(error.code)) throw error;
      await clock.sleep(Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1)));
    }
  }
}
