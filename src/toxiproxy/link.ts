/**
 * @module
 * One direction of a proxied connection: data read from `source` runs through the chain of toxic stages for
 * that direction and is written to `dest`. Toxics can be added, updated and removed while data flows, as in
 * Toxiproxy, whose open connections pick up toxic changes.
 */
import type { Socket } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Random } from '../core/random.js';
import { PassThroughStage, UNWIRED, type Chunk, type EndKind, type HeldData, type StageEnv, type StageSink, type ToxicStage } from './stage.js';
import type { StreamDirection, Toxic } from './toxic.js';

/** What a link reports to its connection. */
export interface LinkHooks {
  /** Bytes read from the source. */
  received(bytes: number): void;
  /** Bytes handed to the destination socket. */
  sent(bytes: number): void;
  /** No more data will be read from the source (`eof`: it sent FIN). */
  inputEnded(kind: EndKind): void;
  /** The stream reached the destination's end with `kind`; the connection closes sockets accordingly. */
  ended(kind: EndKind): void;
}

/** Options of a {@link Link}. */
export interface LinkOptions {
  readonly direction: StreamDirection;
  readonly source: Socket;
  readonly dest: Socket;
  readonly clock: Clock;
  readonly random: Random;
  /** The proxy's toxics for this direction when the connection opens, in chain order. */
  readonly toxics: readonly Toxic[];
  readonly hooks: LinkHooks;
  /**
   * Bytes in flight (held by toxics or queued for the destination) above which reading pauses, so a slow
   * toxic or a slow reader cannot make the proxy buffer without bound. Reading resumes below half of it.
   * @default 1 MiB
   */
  readonly highWaterMark?: number;
}

interface Slot {
  readonly toxic: Toxic;
  stage: ToxicStage;
  /** Survives updates of the toxic: limit_data's byte count. */
  readonly state: unknown;
}

const DEFAULT_HIGH_WATER_MARK = 1024 * 1024;

/** One direction of a connection. */
export class Link {
  readonly direction: StreamDirection;
  readonly source: Socket;
  readonly dest: Socket;
  private readonly slots: Slot[] = [];
  private readonly sink: StageSink;
  private readonly env: StageEnv;
  private readonly hooks: LinkHooks;
  private readonly highWaterMark: number;
  private inFlight = 0;
  private paused = false;
  private inputEnded = false;
  private outputEnded = false;
  private stopped = false;

  constructor(options: LinkOptions) {
    this.direction = options.direction;
    this.source = options.source;
    this.dest = options.dest;
    this.hooks = options.hooks;
    this.highWaterMark = options.highWaterMark ?? DEFAULT_HIGH_WATER_MARK;
    this.env = { clock: options.clock, random: options.random, discarded: (bytes) => this.settle(bytes) };
    this.sink = { write: (chunk) => this.deliver(chunk), end: (kind) => this.finish(kind) };
    for (const toxic of options.toxics) this.slots.push(this.createSlot(toxic));
    this.rewire();
    this.source.on('data', this.onData);
    this.source.on('end', this.onEnd);
    this.dest.on('drain', this.onDrain);
  }

  /** Whether the destination has seen the end of this direction's stream. */
  get finished(): boolean {
    return this.outputEnded;
  }

  /**
   * No more data will come from the source (`eof`: it sent FIN; `close`/`reset`: the connection is going
   * away). What the toxics hold still drains, then the end reaches the destination.
   */
  endInput(kind: EndKind): void {
    if (this.inputEnded || this.stopped) return;
    this.inputEnded = true;
    this.detachSource();
    this.hooks.inputEnded(kind);
    this.head().end(kind);
  }

  /** Appends a toxic to the chain, as Toxiproxy does: data held upstream of it passes through it. */
  addToxic(toxic: Toxic): void {
    if (this.stopped) return;
    this.slots.push(this.createSlot(toxic));
    this.rewire();
  }

  /** Rebuilds the stage of an updated toxic (toxicity drawn again); what the old one held goes through the new one. */
  replaceToxic(toxic: Toxic): void {
    const slot = this.slots.find((s) => s.toxic === toxic);
    if (this.stopped || !slot) return;
    const held = slot.stage.stop();
    slot.stage = this.createStage(toxic, slot.state);
    this.rewire();
    feed(slot.stage, held);
  }

  /** Takes a toxic out of the chain; what it held moves on at once (Toxiproxy never drops data on removal). */
  removeToxic(toxic: Toxic): void {
    const index = this.slots.findIndex((s) => s.toxic === toxic);
    const slot = this.slots[index];
    if (this.stopped || !slot) return;
    const held = slot.stage.stop();
    const closing = slot.stage.removed?.();
    this.slots.splice(index, 1);
    this.rewire();
    const next = this.slots[index]?.stage ?? this.sink;
    feed(next, held);
    if (held.end === undefined && closing !== undefined) next.end(closing);
  }

  /** Stops everything: timers cancelled, listeners removed, held data forgotten. The sockets are the connection's. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.detachSource();
    this.dest.off('drain', this.onDrain);
    for (const slot of this.slots) slot.stage.stop();
  }

  private readonly onData = (data: Buffer): void => {
    if (this.inputEnded || this.stopped) return;
    this.inFlight += data.length;
    this.hooks.received(data.length);
    this.head().write({ data, at: this.env.clock.monotonic() });
    this.checkPressure();
  };

  private readonly onEnd = (): void => this.endInput('eof');

  private readonly onDrain = (): void => this.checkPressure();

  private head(): StageSink {
    return this.slots[0]?.stage ?? this.sink;
  }

  private createSlot(toxic: Toxic): Slot {
    const state = toxic.type.newState?.();
    return { toxic, state, stage: this.createStage(toxic, state) };
  }

  /** Draws whether the toxic applies to this connection: toxicity is a probability per connection. */
  private createStage(toxic: Toxic, state: unknown): ToxicStage {
    const { toxicity } = toxic;
    // 0 and 1 draw nothing, so they leave the random sequence (jitter, slices) of other toxics alone.
    const applies = toxicity >= 1 || (toxicity > 0 && this.env.random.next() < toxicity);
    if (!applies) return new PassThroughStage(UNWIRED);
    return toxic.type.createStage({ env: this.env, attributes: () => toxic.attributes, state });
  }

  private rewire(): void {
    for (let i = 0; i < this.slots.length; i++) {
      this.slots[i]!.stage.output = this.slots[i + 1]?.stage ?? this.sink;
    }
  }

  private deliver(chunk: Chunk): void {
    const bytes = chunk.data.length;
    if (!this.outputEnded && !this.stopped && this.dest.writable) {
      this.dest.write(chunk.data);
      this.hooks.sent(bytes);
    }
    this.settle(bytes);
  }

  private finish(kind: EndKind): void {
    if (this.outputEnded || this.stopped) return;
    this.outputEnded = true;
    this.hooks.ended(kind);
  }

  private settle(bytes: number): void {
    this.inFlight -= bytes;
    this.checkPressure();
  }

  private checkPressure(): void {
    if (this.inputEnded || this.stopped) return;
    const pending = this.inFlight + this.dest.writableLength;
    if (!this.paused && pending > this.highWaterMark) {
      this.paused = true;
      this.source.pause();
    } else if (this.paused && pending <= this.highWaterMark / 2) {
      this.paused = false;
      this.source.resume();
    }
  }

  private detachSource(): void {
    this.source.off('data', this.onData);
    this.source.off('end', this.onEnd);
  }
}

function feed(target: StageSink, held: HeldData): void {
  for (const chunk of held.chunks) target.write(chunk);
  if (held.end !== undefined) target.end(held.end);
}
