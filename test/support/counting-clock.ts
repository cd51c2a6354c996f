import { SystemClock, sleepOn, type Clock, type Timer, type TimerOptions } from '../../src/core/index.js';

/**
 * The real clock, counting the timers it holds. Unref'd Node timers do not show in
 * process.getActiveResourcesInfo(), so a test that wants to prove nothing was left armed counts them here.
 */
export class CountingClock implements Clock {
  private readonly real = new SystemClock();
  live = 0;

  now(): number {
    return this.real.now();
  }

  monotonic(): number {
    return this.real.monotonic();
  }

  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer {
    this.live++;
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        this.live--;
      }
    };
    const timer = this.real.setTimer(
      () => {
        finish();
        callback();
      },
      delayMs,
      options,
    );
    return {
      cancel: () => {
        finish();
        timer.cancel();
      },
    };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}
