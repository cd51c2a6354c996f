/**
 * @module
 * `slicer {average_size, size_variation, delay}`: cuts each chunk into pieces of about `average_size` bytes
 * (± `size_variation`) and sends them `delay` microseconds apart, to shake out code that assumes one read is
 * one message.
 */
import { randomInt, type Random } from '../../core/random.js';
import type { Chunk, EndKind, StageEnv } from '../stage.js';
import { TimedQueueStage } from './timed-queue-stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `slicer`. */
export type SlicerAttributes = {
  /** Bytes; at least 1. */
  average_size: number;
  /** Bytes either side of the average; should be smaller than it. */
  size_variation: number;
  /** Microseconds between pieces. */
  delay: number;
};

/**
 * Offsets where a chunk of `length` bytes is cut, from 0 to `length`. Like Toxiproxy it halves the range,
 * moved by up to ± `size_variation`, until a piece is within `average_size + size_variation`, so pieces vary
 * evenly rather than leaving a runt at the end. Cut points are kept strictly inside their range, so a variation
 * larger than the average cannot make empty pieces.
 */
export function sliceOffsets(length: number, attributes: Readonly<SlicerAttributes>, random: Random): number[] {
  const { average_size: average, size_variation: variation } = attributes;
  const cuts: number[] = [0];
  // An explicit stack (right half pushed first) instead of recursion: a large chunk in 1-byte pieces is deep.
  const stack: Array<[number, number]> = [[0, length]];
  while (stack.length > 0) {
    const [start, end] = stack.pop()!;
    if (end - start - average <= variation || end - start < 2) {
      cuts.push(end);
      continue;
    }
    let mid = start + Math.floor((end - start) / 2);
    if (variation > 0) mid += randomInt(random, variation * 2) - variation;
    mid = Math.min(end - 1, Math.max(start + 1, mid));
    stack.push([mid, end], [start, mid]);
  }
  return cuts;
}

class SlicerStage extends TimedQueueStage {
  private freeAt = Number.NEGATIVE_INFINITY;

  constructor(
    env: StageEnv,
    private readonly attributes: () => Readonly<SlicerAttributes>,
  ) {
    super(env);
  }

  write(chunk: Chunk): void {
    const attributes = this.attributes();
    const delayMs = attributes.delay / 1000;
    const cuts = sliceOffsets(chunk.data.length, attributes, this.env.random);
    let at = Math.max(this.now(), this.freeAt);
    for (let i = 1; i < cuts.length; i++) {
      this.schedule({ data: chunk.data.subarray(cuts[i - 1], cuts[i]), at: chunk.at }, at);
      // Toxiproxy waits the delay after every piece, the last one included.
      at += delayMs;
    }
    this.freeAt = at;
  }

  override end(kind: EndKind): void {
    this.scheduleEnd(kind, this.freeAt);
  }
}

/** The `slicer` toxic type. */
export const slicerToxic = defineToxicType<SlicerAttributes>({
  name: 'slicer',
  defaults: { average_size: 0, size_variation: 0, delay: 0 },
  // Toxiproxy recurses forever on an average size of 0; refuse it instead.
  check: (a) => (a.average_size < 1 ? 'attributes.average_size must be at least 1' : undefined),
  createStage: ({ env, attributes }) => new SlicerStage(env, attributes),
});
