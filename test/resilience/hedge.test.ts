import { describe, it, expect } from 'vitest';
import { Registry } from 'prom-client';
import { ManualClock } from '../../src/core/manual-clock.js';
import { adaptiveConcurrency } from '../../src/resilience/adaptive-concurrency.js';
import type { PolicyContext } from '../../src/resilience/context.js';
import { fallback } from '../../src/resilience/fallback.js';
import { hedge, type HedgeEvent, type HedgeOptions } from '../../src/resilience/hedge.js';
import { isHedgeCancelledError } from '../../src/resilience/errors.js';
import { pipeline } from '../../src/resilience/pipeline.js';
import { RetryBudget } from '../../src/resilience/retry-budget.js';
import { deferred, type Deferred } from '../support/deferred.js';
import { optionError } from '../support/option-error.js';

/** A dependency whose every attempt waits until the test answers it. */
function controlled<T>() {
  const calls: Array<{ context: PolicyContext; answer: Deferred<T> }> = [];
  const fn = (context: PolicyContext): Promise<T> => {
    const answer = deferred<T>();
    calls.push({ context, answer });
    return answer.promise;
  };
  return { calls, fn, attempts: () => calls.map((c) => c.context.attempt) };
}

function call(n: number, calls: ReturnType<typeof controlled<string>>['calls']) {
  const found = calls[n];
  if (!found) throw new Error(`no attempt #${n + 1} was made`);
  return found;
}

function setup(options: Partial<HedgeOptions> = { delayMs: 100 }) {
  const clock = new ManualClock();
  const registry = new Registry();
  const policy = hedge({ name: 'catalog', clock, metrics: registry, ...options });
  const events: HedgeEvent[] = [];
  policy.onHedge((e) => events.push(e));
  return { clock, registry, policy, events, dep: controlled<string>() };
}

