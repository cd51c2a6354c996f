import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/index.js';
import {
  RetryBudget,
  adaptiveConcurrency,
  bulkhead,
  circuitBreaker,
  fallback,
  faultInjection,
  hedge,
  pipeline,
  rateLimiter,
  retry,
  timeout,
} from '../../src/resilience/index.js';

/** Runs Prometheus' own linter on an exposition; promtool ships with Debian's prometheus package (.ci/run installs it). */
function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool is not installed (apt-get install prometheus): ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('resilience metrics exposition', () => {
  it('passes promtool check metrics with every family in use', async () => {
    const registry = new Registry();
    const clock = new ManualClock();
    const budget = new RetryBudget({ name: 'catalog', clock });
    const policy = pipeline(
      { name: 'catalog', metrics: registry, clock },
      fallback({ value: 'cached', name: 'catalog', metrics: registry, clock }),
      retry({ name: 'catalog', metrics: registry, clock, budget, backoff: { initialDelayMs: 0, jitter: 'none' } }),
      circuitBreaker({ name: 'catalog', metrics: registry, clock, slowCallDurationMs: 50 }),
      rateLimiter({ ratePerSecond: 100, name: 'catalog', metrics: registry, clock }),
      bulkhead({ maxConcurrent: 10, name: 'catalog', metrics: registry, clock }),
      adaptiveConcurrency({ algorithm: 'gradient', name: 'catalog', metrics: registry, clock }),
      hedge({ delayMs: 50, budget, name: 'catalog', metrics: registry, clock }),
      faultInjection({ error: { rate: 0 }, name: 'catalog', metrics: registry, clock }),
      timeout({ ms: 100, name: 'catalog', metrics: registry, clock }),
    );
    await policy.execute(() => 'ok');
    await policy.execute(() => Promise.reject(new Error('down')));
    const text = await registry.metrics();
    const { status, output } = promtoolCheckMetrics(text);
    expect(output).toBe('');
    expect(status).toBe(0);
    expect(text).toContain('# TYPE resilience_call_duration_seconds histogram');
    expect(text).toContain('resilience_call_duration_seconds_bucket{policy="circuit_breaker",name="catalog",le="+Inf"}');
    expect(text).toContain('resilience_retry_attempts_total{name="catalog"} 2');
    for (const family of [
      'resilience_circuit_state',
      'resilience_circuit_transitions_total',
      'resilience_retry_budget_exhausted_total',
      'resilience_bulkhead_inflight',
      'resilience_bulkhead_queued',
      'resilience_concurrency_limit',
      'resilience_concurrency_inflight',
      'resilience_hedges_total',
      'resilience_fault_injected_total',
      'resilience_ratelimit_available_tokens',
    ]) {
      expect(text, family).toMatch(new RegExp(`^${family}\\{name="catalog"`, 'm'));
    }
    policy.dispose();
  });

  it('is a real check: promtool rejects a malformed exposition', () => {
    const { status } = promtoolCheckMetrics('# TYPE bad_total counter\nbad_total{le="x" 1\n');
    expect(status).not.toBe(0);
  });
});
