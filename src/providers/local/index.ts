/**
 * @module
 * The local provider (the reference stack on this machine) and the state-store fault ledger.
 */
export { LocalProvider, PID_TAG } from './local-provider.js';
export type { LocalProviderOptions, AdminInstance, KillProcess } from './local-provider.js';
export { StateStoreLedger } from './state-ledger.js';
