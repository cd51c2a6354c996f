/**
 * @module
 * Bounded retries of API calls the server asked us to repeat (429 Too Many Requests, 5xx). API Priority and
 * Fairness answers 429 with `Retry-After` when the server is busy, which during a game day it may well be; giving
 * up at once would make a chaos run flaky, and retrying forever would hide a sick control plane. Waits go through
 * the injected {@link Clock}, so tests drive them with a `ManualClock`.
 */
import { ApiException } from '@kubernetes/client-node';
import type { Clock } from '../../core/clock.js';
import { kubeStatus, toProviderError, type KubeAction } from './kube-errors.js';

/** How {@link withKubeRetry} retries. */
export interface KubeRetryOptions {
  /** Attempts in all, the first included; 1 means no retry. @default 3 */
  readonly attempts?: number;
  /** Wait before the first retry when the server gives no `Retry-After`, doubled for each further one, ms. @default 250 */
  readonly baseDelayMs?: number;
  /** Longest single wait, whatever `Retry-After` says, ms. @default 30_000 */
  readonly maxDelayMs?: number;
}

/** Per-call tweaks of {@link withKubeRetry}. */
export interface KubeCallOptions {
  /**
   * Whether a 429 is retried. An eviction refused by a PodDisruptionBudget is also a 429, but it is an answer,
   * not congestion: retrying it at once only hammers the server, so eviction calls turn this off.
   * @default true
   */
  readonly retryTooManyRequests?: boolean;
}

/** The defaults of {@link KubeRetryOptions}. */
export const DEFAULT_KUBE_RETRY: Required<KubeRetryOptions> = { attempts: 3, baseDelayMs: 250, maxDelayMs: 30_000 };

/**
 * The wait the server asked for, ms: the `Retry-After` header (seconds or an HTTP date), else the Status body's
 * `details.retryAfterSeconds`, else undefined.
 */
export function retryAfterMs(error: ApiException<unknown>, nowMs: number): number | undefined {
  // node-fetch lower-cases header names; look both ways in case a custom HTTP library does not.
  const header = error.headers?.['retry-after'] ?? error.headers?.['Retry-After'];
  if (header !== undefined && header.trim() !== '') {
    const seconds = Number(header);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
    const date = Date.parse(header);
    if (Number.isFinite(date)) return Math.max(0, date - nowMs);
  }
  const fromBody = kubeStatus(error).details?.retryAfterSeconds;
  return typeof fromBody === 'number' && fromBody >= 0 ? fromBody * 1000 : undefined;
}

function isRetryable(error: unknown, options: KubeCallOptions): error is ApiException<unknown> {
  if (!(error instanceof ApiException)) return false;
  if (error.code === 429) return options.retryTooManyRequests !== false;
  // 501 Not Implemented will not change its mind.
  return error.code >= 500 && error.code !== 501;
}

/**
 * Runs `call`, retrying 429 and 5xx answers up to `retry.attempts` times in all, waiting what `Retry-After` asks
 * (capped) or an exponential backoff. Whatever still fails is mapped with {@link toProviderError}.
 *
 * @example
 * const pods = await withKubeRetry(clock, {}, { verb: 'list', resource: 'pods' }, () => core.listPodForAllNamespaces({}));
 */
export async function withKubeRetry<T>(
  clock: Clock,
  retry: KubeRetryOptions,
  action: KubeAction,
  call: () => Promise<T>,
  options: KubeCallOptions = {},
): Promise<T> {
  const attempts = Math.max(1, Math.floor(retry.attempts ?? DEFAULT_KUBE_RETRY.attempts));
  const base = retry.baseDelayMs ?? DEFAULT_KUBE_RETRY.baseDelayMs;
  const max = retry.maxDelayMs ?? DEFAULT_KUBE_RETRY.maxDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error, options)) throw toProviderError(error, action);
      const asked = retryAfterMs(error, clock.now());
      await clock.sleep(Math.min(max, asked ?? base * 2 ** (attempt - 1)));
    }
  }
}
