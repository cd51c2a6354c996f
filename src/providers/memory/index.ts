/**
 * @module
 * The in-memory provider and its random inventories.
 */
export { MemoryProvider } from './memory-provider.js';
export type { MemoryProviderSpec, MemoryMethod, ActuatorCall, ActiveAction } from './memory-provider.js';
export { randomInventory } from './random-inventory.js';
export type { RandomInventoryOptions } from './random-inventory.js';