describe('hedge', () => {
  it('sends a hedge after the delay, answers with the first success and aborts the loser', async () => {
    const { clock, registry, policy, events, dep } = setup();
    const result = policy.execute(dep.fn);

    await clock.advance(99);
    expect(dep.attempts()).toEqual([1]);
    await clock.advance(1);
    expect(dep.attempts()).toEqual([1, 2]);
    expect(events).toEqual([{ attempt: 2, trigger: 'delay', elapsedMs: 100 }]);

    const hedgeSignal = call(1, dep.calls).context.signal;
    call(1, dep.calls).answer.resolve('from the hedge');
    await expect(result).resolves.toBe('from the hedge');
    call(0, dep.calls).answer.resolve('too late');

    // Read after the fact: the lazily created signal still carries the reason.
    const loser = call(0, dep.calls).context.signal;
    expect(loser.aborted).toBe(true);
    expect(isHedgeCancelledError(loser.reason)).toBe(true);
    expect(String((loser.reason as Error).stack)).not.toContain('\n    at ');
    expect(hedgeSignal.aborted).toBe(false);
    expect(clock.pendingTimers).toBe(0);

    const text = await registry.metrics();
    expect(text).toContain('resilience_hedges_total{name="catalog",result="launched"} 1');
    expect(text).toContain('resilience_hedges_total{name="catalog",result="won"} 1');
    expect(text).toContain('resilience_hedges_total{name="catalog",result="budget_exhausted"} 0');
    expect(text).toContain('resilience_calls_total{policy="hedge",name="catalog",outcome="success"} 1');
    expect(text).toContain('resilience_calls_total{policy="hedge",name="catalog",outcome="failure"} 0');
    expect(text).toContain('resilience_call_duration_seconds_count{policy="hedge",name="catalog"} 1');
  });

  it('sends no hedge when the first attempt answers in time', async () => {
    const { clock, registry, policy, dep } = setup();
    const result = policy.execute(dep.fn);
    await clock.advance(50);
    call(0, dep.calls).answer.resolve('in time');
    await expect(result).resolves.toBe('in time');
    expect(clock.pendingTimers).toBe(0);

    await clock.advance(1_000);
    expect(dep.attempts()).toEqual([1]);
    expect(call(0, dep.calls).context.signal.aborted).toBe(false);
    expect(policy.hedges).toEqual({ launched: 0, won: 0, budget_exhausted: 0 });
    expect(await registry.metrics()).toContain('resilience_hedges_total{name="catalog",result="launched"} 0');
  });

  it('counts a hedge that lost: the first attempt answered after the hedge was sent', async () => {
    const { clock, policy, dep } = setup();
    const result = policy.execute(dep.fn);
    await clock.advance(100);
    call(0, dep.calls).answer.resolve('primary');
    await expect(result).resolves.toBe('primary');
    expect(call(1, dep.calls).context.signal.aborted).toBe(true);
    expect(policy.hedges).toEqual({ launched: 1, won: 0, budget_exhausted: 0 });
  });

  it('stops hedging when the retry budget is spent, and counts it', async () => {
    const clock = new ManualClock();
    const registry = new Registry();
    // One retry per 10 s window and nothing earned per request: the second call may not hedge.
    const budget = new RetryBudget({ name: 'catalog', ratio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000, clock });
    const policy = hedge({ name: 'catalog', delayMs: 100, budget, clock, metrics: registry });

    const first = controlled<string>();
    const one = policy.execute(first.fn);
    await clock.advance(100);
    expect(first.attempts()).toEqual([1, 2]);
    call(1, first.calls).answer.resolve('hedged');
    await expect(one).resolves.toBe('hedged');

    const second = controlled<string>();
    const two = policy.execute(second.fn);
    await clock.advance(100);
    expect(second.attempts()).toEqual([1]);
    expect(clock.pendingTimers).toBe(0);
    call(0, second.calls).answer.resolve('slow but fine');
    await expect(two).resolves.toBe('slow but fine');

    expect(policy.hedges).toEqual({ launched: 1, won: 1, budget_exhausted: 1 });
    const text = await registry.metrics();
    expect(text).toContain('resilience_hedges_total{name="catalog",result="budget_exhausted"} 1');
    expect(text).toContain('resilience_retry_budget_exhausted_total{name="catalog"} 1');
  });

  it('keeps waiting when one attempt fails while another still runs', async () => {
    const { clock, policy, dep } = setup({ delayMs: 100, maxHedges: 2 });
    const result = policy.execute(dep.fn);
    await clock.advance(100);
    call(0, dep.calls).answer.reject(new Error('primary broke'));
    await clock.advance(10);
    // The failure does not hurry the next hedge: it is still due 100 ms after the last one.
    expect(dep.attempts()).toEqual([1, 2]);
    call(1, dep.calls).answer.resolve('hedge saved it');
    await expect(result).resolves.toBe('hedge saved it');
    expect(clock.pendingTimers).toBe(0);
  });

  it('sends the next hedge at once when every attempt has failed, then gives up with the last error', async () => {
    const { clock, registry, policy, events, dep } = setup({ delayMs: 100, maxHedges: 2 });
    const result = policy.execute(dep.fn);
    const settled = expect(result).rejects.toThrow('third');

    await clock.advance(10);
    call(0, dep.calls).answer.reject(new Error('first'));
    await clock.advance(0);
    expect(dep.attempts()).toEqual([1, 2]);
    call(1, dep.calls).answer.reject(new Error('second'));
    await clock.advance(0);
    expect(dep.attempts()).toEqual([1, 2, 3]);
    call(2, dep.calls).answer.reject(new Error('third'));

    await settled;
    expect(events.map((e) => e.trigger)).toEqual(['failure', 'failure']);
    expect(clock.pendingTimers).toBe(0);
    expect(await registry.metrics()).toContain('resilience_calls_total{policy="hedge",name="catalog",outcome="failure"} 1');
  });

  it('sends at most maxHedges, one delay apart, and leaves no timer once none may follow', async () => {
    const { clock, policy, dep } = setup({ delayMs: 100, maxHedges: 2 });
    const result = policy.execute(dep.fn);
    await clock.advance(100);
    expect(dep.attempts()).toEqual([1, 2]);
    await clock.advance(100);
    expect(dep.attempts()).toEqual([1, 2, 3]);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(1_000);
    expect(dep.attempts()).toEqual([1, 2, 3]);

    call(2, dep.calls).answer.resolve('third');
    await expect(result).resolves.toBe('third');
    expect(call(0, dep.calls).context.signal.aborted).toBe(true);
    expect(call(1, dep.calls).context.signal.aborted).toBe(true);
  });

  it('sends no hedge past the caller deadline', async () => {
    const { clock, policy, dep } = setup();
    const result = policy.execute(dep.fn, { deadlineMs: 80 });
    await clock.advance(100);
    expect(dep.attempts()).toEqual([1]);
    call(0, dep.calls).answer.resolve('late but only one');
    await expect(result).resolves.toBe('late but only one');
    expect(clock.pendingTimers).toBe(0);
  });

  it('in percentile mode, waits maxDelayMs until warm, then follows the live percentile within its bounds', async () => {
    const clock = new ManualClock();
    const policy = hedge({ percentile: 0.9, minDelayMs: 10, maxDelayMs: 1_000, clock });
    const serve = async (latencyMs: number, calls: number): Promise<void> => {
      for (let i = 0; i < calls; i++) {
        const answered = policy.execute(({ signal }) => clock.sleep(latencyMs, signal));
        await clock.advance(latencyMs);
        await answered;
      }
    };

    expect(policy.delayMs).toBe(1_000);
    await serve(50, 19);
    expect(policy.delayMs).toBe(1_000);
    await serve(50, 1);
    expect(policy.delayMs).toBe(50);

    const dep = controlled<string>();
    const result = policy.execute(dep.fn);
    await clock.advance(49);
    expect(dep.attempts()).toEqual([1]);
    await clock.advance(1);
    expect(dep.attempts()).toEqual([1, 2]);
    call(1, dep.calls).answer.resolve('hedged at p90');
    await expect(result).resolves.toBe('hedged at p90');

    // Slower answers raise the delay even though each of them was hedged at 50 ms and the hedge lost.
    await serve(200, 30);
    expect(policy.delayMs).toBe(200);
    await serve(1, 100);
    expect(policy.delayMs).toBe(10);
    expect(clock.pendingTimers).toBe(0);
  });

  it('in percentile mode, keeps a slow tail visible when hedges rescue it, so the delay does not collapse', async () => {
    const clock = new ManualClock();
    const policy = hedge({ percentile: 0.9, minDelayMs: 5, maxDelayMs: 1_000, clock });
    for (let i = 0; i < 20; i++) {
      const answered = policy.execute(({ signal }) => clock.sleep(20, signal));
      await clock.advance(20);
      await answered;
    }
    expect(policy.delayMs).toBe(20);

    // Now every fifth attempt takes 300 ms: the true p90 is 300 ms. Hedges rescue the slow attempts at first; a
    // window that timed only the winning hedge (20 ms) would never see the tail and would keep hedging at 20 ms.
    let attempts = 0;
    for (let i = 0; i < 100; i++) {
      const answered = policy.execute(({ signal }) => clock.sleep(++attempts % 5 === 0 ? 300 : 20, signal));
      while (clock.pendingTimers > 0) await clock.runNext();
      await answered;
    }
    expect(policy.delayMs).toBeGreaterThanOrEqual(60);
    expect(policy.hedges.launched).toBeLessThan(50);
  });

  it('rejects bad options, naming the option', () => {
    const clock = new ManualClock();
    expect(optionError(() => hedge({ clock })).option).toBe('delayMs');
    expect(optionError(() => hedge({ delayMs: 10, percentile: 0.9 })).option).toBe('percentile');
    expect(optionError(() => hedge({ percentile: 95 })).message).toContain('option "percentile" must be between 0 and 1');
    expect(optionError(() => hedge({ delayMs: -1 })).option).toBe('delayMs');
    expect(optionError(() => hedge({ delayMs: 10, maxDelayMs: 100 })).option).toBe('maxDelayMs');
    expect(optionError(() => hedge({ percentile: 0.9, minDelayMs: 50, maxDelayMs: 10 })).option).toBe('maxDelayMs');
    expect(optionError(() => hedge({ delayMs: 10, maxHedges: 1.5 })).option).toBe('maxHedges');
    expect(optionError(() => hedge({ delayMs: 10, budget: {} as RetryBudget })).option).toBe('budget');
  });
});

