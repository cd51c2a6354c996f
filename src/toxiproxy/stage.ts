/**
 * @module
 * The pieces data flows through on one direction of a proxied connection: a chain of {@link ToxicStage}s
 * between the socket data is read from and the socket it is written to.
 *
 * Toxiproxy chains goroutines with channels; here a stage is an object that receives `write`/`end` calls and
 * passes them on to its `output`, now or later (on a {@link Clock} timer). The link rewires `output` when a
 * toxic is added to or removed from a connection that is already open.
 */
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';

/** A piece of the byte stream. */
export interface Chunk {
  readonly data: Buffer;
  /**
   * Monotonic time (ms) the data was read from its socket; latency moves it to when it let the data go, so a
   * second latency toxic adds its own delay, while time spent waiting elsewhere counts towards it (as in
   * Toxiproxy, whose latency sleeps `delay - since(timestamp)`).
   */
  at: number;
}

/**
 * How a stream ends.
 * - `eof`: the sender finished (FIN); the link half-closes its destination and the other direction carries on.
 * - `close`: a toxic closed the connection (timeout, limit_data); both sockets are closed gracefully.
 * - `reset`: reset_peer; both sockets are closed with a TCP RST.
 */
export type EndKind = 'eof' | 'close' | 'reset';

/** Whatever receives a stream: the next stage, or the link's writer to the destination socket. */
export interface StageSink {
  write(chunk: Chunk): void;
  /** The end of the stream; only the first call counts. */
  end(kind: EndKind): void;
}

/** What a stage may use: injected time and randomness, and the link's byte accounting. */
export interface StageEnv {
  readonly clock: Clock;
  readonly random: Random;
  /**
   * Reports bytes a toxic dropped on purpose (timeout, limit_data, reset_peer). The link pauses reading while
   * too many bytes are in flight, so every byte taken in must come out, as written or as discarded.
   */
  discarded(bytes: number): void;
}

/** What a stage still held when it was stopped: the link passes it on to whatever replaces the stage. */
export interface HeldData {
  readonly chunks: readonly Chunk[];
  readonly end?: EndKind;
}

/** One toxic's work on one direction of one connection. */
export interface ToxicStage extends StageSink {
  /** Where this stage sends data; the link changes it when the chain changes. */
  output: StageSink;
  /** Stops the stage (timers cancelled) and hands back what it holds, oldest first, with no delay applied. */
  stop(): HeldData;
  /**
   * Called after {@link ToxicStage.stop} when the toxic is removed for good (not replaced by an update). A stage
   * that returns an end kind ends the stream: Toxiproxy's timeout toxic closes its connections on removal,
   * because the data it dropped has broken them.
   */
  removed?(): EndKind | undefined;
}

/** Passes everything through: the stage of a toxic that does not apply to a connection (toxicity), and `noop`. */
export class PassThroughStage implements ToxicStage {
  output: StageSink;
  private ended = false;

  constructor(output: StageSink) {
    this.output = output;
  }

  write(chunk: Chunk): void {
    this.output.write(chunk);
  }

  end(kind: EndKind): void {
    if (this.ended) return;
    this.ended = true;
    this.output.end(kind);
  }

  stop(): HeldData {
    return { chunks: [] };
  }
}

/** A sink that takes nothing yet: the output of a stage before the link wires it. */
export const UNWIRED: StageSink = {
  write: () => {
    throw new Error('toxiproxy: stage written before it was wired into a link');
  },
  end: () => undefined,
};
