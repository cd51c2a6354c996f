/**
 * @module
 * A TCP fault proxy that speaks Toxiproxy's HTTP admin API: the embedded default for latency and network faults
 * in the reference stack, and a stand-in for Toxiproxy wherever `toxiproxy-node-client` is used.
 */
export { createToxiproxyServer, TOXIPROXY_API_VERSION } from './server.js';
export type { ToxiproxyServer, ToxiproxyServerOptions } from './server.js';
export type { ToxiproxyEvent, ToxiproxyEventType } from './events.js';
export { ApiError, isApiError } from './api-error.js';
export type { ProxySpec, ProxyChanges } from './proxy-spec.js';
export { DEFAULT_LISTEN, parsePopulate, parseProxySpec } from './proxy-spec.js';
export type { ProxyJson } from './proxy.js';
export type { ToxicJson, StreamDirection } from './toxic.js';
export type { EndKind } from './stage.js';
export { DIRECTIONS } from './toxic.js';
export { TOXIC_TYPES, TOXIC_TYPE_NAMES } from './toxics/toxic-types.js';
export type { LatencyAttributes } from './toxics/latency.js';
export type { BandwidthAttributes } from './toxics/bandwidth.js';
export type { SlowCloseAttributes } from './toxics/slow-close.js';
export type { TimeoutAttributes } from './toxics/timeout.js';
export type { ResetPeerAttributes } from './toxics/reset-peer.js';
export type { SlicerAttributes } from './toxics/slicer.js';
export type { LimitDataAttributes } from './toxics/limit-data.js';
export { readProxyConfigFile } from './config-file.js';
