/**
 * @module
 * The local provider: the reference stack on this machine.
 */
export { LocalProvider, PID_TAG, RESTARTS_TAG } from './local-provider.js';
export type { LocalProviderOptions, AdminInstance } from './local-provider.js';