describe('hedge in a pipeline with fallback and an adaptive limit', () => {
  it('lets a shed hedge wait for the first attempt, and falls back when every attempt fails', async () => {
    const clock = new ManualClock();
    const registry = new Registry();
    const common = { name: 'catalog', clock, metrics: registry };
    const limit = adaptiveConcurrency({ ...common, algorithm: 'aimd', initialLimit: 1, minLimit: 1, maxLimit: 1 });
    const hedged = hedge({ ...common, delayMs: 100 });
    const catalog = pipeline(common, fallback({ ...common, value: 'trending row' }), hedged, limit);

    // One slot: the hedge sent at 100 ms is shed by the limit, and the hedge policy keeps waiting for attempt 1.
    const dep = controlled<string>();
    const answer = catalog.execute(dep.fn);
    await clock.advance(100);
    expect(dep.attempts()).toEqual([1]);
    expect(limit.outcomes.rejected).toBe(1);
    call(0, dep.calls).answer.resolve('fresh row');
    await expect(answer).resolves.toBe('fresh row');

    // Both attempts fail (the slot is free again when the hedge goes out at once): the fallback answers.
    const broken = controlled<string>();
    const degraded = catalog.execute(broken.fn);
    call(0, broken.calls).answer.reject(new Error('catalog down'));
    await clock.advance(0);
    expect(broken.attempts()).toEqual([1, 2]);
    call(1, broken.calls).answer.reject(new Error('still down'));
    await expect(degraded).resolves.toBe('trending row');
    expect(clock.pendingTimers).toBe(0);

    const text = await registry.metrics();
    expect(text).toContain('resilience_calls_total{policy="fallback",name="catalog",outcome="fallback"} 1');
    expect(text).toContain('resilience_calls_total{policy="hedge",name="catalog",outcome="failure"} 1');
    expect(text).toContain('resilience_calls_total{policy="adaptive_concurrency",name="catalog",outcome="rejected"} 1');
    expect(text).toContain('resilience_calls_total{policy="pipeline",name="catalog",outcome="success"} 2');
  });
});
