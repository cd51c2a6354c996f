/**
 * @module
 * The seam between the adaptive concurrency policy and the algorithms that learn its limit. It lives beside the
 * algorithms, below the policy, so that the built-in ones implement it without importing the policy that uses them.
 */

/**
 * How a limit is learned. The policy reports every finished call; the algorithm moves `limit`. Implement it to plug
 * in another algorithm (Vegas, a fixed limit for tests).
 */
export interface ConcurrencyLimitAlgorithm {
  /** The current limit; may be fractional: the policy admits `floor(limit)` calls, and never fewer than 1. */
  readonly limit: number;
  /**
   * One finished call.
   * @param rttMs how long it took, in milliseconds
   * @param inflight calls in flight when it was admitted, itself included
   * @param didDrop whether it was dropped (timed out, or overloaded as `isDrop` decides)
   */
  onSample(rttMs: number, inflight: number, didDrop: boolean): void;
}

/** The starting limit and its range, shared by the built-in algorithms. */
export interface LimitBounds {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
}
