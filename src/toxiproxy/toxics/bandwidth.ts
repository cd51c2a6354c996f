/**
 * @module
 * `bandwidth {rate}`: at most `rate` KB/s (1 KB = 1000 bytes, as Toxiproxy counts: `len * 1ms / rate`).
 */
import type { Chunk, StageEnv } from '../stage.js';
import { TimedQueueStage } from './timed-queue-stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `bandwidth`. */
export type BandwidthAttributes = {
  /** KB/s; 0 means no limit. */
  rate: number;
};

/** Toxiproxy sends a large chunk in pieces of 100 ms worth of bytes, so a slow link trickles rather than stalls. */
const PIECE_MS = 100;

class BandwidthStage extends TimedQueueStage {
  /** When the link is free again: idle time earns no credit, as in Toxiproxy. */
  private freeAt = Number.NEGATIVE_INFINITY;

  constructor(
    env: StageEnv,
    private readonly attributes: () => Readonly<BandwidthAttributes>,
  ) {
    super(env);
  }

  write(chunk: Chunk): void {
    const { rate } = this.attributes();
    if (rate <= 0) {
      this.schedule(chunk, Number.NEGATIVE_INFINITY);
      return;
    }
    // rate KB/s is rate bytes per millisecond.
    const pieceBytes = rate * PIECE_MS;
    let at = Math.max(this.now(), this.freeAt);
    for (let offset = 0; offset < chunk.data.length; offset += pieceBytes) {
      const data = chunk.data.subarray(offset, offset + pieceBytes);
      at += data.length / rate;
      this.schedule({ data, at: chunk.at }, at);
    }
    this.freeAt = at;
  }
}

/** The `bandwidth` toxic type. */
export const bandwidthToxic = defineToxicType<BandwidthAttributes>({
  name: 'bandwidth',
  defaults: { rate: 0 },
  createStage: ({ env, attributes }) => new BandwidthStage(env, attributes),
});
