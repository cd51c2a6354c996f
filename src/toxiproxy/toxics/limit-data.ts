/**
 * @module
 * `limit_data {bytes}`: lets `bytes` bytes through on a connection, then closes it. The count survives updates
 * of the toxic (Toxiproxy's stateful toxic), so raising the limit lets more through on the same connection.
 */
import { UNWIRED, type Chunk, type EndKind, type HeldData, type StageEnv, type StageSink, type ToxicStage } from '../stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `limit_data`. */
export type LimitDataAttributes = {
  /** Bytes transmitted before the connection closes. */
  bytes: number;
};

interface LimitDataState {
  transmitted: number;
}

class LimitDataStage implements ToxicStage {
  output: StageSink = UNWIRED;
  private ended = false;

  constructor(
    private readonly env: StageEnv,
    private readonly attributes: () => Readonly<LimitDataAttributes>,
    private readonly state: LimitDataState,
  ) {}

  write(chunk: Chunk): void {
    if (this.ended) {
      this.env.discarded(chunk.data.length);
      return;
    }
    const { bytes } = this.attributes();
    const remaining = Math.max(0, bytes - this.state.transmitted);
    let data = chunk.data;
    if (data.length > remaining) {
      this.env.discarded(data.length - remaining);
      data = data.subarray(0, remaining);
    }
    if (data.length > 0) {
      this.state.transmitted += data.length;
      this.output.write({ data, at: chunk.at });
    }
    if (bytes - this.state.transmitted <= 0) this.finish('close');
  }

  end(kind: EndKind): void {
    this.finish(kind);
  }

  stop(): HeldData {
    return { chunks: [] };
  }

  private finish(kind: EndKind): void {
    if (this.ended) return;
    this.ended = true;
    this.output.end(kind);
  }
}

/** The `limit_data` toxic type. */
export const limitDataToxic = defineToxicType<LimitDataAttributes>({
  name: 'limit_data',
  defaults: { bytes: 0 },
  newState: (): LimitDataState => ({ transmitted: 0 }),
  createStage: ({ env, attributes, state }) => new LimitDataStage(env, attributes, state as LimitDataState),
});
