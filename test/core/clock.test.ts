import { describe, expect, it } from 'vitest';
import { ManualClock, SystemClock } from '../../src/core/index.js';

describe('ManualClock', () => {
  it('fires timers in due order as time advances, and not before', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b'), 200);
    clock.setTimer(() => fired.push('a'), 100);
    clock.setTimer(() => fired.push('c'), 200);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual(['a']);
    await clock.advance(100);
    expect(fired).toEqual(['a', 'b', 'c']);
    expect(clock.pendingTimers).toBe(0);
  });

  it('fires timers set by continuations of earlier timers within the same advance', async () => {
    const clock = new ManualClock();
    const log: number[] = [];
    void (async () => {
      await clock.sleep(10);
      log.push(clock.monotonic());
      await clock.sleep(10);
      log.push(clock.monotonic());
    })();
    await clock.advance(25);
    expect(log).toEqual([10, 20]);
    expect(clock.monotonic()).toBe(25);
  });

  it('starts at the given epoch and moves wall time with monotonic time', async () => {
    const clock = new ManualClock(Date.UTC(2026, 10, 22, 12));
    await clock.advance(1500);
    expect(clock.now()).toBe(Date.UTC(2026, 10, 22, 12) + 1500);
  });

  it('cancels a sleep when its signal aborts, and leaves no timer', async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const slept = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(clock.pendingTimers).toBe(0);
  });

  it('cancelled timers never fire', async () => {
    const clock = new ManualClock();
    let fired = false;
    clock.setTimer(() => (fired = true), 10).cancel();
    await clock.advance(20);
    expect(fired).toBe(false);
  });
});

describe('SystemClock', () => {
  it('measures monotonic time and runs a real timer', async () => {
    const clock = new SystemClock();
    const before = clock.monotonic();
    await clock.sleep(5);
    expect(clock.monotonic() - before).toBeGreaterThanOrEqual(4);
    // The system clock is the one place that must agree with the real wall clock.
    // eslint-disable-next-line no-restricted-properties
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
  });
});
