/**
 * @module
 * Every key of the console and what it does: the help overlay lists them, so it cannot drift from what the keys
 * are documented to do in one place.
 */

/** One help entry. */
export interface KeyBinding {
  readonly keys: string;
  readonly action: string;
}

/** Every key, in the help overlay's order. */
export const KEY_BINDINGS: readonly KeyBinding[] = [
  { keys: '?', action: 'this help' },
  { keys: 'c', action: 'Chaos Monkey: kill an instance (or a random one)' },
  { keys: 'g', action: 'Chaos Gorilla: drop a zone' },
  { keys: 'k', action: 'Chaos Kong: evacuate a region' },
  { keys: 'l', action: 'Latency Monkey: slow a service' },
  { keys: 'e', action: 'run an experiment file' },
  { keys: 'n', action: 'add a note to the timeline and the report' },
  { keys: '+ / -', action: 'more / fewer viewers per second' },
  { keys: 'H', action: 'HALT: revert every fault and engage the kill switch' },
  { keys: 'q', action: 'quit (asks first while faults are active: they revert)' },
  { keys: 'Ctrl-C', action: 'quit at once' },
  { keys: '↑ ↓  j k', action: 'move in a list' },
  { keys: 'Enter', action: 'pick, confirm' },
  { keys: 'Esc', action: 'back, cancel' },
];
