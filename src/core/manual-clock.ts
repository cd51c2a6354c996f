/**
 * @module
 * A clock that only moves when a test moves it.
 */
import { sleepOn, type Clock, type Timer, type TimerOptions } from './clock.js';

interface PendingTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/** Lets promise continuations scheduled by a timer callback run before the next timer fires. */
function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A {@link Clock} for tests: time stands still until {@link ManualClock.advance} moves it, and timers fire in
 * due order (ties in the order they were set).
 *
 * @example
 * const clock = new ManualClock();
 * const slept = clock.sleep(1_000);
 * await clock.advance(1_000); // `slept` is now resolved
 */
export class ManualClock implements Clock {
  private elapsedMs = 0;
  private nextId = 0;
  private timers: PendingTimer[] = [];

  /** @param startEpochMs the wall-clock time at which this clock starts, default 2026-01-01T00:00:00Z */
  constructor(private readonly startEpochMs = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.startEpochMs + Math.floor(this.elapsedMs);
  }

  monotonic(): number {
    return this.elapsedMs;
  }

  setTimer(callback: () => void, delayMs: number, _options?: TimerOptions): Timer {
    const timer: PendingTimer = {
      id: this.nextId++,
      dueAt: this.elapsedMs + Math.max(0, delayMs),
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
        this.timers = this.timers.filter((t) => t !== timer);
      },
    };
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /** How many timers are set and not yet fired or cancelled: tests use it to prove nothing was left behind. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order, and letting the promise
   * continuations each one triggers run (they may set further timers, which fire too if due).
   */
  async advance(ms: number): Promise<void> {
    const target = this.elapsedMs + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.nextDue(target);
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.elapsedMs = Math.max(this.elapsedMs, next.dueAt);
      next.callback();
      await flushMicrotasks();
    }
    this.elapsedMs = target;
    await flushMicrotasks();
  }

  /** Advances to the next pending timer (if any) and fires it: handy when a test does not care how long. */
  async runNext(): Promise<boolean> {
    // Pending continuations may be about to set the timer this is looking for.
    await flushMicrotasks();
    const next = this.nextDue(Number.POSITIVE_INFINITY);
    if (!next) return false;
    await this.advance(next.dueAt - this.elapsedMs);
    return true;
  }

  private nextDue(limit: number): PendingTimer | undefined {
    let best: PendingTimer | undefined;
    for (const timer of this.timers) {
      if (timer.dueAt > limit) continue;
      if (!best || timer.dueAt < best.dueAt || (timer.dueAt === best.dueAt && timer.id < best.id)) best = timer;
    }
    return best;
  }
}
