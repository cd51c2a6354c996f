import { describe, expect, it } from 'vitest';
import { ManualClock, SeededRandom } from '../../src/core/index.js';
import {
  CircuitOpenError,
  RateLimitedError,
  RetryBudget,
  RetryBudgetExhaustedError,
  exponentialBackoff,
  retry,
} from '../../src/resilience/index.js';

/** A function that fails `failures` times, then answers `value`; records the attempt numbers it saw. */
function flaky<T>(failures: number, value: T) {
  const attempts: number[] = [];
  const fn = (ctx: { attempt: number }) => {
    attempts.push(ctx.attempt);
    if (attempts.length <= failures) return Promise.reject(new Error(`failure ${attempts.length}`));
    return Promise.resolve(value);
  };
  return { fn, attempts };
}

describe('retry', () => {
  it('retries after the backoff delay and succeeds, numbering attempts', async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, maxAttempts: 3, backoff: { initialDelayMs: 100, jitter: 'none' } });
    const { fn, attempts } = flaky(2, 'ok');
    const result = policy.execute(fn);
    await clock.advance(99);
    expect(attempts).toEqual([1]);
    await clock.advance(1);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(199);
    expect(attempts).toEqual([1, 2]);
    await clock.advance(1);
    await expect(result).resolves.toBe('ok');
    expect(attempts).toEqual([1, 2, 3]);
    expect(policy.outcomes.success_after_retry).toBe(1);
    expect(policy.retries).toBe(2);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, maxAttempts: 2, backoff: { initialDelayMs: 10, jitter: 'none' } });
    const { fn, attempts } = flaky(5, 'never');
    const result = policy.execute(fn).catch((e: Error) => e.message);
    await clock.advance(10);
    expect(await result).toBe('failure 2');
    expect(attempts).toEqual([1, 2]);
    expect(policy.outcomes.exhausted_attempts).toBe(1);
  });

  it('does not retry errors the predicate rejects, nor an open circuit by default', async () => {
    const clock = new ManualClock();
    const picky = retry({ clock, retryOn: (e) => (e as Error).message !== 'fatal' });
    let calls = 0;
    await expect(
      picky.execute(() => {
        calls++;
        throw new Error('fatal');
      }),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);

    const plain = retry({ clock });
    calls = 0;
    await expect(
      plain.execute(() => {
        calls++;
        throw new CircuitOpenError('catalog', 'open');
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(calls).toBe(1);
  });

  it('replays the same jittered delays from the same seed', async () => {
    const delaysFor = async (seed: number) => {
      const clock = new ManualClock();
      const policy = retry({ clock, maxAttempts: 4, random: new SeededRandom(seed), backoff: { initialDelayMs: 100 } });
      const delays: number[] = [];
      policy.onRetry((e) => delays.push(e.delayMs));
      const result = policy.execute(flaky(3, 'ok').fn);
      while (await clock.runNext());
      await result;
      return delays;
    };
    const a = await delaysFor(1);
    expect(await delaysFor(1)).toEqual(a);
    expect(await delaysFor(2)).not.toEqual(a);
    // Full jitter: each delay within [0, 100 * 2^(n-1)].
    a.forEach((d, i) => expect(d).toBeLessThanOrEqual(100 * 2 ** i));
  });

  it('stops when the caller aborts, during the backoff', async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, maxAttempts: 5, backoff: { initialDelayMs: 1000, jitter: 'none' } });
    const controller = new AbortController();
    const { fn, attempts } = flaky(10, 'never');
    const result = policy.execute(fn, { signal: controller.signal });
    await clock.advance(500);
    controller.abort(new Error('caller gave up'));
    await expect(result).rejects.toThrow('caller gave up');
    await clock.advance(10_000);
    expect(attempts).toEqual([1]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("respects the caller's deadline: no retry that cannot finish in time", async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, maxAttempts: 5, backoff: { initialDelayMs: 300, jitter: 'none' } });
    const { fn, attempts } = flaky(10, 'never');
    const result = policy.execute(fn, { deadlineMs: 500 }).catch((e: Error) => e.message);
    await clock.advance(300); // second attempt at 300; the next would wait 600 more, past 500
    expect(await result).toBe('failure 2');
    expect(attempts).toEqual([1, 2]);
    expect(policy.outcomes.deadline).toBe(1);
  });

  it('waits at least as long as a Retry-After asks', async () => {
    const clock = new ManualClock();
    const policy = retry({ clock, backoff: { initialDelayMs: 10, jitter: 'none' } });
    let calls = 0;
    const result = policy.execute(() => {
      calls++;
      if (calls === 1) throw new RateLimitedError('api', 750);
      return 'ok';
    });
    await clock.advance(749);
    expect(calls).toBe(1);
    await clock.advance(1);
    await expect(result).resolves.toBe('ok');
  });

  it('names invalid options', () => {
    expect(() => retry({ maxAttempts: 0 })).toThrow(/retry: option "maxAttempts" must be between 1 and 100, got 0/);
    expect(() => retry({ maxAttempts: 2.5 })).toThrow(/"maxAttempts" must be an integer/);
    expect(() => retry({ backoff: { jitter: 'wild' as never } })).toThrow(/"backoff.jitter"/);
    expect(() => retry({ retryOn: 'yes' as never })).toThrow(/"retryOn" must be a function/);
  });
});

