/**
 * @module
 * One timer for many deadlines. A timeout policy gives every call the same duration, so calls expire in the order
 * they started: a FIFO list with a single timer on its head replaces a `setTimeout`/`clearTimeout` pair per call
 * (about 0.5–1 µs each, resilience-anchors.md §3.5) with two pointer updates.
 */
import type { Clock, Timer } from '../core/clock.js';

/** A deadline waiting in a {@link DeadlineQueue}. */
export interface DeadlineEntry {
  readonly deadline: number;
  readonly onExpire: () => void;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  queued: boolean;
}

/** Expires entries whose deadlines (monotonic ms, non-decreasing in insertion order) have passed. */
export class DeadlineQueue {
  private head: DeadlineEntry | undefined;
  private tail: DeadlineEntry | undefined;
  private timer: Timer | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private closed = false;

  constructor(private readonly clock: Clock) {}

  /** Queues `onExpire` to run at `deadline` unless the entry is removed first. */
  add(deadline: number, onExpire: () => void): DeadlineEntry {
    const entry: DeadlineEntry = { deadline, onExpire, prev: this.tail, next: undefined, queued: true };
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm(deadline);
    return entry;
  }

  /**
   * Removes an entry that finished in time. The timer stays armed even when the queue empties: re-arming on the
   * next call would cost more than letting it fire once and find nothing to do.
   */
  remove(entry: DeadlineEntry): void {
    if (!entry.queued) return;
    entry.queued = false;
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = entry.next = undefined;
  }

  /** Cancels the timer and forgets every entry; nothing expires afterwards. */
  close(): void {
    this.closed = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.head = this.tail = undefined;
  }

  private arm(deadline: number): void {
    if (this.closed) return;
    this.timerDueAt = deadline;
    // Guards need not keep the process alive: the guarded work does, if anything.
    this.timer = this.clock.setTimer(() => this.expire(), deadline - this.clock.monotonic(), { keepAlive: false });
  }

  private expire(): void {
    this.timer = undefined;
    const now = this.clock.monotonic();
    // Timers may fire a fraction of a millisecond early against the monotonic clock; treat that as due.
    const due = Math.max(now, this.timerDueAt);
    while (this.head && this.head.deadline <= due) {
      const entry = this.head;
      this.remove(entry);
      entry.onExpire();
    }
    if (this.head) this.arm(this.head.deadline);
  }
}
