import { describe, expect, it } from 'vitest';
import { CountingClock } from '../support/counting-clock.js';
import { Registry } from 'prom-client';
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

/** Timers and other handles the process holds, by type (what keeps a test runner from exiting). */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

describe('dispose', () => {
  it('leaves no timer or handle behind after every policy ran on the real clock, failures and timeouts included', async () => {
    const before = handles();
    const clock = new CountingClock();
    const registry = new Registry();
    const budget = new RetryBudget({ name: 'dep', metrics: registry, clock });
    const everything = pipeline(
      { name: 'dep', metrics: registry, clock },
      fallback({ value: 'fallback', metrics: registry, name: 'dep', clock }),
      retry({ maxAttempts: 2, backoff: { initialDelayMs: 1, jitter: 'none' }, budget, metrics: registry, name: 'dep', clock }),
      circuitBreaker({ minimumCalls: 2, openDurationMs: 60_000, metrics: registry, name: 'dep', clock }),
      rateLimiter({ ratePerSecond: 10_000, metrics: registry, name: 'dep', clock }),
      bulkhead({ maxConcurrent: 4, maxQueue: 100, metrics: registry, name: 'dep', clock }),
      adaptiveConcurrency({ algorithm: 'aimd', metrics: registry, name: 'dep', clock }),
      hedge({ delayMs: 2, budget, metrics: registry, name: 'dep', clock }),
      faultInjection({ latency: { rate: 0.5, ms: 1 }, metrics: registry, name: 'dep', clock }),
      timeout({ ms: 5, metrics: registry, name: 'dep', clock }),
    );
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        everything.execute(({ signal }) =>
          i % 3 === 0
            ? new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) // times out
            : i % 3 === 1
              ? Promise.reject(new Error('down'))
              : Promise.resolve('ok'),
        ),
      ),
    );
    expect(results).toContain('fallback');
    expect(clock.live).toBeGreaterThan(0); // the open breaker waits to probe; the timeout queue is armed
    everything.dispose();
    expect(clock.live).toBe(0);
    expect(handles()).toEqual(before);
  });
});
