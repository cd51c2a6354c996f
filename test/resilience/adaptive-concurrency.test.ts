import { describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/manual-clock.js';
import {
  adaptiveConcurrency,
  type AdaptiveConcurrencyOptions,
  type AdaptiveConcurrencyPolicy,
  type ConcurrencyLimitAlgorithm,
  type LimitChangeEvent,
} from '../../src/resilience/adaptive-concurrency.js';
import type { PolicyContext } from '../../src/resilience/context.js';
import { BulkheadRejectedError, TimeoutError, isCapacityRejection } from '../../src/resilience/errors.js';
import { GradientLimit } from '../../src/resilience/limits/gradient-limit.js';
import { optionError } from '../support/option-error.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

function setup(options: Partial<AdaptiveConcurrencyOptions> & Pick<AdaptiveConcurrencyOptions, 'algorithm'>) {
  const clock = new ManualClock();
  const registry = new Registry();
  const policy = adaptiveConcurrency({ name: 'catalog', clock, metrics: registry, ...options } as AdaptiveConcurrencyOptions);
  const changes: LimitChangeEvent[] = [];
  policy.onLimitChange((e) => changes.push(e));
  return { clock, registry, policy, changes };
}

/** Starts `calls` calls at once, each taking `latencyMs` of clock time (and failing with `error()` if given). */
async function burst(
  policy: AdaptiveConcurrencyPolicy,
  clock: ManualClock,
  calls: number,
  latencyMs: number,
  error?: () => unknown,
) {
  const outcomes = Array.from({ length: calls }, () =>
    policy.executeOutcome(async ({ signal }: PolicyContext) => {
      await clock.sleep(latencyMs, signal);
      if (error) throw error();
      return 'ok';
    }),
  );
  await clock.advance(latencyMs);
  return Promise.all(outcomes);
}

/** Keeps the limiter full (as many calls as its limit) for `rounds` rounds of `latencyMs` each. */
async function saturate(policy: AdaptiveConcurrencyPolicy, clock: ManualClock, rounds: number, latencyMs: number) {
  for (let i = 0; i < rounds; i++) {
    const outcomes = await burst(policy, clock, policy.limit, latencyMs);
    expect(outcomes.every((o) => o.ok)).toBe(true);
  }
}

describe('adaptiveConcurrency', () => {
  it('rejects at once, without a stack, when the limit is reached, and reports it', async () => {
    const { clock, registry, policy } = setup({ algorithm: 'aimd', initialLimit: 2, minLimit: 1, maxLimit: 2 });
    const first = deferred<string>();
    const second = deferred<string>();
    const one = policy.execute(() => first.promise);
    const two = policy.execute(() => second.promise);
    expect(policy.inflight).toBe(2);

    const shed = await policy.executeOutcome(() => 'never called');
    expect(shed.ok).toBe(false);
    const error = (shed as { error: unknown }).error;
    expect(error).toBeInstanceOf(BulkheadRejectedError);
    expect(isCapacityRejection(error)).toBe(true);
    expect((error as BulkheadRejectedError).limit).toBe(2);
    expect(String((error as Error).stack)).not.toContain('\n    at ');

    const text = await registry.metrics();
    expect(text).toContain('resilience_concurrency_limit{name="catalog"} 2');
    expect(text).toContain('resilience_concurrency_inflight{name="catalog"} 2');
    expect(text).toContain('resilience_calls_total{policy="adaptive_concurrency",name="catalog",outcome="rejected"} 1');

    first.resolve('a');
    await expect(one).resolves.toBe('a');
    await expect(policy.execute(() => 'admitted again')).resolves.toBe('admitted again');
    second.resolve('b');
    await expect(two).resolves.toBe('b');
    expect(policy.inflight).toBe(0);
    expect(policy.outcomes).toEqual({ success: 3, failure: 0, rejected: 1 });
    expect(clock.pendingTimers).toBe(0);
  });

  describe('aimd', () => {
    it('grows by one per success under load, and not when the caller uses less than half', async () => {
      const { clock, policy, changes } = setup({ algorithm: 'aimd', initialLimit: 4, maxLimit: 10 });
      // Admitted with 1, 2, 3, 4 in flight: the first is under half the limit, the others each add one.
      await burst(policy, clock, 4, 10);
      expect(policy.limit).toBe(7);
      expect(changes).toEqual([
        { previous: 4, limit: 5 },
        { previous: 5, limit: 6 },
        { previous: 6, limit: 7 },
      ]);

      await burst(policy, clock, 1, 10);
      await burst(policy, clock, 3, 10);
      expect(policy.limit).toBe(7);

      await saturate(policy, clock, 3, 10);
      expect(policy.limit).toBe(10);
    });

    it('backs off on timeouts and on what isDrop calls a drop, not on other failures', async () => {
      const overloaded = { status: 503 };
      const { clock, registry, policy } = setup({
        algorithm: 'aimd',
        initialLimit: 10,
        isDrop: (e) => e === overloaded,
      });
      await burst(policy, clock, 3, 10, () => new TimeoutError('catalog', 10));
      expect(policy.limit).toBe(7); // 10 → 9 → 8 → 7
      await burst(policy, clock, 1, 10, () => overloaded);
      expect(policy.limit).toBe(6);
      await burst(policy, clock, 1, 10, () => new Error('404'));
      expect(policy.limit).toBe(6);

      expect(policy.outcomes).toEqual({ success: 0, failure: 5, rejected: 0 });
      expect(await registry.metrics()).toContain('resilience_concurrency_limit{name="catalog"} 6');
    });

    it('frees the slot even when isDrop itself throws', async () => {
      const isDrop = (): boolean => {
        throw new Error('broken predicate');
      };
      const { policy } = setup({ algorithm: 'aimd', initialLimit: 1, minLimit: 1, maxLimit: 1, isDrop });
      await expect(policy.execute(() => Promise.reject(new Error('503')))).rejects.toThrow('broken predicate');
      expect(policy.inflight).toBe(0);
      await expect(policy.execute(() => 'admitted')).resolves.toBe('admitted');
    });

    it('never goes below minLimit', async () => {
      const { clock, policy } = setup({ algorithm: 'aimd', initialLimit: 5, minLimit: 3 });
      for (let i = 0; i < 5; i++) await burst(policy, clock, 1, 10, () => new TimeoutError('catalog', 10));
      expect(policy.limit).toBe(3);
    });
  });

  describe('gradient', () => {
    it('lowers the limit when latency rises above its long-term average, and recovers when it falls back', async () => {
      const { clock, policy } = setup({ algorithm: 'gradient', initialLimit: 10, minLimit: 2, maxLimit: 20 });
      await saturate(policy, clock, 6, 10);
      const steady = policy.limit;
      expect(steady).toBe(20);

      await saturate(policy, clock, 6, 50);
      const congested = policy.limit;
      // At gradient 0.5 each sample maps the limit to 0.9 * limit + 0.8 (the queueSize share): it settles at 8.
      expect(congested).toBe(8);

      await saturate(policy, clock, 6, 10);
      expect(policy.limit).toBe(20);
      expect(congested).toBeLessThan(steady);
    });

    it('follows the reference formula: smoothed growth at steady latency, none when app-limited', () => {
      const limit = new GradientLimit({ initialLimit: 20, minLimit: 1, maxLimit: 200 });
      limit.onSample(10, 20, false);
      // gradient 1 (10 ms vs a 10 ms average): 20 * 0.8 + (20 + 4) * 0.2
      expect(limit.limit).toBeCloseTo(20.8, 10);
      limit.onSample(100, 5, false);
      expect(limit.limit).toBeCloseTo(20.8, 10);
      limit.onSample(100, 20, false);
      // long RTT = mean(10, 100, 100) = 70; gradient = clamp(1.5 * 70 / 100) = 1 still: within tolerance
      expect(limit.limit).toBeCloseTo(20.8 * 0.8 + (20.8 + 4) * 0.2, 10);
    });

    it('lets the long-term average fall quickly once latency drops well below it', () => {
      const limit = new GradientLimit({ initialLimit: 20, minLimit: 1, maxLimit: 200 });
      for (let i = 0; i < 10; i++) limit.onSample(100, 1, false);
      expect(limit.longRttMs).toBeCloseTo(100, 10);
      limit.onSample(10, 1, false);
      // the exponential step alone would give 99.70; the recovery decay takes 5 % more
      expect(limit.longRttMs).toBeCloseTo((100 + (10 - 100) * (2 / 601)) * 0.95, 10);
    });
  });

  it('feeds a custom algorithm each call: RTT, inflight at admission, and whether it was a drop', async () => {
    const samples: Array<[number, number, boolean]> = [];
    const algorithm: ConcurrencyLimitAlgorithm = { limit: 5.9, onSample: (...sample) => samples.push(sample) };
    const { clock, policy } = setup({ algorithm });
    expect(policy.limit).toBe(5);

    await burst(policy, clock, 2, 25);
    await burst(policy, clock, 1, 40, () => new TimeoutError('catalog', 40));
    // A call the caller abandoned says nothing about the dependency: no sample.
    const caller = new AbortController();
    const abandoned = policy.executeOutcome(({ signal }) => clock.sleep(1_000, signal), { signal: caller.signal });
    await clock.advance(5);
    caller.abort(new Error('user navigated away'));
    expect((await abandoned).ok).toBe(false);

    expect(samples).toEqual([
      [25, 1, false],
      [25, 2, false],
      [40, 1, true],
    ]);
    expect(policy.inflight).toBe(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects bad options, naming the option', () => {
    const build = (options: Record<string, unknown>) => () => adaptiveConcurrency(options as unknown as AdaptiveConcurrencyOptions);
    const custom: ConcurrencyLimitAlgorithm = { limit: 1, onSample: () => undefined };
    expect(optionError(build({})).option).toBe('algorithm');
    expect(optionError(build({ algorithm: 'vegas' })).message).toContain('option "algorithm" must be one of "aimd", "gradient"');
    expect(optionError(build({ algorithm: { limit: 'ten' } })).option).toBe('algorithm');
    expect(optionError(build({ algorithm: 'aimd', backoffRatio: 1 })).option).toBe('backoffRatio');
    expect(optionError(build({ algorithm: 'aimd', smoothing: 0.5 })).option).toBe('smoothing');
    expect(optionError(build({ algorithm: 'gradient', backoffRatio: 0.8 })).option).toBe('backoffRatio');
    expect(optionError(build({ algorithm: 'gradient', smoothing: 0 })).option).toBe('smoothing');
    expect(optionError(build({ algorithm: 'gradient', rttTolerance: 0.5 })).option).toBe('rttTolerance');
    expect(optionError(build({ algorithm: 'aimd', minLimit: 0 })).option).toBe('minLimit');
    expect(optionError(build({ algorithm: 'aimd', minLimit: 10, maxLimit: 5 })).option).toBe('maxLimit');
    expect(optionError(build({ algorithm: 'aimd', initialLimit: 300 })).option).toBe('initialLimit');
    expect(optionError(build({ algorithm: custom, initialLimit: 5 })).option).toBe('initialLimit');
    expect(optionError(build({ algorithm: 'aimd', isDrop: 503 })).option).toBe('isDrop');
    expect(adaptiveConcurrency({ algorithm: 'gradient', minLimit: 50 }).limit).toBe(50);
  });
});
