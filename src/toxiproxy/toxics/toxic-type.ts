/**
 * @module
 * What a toxic type is: its attributes with Toxiproxy's defaults, and how it builds the stage that does its work
 * on one direction of one connection.
 */
import type { StageEnv, ToxicStage } from '../stage.js';

/** A toxic's attributes: Toxiproxy's are all whole numbers (Go `int64` / `int` fields). */
export type ToxicAttributes = Record<string, number>;

/** What a stage is built from. */
export interface ToxicStageContext<A extends ToxicAttributes> {
  readonly env: StageEnv;
  /**
   * The toxic's attributes as they are now. Stages read them when they use them, so an update reaches data
   * that arrives after it without rebuilding anything.
   */
  attributes(): Readonly<A>;
  /** Per-connection state that outlives updates of the toxic (limit_data's byte count); from `newState`. */
  readonly state: unknown;
}

/** One kind of toxic (`latency`, `bandwidth` …). */
export interface ToxicType<A extends ToxicAttributes = ToxicAttributes> {
  /** The `type` field of the JSON. */
  readonly name: string;
  /** Every attribute with the value it takes when the JSON leaves it out (Go's zero values). */
  readonly defaults: Readonly<A>;
  /** Checks a complete set of attributes beyond "whole number ≥ 0"; returns a message naming the attribute. */
  check?(attributes: Readonly<A>): string | undefined;
  /** State kept per connection for as long as the toxic exists (Toxiproxy's `StatefulToxic`). */
  newState?(): unknown;
  /** Builds the stage for one direction of one connection. */
  createStage(context: ToxicStageContext<A>): ToxicStage;
}

/** Declares a toxic type with typed attributes, usable wherever any toxic type is expected. */
export function defineToxicType<A extends ToxicAttributes>(type: ToxicType<A>): ToxicType {
  return type as unknown as ToxicType;
}
