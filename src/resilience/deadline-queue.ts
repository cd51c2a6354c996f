/**
 * @module
 * One timer for many deadlines. A timeout policy gives every call the same duration, so calls expire in the order
 * they started: a FIFO list with a single timer on its head replaces a `setTimeout`/`clearTimeout` pair per call
 * (about 0.5–1 µs each, resilience-anchors.md §3.5) with two pointer updates.
 */
import type { Clock, Timer } from '../core/clock.js';

/** A deadline waiting in a {@link DeadlineQueue}; the entry is the caller's own object, so queuing allocates nothing. */
export interface DeadlineEntry {
  readonly deadline: number;
  /** Called once, when the deadline passes while the entry is still queued. */
  expire(): void;
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

  /** Queues `entry` to expire at its deadline unless it is removed first. */
  add(entry: DeadlineEntry): void {
    entry.prev = this.tail;
    entry.next = undefined;
    entry.queued = true;
    if (this.tail) this.tail.next = entry;
    else this.head = entry;
    this.tail = entry;
    if (!this.timer) this.arm(entry.deadline);
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
    this.timer = this.clock.setTimer(() => this.expireDue(), deadline - this.clock.monotonic(), { keepAlive: false });
  }

  private expireDue(): void {
    this.timer = undefined;
    const now = this.clock.monotonic();
    // Timers may fire a fraction of a millisecond early against the monotonic clock; treat that as due.
    const due = Math.max(now, this.timerDueAt);
    while (this.head && this.head.deadline <= due) {
      const entry = this.head;
      this.remove(entry);
      entry.expire();
    }
    if (this.head) this.arm(this.head.deadline);
  }
}
