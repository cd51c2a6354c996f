/**
 * @module
 * Proxy faults through Toxiproxy's admin API (the embedded server or a real Toxiproxy): the toxiproxy provider,
 * the actuator the local provider shares, the HTTP traffic shift, and the revert ids they write.
 */
export { ToxiproxyProvider, UPSTREAM_TAG } from './toxiproxy-provider.js';
export type { ToxiproxyProviderOptions } from './toxiproxy-provider.js';
export { ToxiproxyActuator, toxiproxyStatusOf } from './toxiproxy-actuator.js';
export type { ToxiproxyActuatorOptions, ProxyInfo } from './toxiproxy-actuator.js';
export { HttpTrafficShift } from './http-traffic-shift.js';
export type { HttpTrafficShiftOptions } from './http-traffic-shift.js';
export { formatRevertId, parseRevertId } from './revert-id.js';
export type { RevertAction } from './revert-id.js';
export { placementFromName, UNKNOWN_LOCATION } from './proxy-placement.js';
export type { ProxyPlacement } from './proxy-placement.js';
export { newToxicName, toxicBody, TOXIC_NAME_PREFIX } from './toxic-body.js';
export type { ToxicBody, ProxyToxicType } from './toxic-body.js';
export { evacuateWith, revertById } from './reversible.js';
export type { RevertTargets } from './reversible.js';
