/**
 * @module
 * Every toxic type the proxy knows, by the `type` name Toxiproxy gives it.
 */
import { bandwidthToxic } from './bandwidth.js';
import { latencyToxic } from './latency.js';
import { limitDataToxic } from './limit-data.js';
import { noopToxic } from './noop.js';
import { resetPeerToxic } from './reset-peer.js';
import { slicerToxic } from './slicer.js';
import { slowCloseToxic } from './slow-close.js';
import { timeoutToxic } from './timeout.js';
import type { ToxicType } from './toxic-type.js';

/** The toxic types, by name. */
export const TOXIC_TYPES: ReadonlyMap<string, ToxicType> = new Map(
  [latencyToxic, bandwidthToxic, slowCloseToxic, timeoutToxic, resetPeerToxic, slicerToxic, limitDataToxic, noopToxic].map(
    (type) => [type.name, type],
  ),
);

/** The names of every toxic type, for messages. */
export const TOXIC_TYPE_NAMES: readonly string[] = [...TOXIC_TYPES.keys()];
