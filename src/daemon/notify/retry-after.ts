/**
 * @module
 * `Retry-After` (RFC 9110 §10.2.3): how long a rate-limited or unavailable webhook asks to be left alone.
 */

/**
 * The wait `header` asks for, in ms (delay-seconds or an HTTP-date, read against `now`), or undefined when it is
 * absent or unreadable (then the caller's own backoff applies).
 *
 * @example
 * retryAfterMs('3', Date.now()); // 3000
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
