/**
 * @module
 * `reset_peer {timeout}`: when data (or the end of the stream) first reaches it, waits `timeout` ms (0 = not at
 * all) and resets the connection with a TCP RST on both sides; the data is dropped, as in Toxiproxy.
 */
import type { Timer } from '../../core/clock.js';
import { UNWIRED, type Chunk, type EndKind, type HeldData, type StageEnv, type StageSink, type ToxicStage } from '../stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `reset_peer`. */
export type ResetPeerAttributes = {
  /** Milliseconds between the first data and the reset. */
  timeout: number;
};

class ResetPeerStage implements ToxicStage {
  output: StageSink = UNWIRED;
  private timer: Timer | undefined;
  private triggered = false;
  private ended = false;
  private stopped = false;

  constructor(
    private readonly env: StageEnv,
    private readonly attributes: () => Readonly<ResetPeerAttributes>,
  ) {}

  write(chunk: Chunk): void {
    this.env.discarded(chunk.data.length);
    this.trigger();
  }

  end(_kind: EndKind): void {
    // Toxiproxy's reset toxic treats the end of the input like data: it resets after the timeout all the same.
    this.trigger();
  }

  stop(): HeldData {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    return { chunks: [] };
  }

  private trigger(): void {
    if (this.triggered || this.stopped) return;
    this.triggered = true;
    const { timeout } = this.attributes();
    if (timeout <= 0) this.reset();
    else this.timer = this.env.clock.setTimer(() => this.reset(), timeout, { keepAlive: false });
  }

  private reset(): void {
    this.timer = undefined;
    if (this.ended || this.stopped) return;
    this.ended = true;
    this.output.end('reset');
  }
}

/** The `reset_peer` toxic type. */
export const resetPeerToxic = defineToxicType<ResetPeerAttributes>({
  name: 'reset_peer',
  defaults: { timeout: 0 },
  createStage: ({ env, attributes }) => new ResetPeerStage(env, attributes),
});
