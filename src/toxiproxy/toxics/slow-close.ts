/**
 * @module
 * `slow_close {delay}`: data passes at once, but the end of the stream (and so the close of the socket) waits
 * `delay` milliseconds.
 */
import type { Chunk, EndKind, StageEnv } from '../stage.js';
import { TimedQueueStage } from './timed-queue-stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `slow_close`. */
export type SlowCloseAttributes = {
  /** Milliseconds. */
  delay: number;
};

class SlowCloseStage extends TimedQueueStage {
  constructor(
    env: StageEnv,
    private readonly attributes: () => Readonly<SlowCloseAttributes>,
  ) {
    super(env);
  }

  write(chunk: Chunk): void {
    this.schedule(chunk, Number.NEGATIVE_INFINITY);
  }

  override end(kind: EndKind): void {
    this.scheduleEnd(kind, this.now() + this.attributes().delay);
  }
}

/** The `slow_close` toxic type. */
export const slowCloseToxic = defineToxicType<SlowCloseAttributes>({
  name: 'slow_close',
  defaults: { delay: 0 },
  createStage: ({ env, attributes }) => new SlowCloseStage(env, attributes),
});
