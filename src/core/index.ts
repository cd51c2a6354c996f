/**
 * @module
 * Core seams shared by every part of Simian.
 */
export { SystemClock, systemClock, sleepOn, MAX_TIMER_DELAY_MS } from './clock.js';
export type { Clock, Timer, TimerOptions } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { SystemRandom, SeededRandom, systemRandom, randomInt } from './random.js';
export type { Random } from './random.js';
export { SimianError, InvalidInputError, isSimianError, withoutStack } from './errors.js';
export type { SimianErrorOptions } from './errors.js';
export { EventEmitter } from './events.js';
export type { Event, Disposable } from './events.js';
export { createLogger, silentLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export type { Region, Zone, Instance, InstanceState, Group, Resource, Fault, FaultKind } from './model.js';
export { failoverFetch, isSafeToRepeatByDefault } from './failover-fetch.js';
export type { FailoverFetchOptions } from './failover-fetch.js';
