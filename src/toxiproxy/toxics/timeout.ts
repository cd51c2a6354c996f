/**
 * @module
 * `timeout {timeout}`: drops all data and closes the connection `timeout` ms after the toxic started on it;
 * 0 keeps it open (a black hole) until the toxic is removed, which then closes it, as Toxiproxy's cleanup does:
 * the stream has lost bytes and cannot carry on.
 */
import type { Timer } from '../../core/clock.js';
import { UNWIRED, type Chunk, type EndKind, type HeldData, type StageEnv, type StageSink, type ToxicStage } from '../stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `timeout`. */
export type TimeoutAttributes = {
  /** Milliseconds before the connection is closed; 0 = never. */
  timeout: number;
};

class TimeoutStage implements ToxicStage {
  output: StageSink = UNWIRED;
  private timer: Timer | undefined;
  private ended = false;

  constructor(
    private readonly env: StageEnv,
    attributes: Readonly<TimeoutAttributes>,
  ) {
    // The timer starts with the stage: when the connection opens, or when the toxic is added to an open one.
    if (attributes.timeout > 0) {
      this.timer = env.clock.setTimer(() => this.finish('close'), attributes.timeout, { keepAlive: false });
    }
  }

  write(chunk: Chunk): void {
    this.env.discarded(chunk.data.length);
  }

  end(kind: EndKind): void {
    this.finish(kind);
  }

  stop(): HeldData {
    this.timer?.cancel();
    this.timer = undefined;
    return { chunks: [] };
  }

  removed(): EndKind | undefined {
    return this.ended ? undefined : 'close';
  }

  private finish(kind: EndKind): void {
    if (this.ended) return;
    this.ended = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.output.end(kind);
  }
}

/** The `timeout` toxic type. */
export const timeoutToxic = defineToxicType<TimeoutAttributes>({
  name: 'timeout',
  defaults: { timeout: 0 },
  createStage: ({ env, attributes }) => new TimeoutStage(env, attributes()),
});
