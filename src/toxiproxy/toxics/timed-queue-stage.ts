/**
 * @module
 * The base of toxics that hold data and let it go later (latency, bandwidth, slicer, slow_close): a FIFO of
 * chunks, each with the clock time it may leave, released in order by one timer at a time.
 */
import type { Timer } from '../../core/clock.js';
import { UNWIRED, type Chunk, type EndKind, type HeldData, type StageEnv, type StageSink, type ToxicStage } from '../stage.js';

type Item = { readonly chunk: Chunk; readonly dueAt: number } | { readonly end: EndKind; readonly dueAt: number };

/** Floating-point slack when comparing due times: sums of fractional milliseconds do not add up exactly. */
const EPSILON_MS = 1e-6;

/**
 * A stage whose subclasses decide when each chunk leaves ({@link TimedQueueStage.schedule}). Items leave in the
 * order they were scheduled, never before their due time: a chunk due earlier than the one ahead of it waits
 * for it, as data in a TCP stream must.
 */
export abstract class TimedQueueStage implements ToxicStage {
  output: StageSink = UNWIRED;
  private readonly queue: Item[] = [];
  private timer: Timer | undefined;
  private timerDueAt = Number.POSITIVE_INFINITY;
  private stopped = false;
  private endQueued = false;

  constructor(protected readonly env: StageEnv) {}

  abstract write(chunk: Chunk): void;

  /** Ends the stream once everything held has left; slow_close overrides it to add its delay. */
  end(kind: EndKind): void {
    this.scheduleEnd(kind, Number.NEGATIVE_INFINITY);
  }

  stop(): HeldData {
    this.stopped = true;
    this.cancelTimer();
    const chunks: Chunk[] = [];
    let end: EndKind | undefined;
    for (const item of this.queue.splice(0)) {
      if ('chunk' in item) chunks.push(item.chunk);
      else end ??= item.end;
    }
    return end === undefined ? { chunks } : { chunks, end };
  }

  /** Current monotonic time. */
  protected now(): number {
    return this.env.clock.monotonic();
  }

  /** Queues `chunk` to leave at `dueAt` (monotonic ms), after everything queued before it. */
  protected schedule(chunk: Chunk, dueAt: number): void {
    if (this.stopped) return;
    this.queue.push({ chunk, dueAt });
    this.pump();
  }

  /** Queues the end of the stream; only the first end counts. */
  protected scheduleEnd(kind: EndKind, dueAt: number): void {
    if (this.stopped || this.endQueued) return;
    this.endQueued = true;
    this.queue.push({ end: kind, dueAt });
    this.pump();
  }

  /** Sends a chunk on when it falls due; latency overrides it to restamp the chunk. */
  protected release(chunk: Chunk): void {
    this.output.write(chunk);
  }

  private pump(): void {
    const now = this.now();
    while (!this.stopped) {
      const head = this.queue[0];
      if (!head || head.dueAt > now + EPSILON_MS) break;
      this.queue.shift();
      if ('chunk' in head) this.release(head.chunk);
      else this.output.end(head.end);
    }
    const head = this.queue[0];
    if (this.stopped || !head) {
      this.cancelTimer();
      return;
    }
    if (this.timer && this.timerDueAt === head.dueAt) return;
    this.cancelTimer();
    this.timerDueAt = head.dueAt;
    // Sockets keep the process alive while a connection is open; the timer need not.
    this.timer = this.env.clock.setTimer(
      () => {
        this.timer = undefined;
        this.timerDueAt = Number.POSITIVE_INFINITY;
        this.pump();
      },
      head.dueAt - now,
      { keepAlive: false },
    );
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.timerDueAt = Number.POSITIVE_INFINITY;
  }
}
