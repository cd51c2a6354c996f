import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/index.js';
import {
  CircuitOpenError,
  RetryBudget,
  circuitBreaker,
  fallback,
  pipeline,
  retry,
  timeout,
  type PolicyContext,
} from '../../src/resilience/index.js';

describe('pipeline', () => {
  it('applies policies outermost first: a fallback outside a retry answers only after the retries', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const policy = pipeline(
      fallback({ value: 'fallback' }),
      retry({ clock, maxAttempts: 3, backoff: { initialDelayMs: 10, jitter: 'none' } }),
    );
    const result = policy.execute(({ attempt }) => {
      seen.push(attempt);
      return Promise.reject(new Error('down'));
    });
    await clock.advance(30);
    await expect(result).resolves.toBe('fallback');
    expect(seen).toEqual([1, 2, 3]);
  });

  it("carries the caller's signal to the innermost function through every layer", async () => {
    const clock = new ManualClock();
    const policy = pipeline(retry({ clock }), circuitBreaker({ clock }), timeout({ ms: 1000, clock }));
    const controller = new AbortController();
    let inner: AbortSignal | undefined;
    const call = policy.execute(
      (ctx) => {
        inner = ctx.signal;
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
      { signal: controller.signal },
    );
    await clock.advance(1);
    controller.abort(new Error('user navigated away'));
    await expect(call).rejects.toThrow('user navigated away');
    expect(inner?.aborted).toBe(true);
    policy.dispose();
    expect(clock.pendingTimers).toBe(0);
  });

  it('retries a timed-out attempt, each attempt with its own deadline and signal', async () => {
    const clock = new ManualClock();
    const policy = pipeline(retry({ clock, maxAttempts: 2, backoff: { initialDelayMs: 0, jitter: 'none' } }), timeout({ ms: 100, clock }));
    const contexts: PolicyContext[] = [];
    const call = policy.execute((ctx) => {
      contexts.push(ctx);
      return ctx.attempt === 1 ? new Promise(() => undefined) : 'second';
    });
    await clock.advance(100);
    await expect(call).resolves.toBe('second');
    expect(contexts.map((c) => c.attempt)).toEqual([1, 2]);
    expect(contexts.map((c) => c.deadline)).toEqual([100, 200]);
    expect(contexts[0]!.signal.aborted).toBe(true);
    expect(contexts[1]!.signal.aborted).toBe(false);
  });

  it('gives an outcome instead of a throw when asked', async () => {
    const policy = pipeline(circuitBreaker({ minimumCalls: 1 }));
    await policy.executeOutcome(() => Promise.reject(new Error('down')));
    const outcome = await policy.executeOutcome(() => 'never');
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toBeInstanceOf(CircuitOpenError);
    policy.dispose();
  });

  it('reports end-to-end outcomes when named with a registry', async () => {
    const registry = new Registry();
    const policy = pipeline({ name: 'catalog', metrics: registry }, fallback({ value: 0 }));
    await policy.execute(() => 1);
    const text = await registry.metrics();
    expect(text).toContain('resilience_calls_total{policy="pipeline",name="catalog",outcome="success"} 1');
    expect(text).toContain('resilience_call_duration_seconds_count{policy="pipeline",name="catalog"} 1');
  });

  it('refuses two policies of one kind and name on one registry', () => {
    const registry = new Registry();
    retry({ name: 'catalog', metrics: registry });
    expect(() => retry({ name: 'catalog', metrics: registry })).toThrow(/"catalog" is already reporting/);
  });

  it('shares one retry budget between policies without duplicating its series', async () => {
    const registry = new Registry();
    const budget = new RetryBudget({ name: 'catalog' });
    retry({ name: 'a', metrics: registry, budget });
    retry({ name: 'b', metrics: registry, budget });
    const text = await registry.metrics();
    expect(text.match(/resilience_retry_budget_exhausted_total\{name="catalog"\}/g)).toHaveLength(1);
  });

  it('rejects something that is not a policy, naming its position', () => {
    expect(() => pipeline(retry(), {} as never)).toThrow(/pipeline: option "policies\[1\]" must be a policy/);
  });
});
