import { describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/manual-clock.js';
import { CallContext } from '../../src/resilience/context.js';
import {
  InvalidOptionError,
  PolicyDisposedError,
  RateLimitedError,
  TimeoutError,
  isRateLimitedError,
} from '../../src/resilience/errors.js';
import { fallback } from '../../src/resilience/fallback.js';
import { pipeline } from '../../src/resilience/pipeline.js';
import { rateLimiter } from '../../src/resilience/rate-limiter.js';

const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => {
    throw new Error('expected a rejection');
  },
  (error: unknown) => error,
);

describe('rateLimiter', () => {
  it('lets a burst through, then rejects at once with a stackless error saying when the next token is due', async () => {
    const clock = new ManualClock();
    const policy = rateLimiter({ name: 'search', ratePerSecond: 10, burst: 3, clock });
    for (let i = 0; i < 3; i++) expect(await policy.execute(() => i)).toBe(i);
    expect(policy.availableTokens).toBe(0);

    await clock.advance(40);
    const error = await rejection(policy.execute(() => 'no'));
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(isRateLimitedError(error)).toBe(true);
    expect((error as RateLimitedError).retryAfterMs).toBeCloseTo(60, 9);
    expect((error as Error).stack).not.toContain('\n    at ');
    expect(clock.pendingTimers).toBe(0);
    expect(policy.outcomes).toEqual({ success: 3, failure: 0, rejected: 1 });
  });

  it('refills lazily from the clock, up to the burst, without any timer', async () => {
    const clock = new ManualClock();
    const policy = rateLimiter({ ratePerSecond: 4, burst: 2, clock });
    await policy.execute(() => undefined);
    await policy.execute(() => undefined);
    expect(policy.availableTokens).toBe(0);
    await clock.advance(250);
    expect(policy.availableTokens).toBe(1);
    await clock.advance(60_000);
    expect(policy.availableTokens).toBe(2);
    expect(clock.pendingTimers).toBe(0);
  });

  it.each([
    [0.5, 1],
    [1, 1],
    [25, 25],
  ])('defaults burst to max(1, ratePerSecond): rate %d gives %d', (ratePerSecond, burst) => {
    const policy = rateLimiter({ ratePerSecond, clock: new ManualClock() });
    expect(policy.burst).toBe(burst);
    expect(policy.availableTokens).toBe(burst);
  });

  it('counts a failing function as a failure and still spends its token', async () => {
    const policy = rateLimiter({ ratePerSecond: 1, burst: 2, clock: new ManualClock() });
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(policy.availableTokens).toBe(1);
    expect(policy.outcomes).toEqual({ success: 0, failure: 1, rejected: 0 });
  });

  it('with maxWaitMs, reserves tokens due in time and waits for them in order; later calls are rejected', async () => {
    const clock = new ManualClock();
    const policy = rateLimiter({ ratePerSecond: 10, burst: 1, maxWaitMs: 250, clock });
    const ran: string[] = [];
    const call = (id: string) => policy.execute(() => ran.push(id));
    await call('a');
    const b = call('b'); // due in 100 ms
    const c = call('c'); // due in 200 ms
    const error = await rejection(call('d')); // would be due in 300 ms
    expect((error as RateLimitedError).retryAfterMs).toBeCloseTo(300, 9);

    await clock.advance(99);
    expect(ran).toEqual(['a']);
    await clock.advance(1);
    await b;
    expect(ran).toEqual(['a', 'b']);
    await clock.advance(100);
    await c;
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
    expect(policy.outcomes).toEqual({ success: 3, failure: 0, rejected: 1 });
  });

  it('stops waiting when the caller aborts, and gives the reserved token back', async () => {
    const clock = new ManualClock();
    const policy = rateLimiter({ ratePerSecond: 10, burst: 1, maxWaitMs: 1_000, clock });
    await policy.execute(() => undefined);
    const controller = new AbortController();
    let ran = false;
    const waiting = policy.execute(
      () => {
        ran = true;
      },
      { signal: controller.signal },
    );
    await clock.advance(50);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(ran).toBe(false);
    expect(clock.pendingTimers).toBe(0);

    // Half a token has accrued since the first call; with the reservation returned, a whole one is there 50 ms on
    // (had it stayed reserved, the bucket would still be empty).
    await clock.advance(50);
    expect(policy.availableTokens).toBe(1);
    expect(policy.outcomes).toEqual({ success: 1, failure: 0, rejected: 1 });
  });

  it('stops waiting when an outer policy aborts the context (a timeout)', async () => {
    const clock = new ManualClock();
    const policy = rateLimiter({ ratePerSecond: 1, burst: 1, maxWaitMs: 5_000, clock });
    await policy.execute(() => undefined);
    const context = CallContext.root(undefined);
    const timedOut = new TimeoutError('outer', 300);
    clock.setTimer(() => context.abort(timedOut), 300);
    const waiting = rejection(policy.run(() => 'late', context));
    await clock.advance(300);
    expect(await waiting).toBe(timedOut);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects waiting calls with PolicyDisposedError on dispose and leaves no timer behind', async () => {
    const clock = new ManualClock();
    const policy = rateLimiter({ ratePerSecond: 1, burst: 1, maxWaitMs: 5_000, clock });
    await policy.execute(() => undefined);
    const controller = new AbortController();
    const waiting = policy.execute(() => 'late', { signal: controller.signal });
    await clock.advance(10);
    expect(clock.pendingTimers).toBe(1);
    policy.dispose();
    await expect(waiting).rejects.toBeInstanceOf(PolicyDisposedError);
    expect(clock.pendingTimers).toBe(0);
    // The caller's own signal is untouched: the limiter only cancelled its own wait.
    expect(controller.signal.aborted).toBe(false);
    await expect(policy.execute(() => 'after')).rejects.toBeInstanceOf(PolicyDisposedError);
  });

  it.each([
    [{}, 'ratePerSecond', 'is required'],
    [{ ratePerSecond: 0 }, 'ratePerSecond', '> 0'],
    [{ ratePerSecond: -1 }, 'ratePerSecond', '> 0'],
    [{ ratePerSecond: Number.POSITIVE_INFINITY }, 'ratePerSecond', 'finite'],
    [{ ratePerSecond: '5' }, 'ratePerSecond', 'number'],
    [{ ratePerSecond: 5, burst: 0.5 }, 'burst', 'between 1'],
    [{ ratePerSecond: 5, maxWaitMs: -1 }, 'maxWaitMs', 'between 0'],
    [{ ratePerSecond: 5, maxWaitMs: Number.POSITIVE_INFINITY }, 'maxWaitMs', 'finite'],
  ])('rejects invalid options %j naming %s', (options, option, detail) => {
    const build = () => rateLimiter(options as never);
    expect(build).toThrow(InvalidOptionError);
    expect(build).toThrow(`rateLimiter: option "${option}"`);
    expect(build).toThrow(detail);
  });

  it('exports outcomes from zero and the available tokens', async () => {
    const clock = new ManualClock();
    const registry = new Registry();
    const policy = rateLimiter({ name: 'search', ratePerSecond: 2, burst: 3, clock, metrics: registry });
    let text = await registry.metrics();
    expect(text).toContain('resilience_calls_total{policy="rate_limiter",name="search",outcome="rejected"} 0');
    expect(text).toContain('resilience_ratelimit_available_tokens{name="search"} 3');

    for (let i = 0; i < 3; i++) await policy.execute(() => undefined);
    await expect(policy.execute(() => undefined)).rejects.toBeInstanceOf(RateLimitedError);
    text = await registry.metrics();
    expect(text).toContain('resilience_calls_total{policy="rate_limiter",name="search",outcome="success"} 3');
    expect(text).toContain('resilience_calls_total{policy="rate_limiter",name="search",outcome="rejected"} 1');
    expect(text).toContain('resilience_calls_total{policy="rate_limiter",name="search",outcome="failure"} 0');
    expect(text).toContain('resilience_ratelimit_available_tokens{name="search"} 0');

    await clock.advance(1_000);
    expect(await registry.metrics()).toContain('resilience_ratelimit_available_tokens{name="search"} 2');
  });

  it('composes in a pipeline: a fallback outside answers for a limited call', async () => {
    const limiter = rateLimiter({ name: 'search', ratePerSecond: 1, clock: new ManualClock() });
    const outer = fallback<string>({ fn: (cause) => (isRateLimitedError(cause) ? 'cached' : 'other') });
    const policy = pipeline(outer, limiter);
    expect(await policy.execute(() => 'fresh')).toBe('fresh');
    expect(await policy.execute(() => 'fresh')).toBe('cached');
    expect(limiter.outcomes).toEqual({ success: 1, failure: 0, rejected: 1 });
    expect(outer.outcomes).toEqual({ success: 1, fallback: 1, failure: 0 });
  });
});
