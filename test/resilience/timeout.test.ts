import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { TimeoutError, isTimeoutError, pipeline, timeout } from '../../src/resilience/index.js';
import { deferred } from '../support/deferred.js';

describe('timeout', () => {
  it('rejects with TimeoutError when the call takes too long, and aborts its signal', async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 100, clock, name: 'catalog' });
    let signal: AbortSignal | undefined;
    const call = policy.execute((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    });
    const outcome = call.then(
      () => 'resolved',
      (e: unknown) => e,
    );
    await clock.advance(99);
    expect(signal?.aborted).toBe(false);
    await clock.advance(1);
    const error = await outcome;
    expect(error).toBeInstanceOf(TimeoutError);
    expect(isTimeoutError(error)).toBe(true);
    expect((error as TimeoutError).message).toContain('catalog');
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBe(error);
    expect(policy.outcomes.timeout).toBe(1);
  });

  it("aborts only the call that timed out, never another call's signal", async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 100, clock });
    const signals: AbortSignal[] = [];
    const slow = policy.execute(({ signal }) => {
      signals.push(signal);
      return new Promise(() => undefined);
    });
    slow.catch(() => undefined);
    await clock.advance(50);
    const fast = deferred<string>();
    const second = policy.execute(({ signal }) => {
      signals.push(signal);
      return fast.promise;
    });
    await clock.advance(50); // the first call times out here, 50 ms into the second
    await expect(slow).rejects.toBeInstanceOf(TimeoutError);
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(false);
    fast.resolve('ok');
    await expect(second).resolves.toBe('ok');
  });

  it('lets a fast call through and cancels its deadline', async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 100, clock });
    await expect(policy.execute(() => 42)).resolves.toBe(42);
    await clock.advance(1000);
    expect(policy.outcomes).toEqual({ success: 1, failure: 0, timeout: 0 });
  });

  it('passes the call\'s own error through when it fails in time', async () => {
    const policy = timeout({ ms: 100, clock: new ManualClock() });
    await expect(policy.execute(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(policy.outcomes.failure).toBe(1);
  });

  it('cooperative: waits for the function to give up after aborting it', async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 100, clock, strategy: 'cooperative' });
    const gaveUp = deferred<void>();
    let settled = false;
    const call = policy.execute(
      ({ signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            void gaveUp.promise.then(() => reject(new Error('cancelled')));
          }),
        ),
    );
    call.catch(() => undefined).finally(() => (settled = true));
    await clock.advance(100);
    expect(settled).toBe(false);
    gaveUp.resolve();
    await expect(call).rejects.toBeInstanceOf(TimeoutError);
  });

  it('sets the deadline that inner policies and the function see', async () => {
    const clock = new ManualClock();
    await clock.advance(1000);
    const policy = timeout({ ms: 250, clock });
    let deadline = 0;
    await policy.execute((ctx) => {
      deadline = ctx.deadline;
    });
    expect(deadline).toBe(1250);
  });

  it("gives the function a child of the caller's context: the caller's abort, attempt and earlier deadline reach it", async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 250, clock });
    const caller = new AbortController();
    const seen = deferred<{ signal: AbortSignal; attempt: number; deadline: number }>();
    const call = policy.execute(
      (ctx) => {
        seen.resolve({ signal: ctx.signal, attempt: ctx.attempt, deadline: ctx.deadline });
        return new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      },
      { signal: caller.signal, deadlineMs: 100 },
    );
    const { signal, attempt, deadline } = await seen.promise;
    expect({ attempt, deadline, aborted: signal.aborted }).toEqual({ attempt: 1, deadline: 100, aborted: false });
    caller.abort(new Error('caller gave up'));
    expect(signal.aborted).toBe(true);
    await expect(call).rejects.toThrow('caller gave up');
    expect(policy.outcomes).toEqual({ success: 0, failure: 1, timeout: 0 });
  });

  it("never aborts the caller's signal when the call times out", async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 100, clock });
    const caller = new AbortController();
    const call = policy.execute(() => new Promise(() => undefined), { signal: caller.signal });
    const outcome = call.catch((e: unknown) => e);
    await clock.advance(100);
    expect(await outcome).toBeInstanceOf(TimeoutError);
    expect(caller.signal.aborted).toBe(false);
  });

  it('expires many calls in order with one timer and leaves none after dispose', async () => {
    const clock = new ManualClock();
    const policy = timeout({ ms: 100, clock });
    const calls = Array.from({ length: 5 }, () => policy.execute(() => new Promise(() => undefined)).catch((e: unknown) => e));
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(100);
    for (const c of calls) expect(await c).toBeInstanceOf(TimeoutError);
    await policy.execute(() => 'x');
    policy.dispose();
    expect(clock.pendingTimers).toBe(0);
    await expect(policy.execute(() => 'x')).rejects.toThrow(/disposed/);
  });

  it('requires ms and names it', () => {
    expect(() => timeout({} as never)).toThrow(/timeout: option "ms" is required/);
    expect(() => timeout({ ms: -1 })).toThrow(/option "ms"/);
    expect(() => timeout({ ms: 10, strategy: 'soft' as never })).toThrow(/option "strategy" must be one of/);
  });

  it('leaves no real timer or handle behind after dispose (system clock)', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const policy = pipeline(timeout({ ms: 60_000 }));
    await Promise.all(Array.from({ length: 10 }, (_, i) => policy.execute(() => i)));
    policy.dispose();
    const after = process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    expect(after).toBe(before);
  });
});
