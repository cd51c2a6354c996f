/**
 * @module
 * simian-army: the core seams (clock, random, errors, events, logging, model) and the resilience library.
 * The CLI is the `simian` binary; the resilience library alone is `simian-army/resilience`.
 */
export * from './core/index.js';
export * from './resilience/index.js';
