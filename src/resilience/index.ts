/**
 * @module
 * The resilience library service teams import: `simian-army/resilience`.
 *
 * @example
 * import { pipeline, retry, circuitBreaker, timeout, RetryBudget } from 'simian-army/resilience';
 */
export { pipeline, Pipeline } from './pipeline.js';
export type { PipelineOptions } from './pipeline.js';
export type { Policy, ExecuteOptions, Outcome, CommonPolicyOptions } from './policy.js';
export type { PolicyContext, PolicyFn } from './context.js';
export { retry, RetryPolicy } from './retry.js';
export type { RetryOptions, RetryEvent } from './retry.js';
export { exponentialBackoff } from './backoff.js';
export type { Backoff, BackoffOptions, Jitter } from './backoff.js';
export { RetryBudget } from './retry-budget.js';
export type { RetryBudgetOptions } from './retry-budget.js';
export { timeout, TimeoutPolicy } from './timeout.js';
export type { TimeoutOptions, TimeoutStrategy, TimeoutEvent } from './timeout.js';
export { circuitBreaker, CircuitBreakerPolicy } from './circuit-breaker.js';
export type { CircuitBreakerOptions, CircuitState, BreakerWindow, StateChange, BreakerSnapshot } from './circuit-breaker.js';
export { fallback, FallbackPolicy } from './fallback.js';
export type { FallbackOptions } from './fallback.js';
export {
  CircuitOpenError,
  TimeoutError,
  BulkheadRejectedError,
  RateLimitedError,
  RetryBudgetExhaustedError,
  InjectedFaultError,
  PolicyDisposedError,
  InvalidOptionError,
  ResilienceErrorCode,
  isCircuitOpenError,
  isTimeoutError,
  isBulkheadRejectedError,
  isRateLimitedError,
  isRetryBudgetExhaustedError,
  isInjectedFaultError,
  isCapacityRejection,
} from './errors.js';
export { resilienceMetrics, ResilienceMetrics } from './metrics/resilience-metrics.js';
export { LatencyHistogram, DEFAULT_DURATION_BUCKETS } from './metrics/latency-histogram.js';
