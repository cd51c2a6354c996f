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
export { bulkhead, BulkheadPolicy } from './bulkhead.js';
export type { BulkheadOptions, BulkheadRejection } from './bulkhead.js';
export { rateLimiter, RateLimiterPolicy } from './rate-limiter.js';
export type { RateLimiterOptions } from './rate-limiter.js';
export { hedge, HedgePolicy } from './hedge.js';
export type { HedgeOptions, HedgeEvent } from './hedge.js';
export { adaptiveConcurrency, AdaptiveConcurrencyPolicy } from './adaptive-concurrency.js';
export type {
  AdaptiveConcurrencyOptions,
  AdaptiveConcurrencyBaseOptions,
  ConcurrencyLimitAlgorithm,
  LimitBounds,
  LimitChangeEvent,
} from './adaptive-concurrency.js';
export { AimdLimit } from './limits/aimd-limit.js';
export type { AimdLimitOptions } from './limits/aimd-limit.js';
export { GradientLimit } from './limits/gradient-limit.js';
export type { GradientLimitOptions } from './limits/gradient-limit.js';
export {
  faultInjection,
  FaultInjectionPolicy,
  withFaults,
  setFaultInjectionEnabled,
  isFaultInjectionEnabled,
} from './fault-injection.js';
export type { FaultInjectionOptions, FaultSpec, LatencyFault, ErrorFault } from './fault-injection.js';
export {
  CircuitOpenError,
  TimeoutError,
  BulkheadRejectedError,
  RateLimitedError,
  RetryBudgetExhaustedError,
  InjectedFaultError,
  HedgeCancelledError,
  PolicyDisposedError,
  InvalidOptionError,
  ResilienceErrorCode,
  isCircuitOpenError,
  isTimeoutError,
  isBulkheadRejectedError,
  isRateLimitedError,
  isRetryBudgetExhaustedError,
  isInjectedFaultError,
  isHedgeCancelledError,
  isCapacityRejection,
} from './errors.js';
export { resilienceMetrics, ResilienceMetrics } from './metrics/resilience-metrics.js';
export { LatencyHistogram, DEFAULT_DURATION_BUCKETS } from './metrics/latency-histogram.js';