describe('retry budget', () => {
  it('stops a retry storm: retries stay within the ratio of requests', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0.1, minRetriesPerSecond: 0, name: 'catalog' });
    const policy = retry({ clock, maxAttempts: 3, budget, backoff: { initialDelayMs: 1, jitter: 'none' } });
    let attempts = 0;
    const calls = Array.from({ length: 200 }, () =>
      policy
        .execute(() => {
          attempts++;
          return Promise.reject(new Error('down'));
        })
        .catch((e: unknown) => e),
    );
    await clock.advance(10);
    const errors = await Promise.all(calls);
    // Without a budget: 600 attempts. With 10%: 200 first attempts and at most 20 retries.
    expect(attempts).toBeLessThanOrEqual(220);
    expect(attempts).toBeGreaterThanOrEqual(200);
    expect(errors.filter((e) => e instanceof RetryBudgetExhaustedError).length).toBeGreaterThan(150);
    expect(budget.exhausted).toBeGreaterThan(150);
    expect(policy.outcomes.budget_exhausted).toBe(budget.exhausted);
  });

  it('allows a floor of retries per second for quiet services, and refills as the window slides', async () => {
    const clock = new ManualClock();
    const budget = new RetryBudget({ clock, ratio: 0, minRetriesPerSecond: 1, windowMs: 2_000 });
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(true);
    expect(budget.tryAcquire()).toBe(false);
    await clock.advance(2_000);
    expect(budget.available).toBe(2);
    expect(budget.tryAcquire()).toBe(true);
  });

  it('earns retries from requests', () => {
    const budget = new RetryBudget({ clock: new ManualClock(), ratio: 0.5, minRetriesPerSecond: 0 });
    for (let i = 0; i < 10; i++) budget.recordRequest();
    expect(budget.available).toBe(5);
  });

  it('names invalid options', () => {
    expect(() => new RetryBudget({ ratio: -1 })).toThrow(/retryBudget: option "ratio"/);
  });
});

describe('exponentialBackoff', () => {
  const random = { next: () => 0.5 };
  it('grows exponentially up to the cap without jitter', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 500, jitter: 'none' });
    expect([1, 2, 3, 4].map((n) => backoff(n, 0, random))).toEqual([100, 200, 400, 500]);
  });
  it('full jitter scales the exponential delay by the draw', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, jitter: 'full' });
    expect(backoff(3, 0, random)).toBe(200);
  });
  it('equal jitter keeps at least half', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, jitter: 'equal' });
    expect(backoff(1, 0, { next: () => 0 })).toBe(50);
  });
  it('decorrelated jitter draws between the initial delay and three times the previous', () => {
    const backoff = exponentialBackoff({ initialDelayMs: 100, maxDelayMs: 10_000, jitter: 'decorrelated' });
    expect(backoff(1, 0, { next: () => 0 })).toBe(100);
    expect(backoff(2, 400, { next: () => 1 })).toBe(1200);
    expect(backoff(9, 9_000, { next: () => 1 })).toBe(10_000);
  });
});
