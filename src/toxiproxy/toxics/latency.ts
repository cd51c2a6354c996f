/**
 * @module
 * `latency {latency, jitter}`: every chunk leaves `latency ± jitter` milliseconds after it was read.
 */
import { randomInt, type Random } from '../../core/random.js';
import type { Chunk, StageEnv } from '../stage.js';
import { TimedQueueStage } from './timed-queue-stage.js';
import { defineToxicType } from './toxic-type.js';

/** Attributes of `latency`, in milliseconds. */
export type LatencyAttributes = {
  latency: number;
  jitter: number;
};

/** A delay of `latency` plus a jitter drawn uniformly from [-jitter, jitter), as Toxiproxy draws it. */
export function latencyDelay(attributes: Readonly<LatencyAttributes>, random: Random): number {
  const { latency, jitter } = attributes;
  return jitter > 0 ? latency + randomInt(random, jitter * 2) - jitter : latency;
}

class LatencyStage extends TimedQueueStage {
  constructor(
    env: StageEnv,
    private readonly attributes: () => Readonly<LatencyAttributes>,
  ) {
    super(env);
  }

  write(chunk: Chunk): void {
    // Counted from when the data was read: time already spent in an earlier toxic is part of the delay.
    this.schedule(chunk, chunk.at + latencyDelay(this.attributes(), this.env.random));
  }

  protected override release(chunk: Chunk): void {
    chunk.at = this.now();
    this.output.write(chunk);
  }
}

/** The `latency` toxic type. */
export const latencyToxic = defineToxicType<LatencyAttributes>({
  name: 'latency',
  defaults: { latency: 0, jitter: 0 },
  createStage: ({ env, attributes }) => new LatencyStage(env, attributes),
});
