/**
 * SIGINT and SIGTERM delivered by a test to a command driven in-process (`createProgram({ signals })`), without
 * signalling the test runner itself.
 */
import type { SignalSource, StopSignal } from '../../src/cli/signals.js';

/** A {@link SignalSource} the test fires. */
export class FakeSignals implements SignalSource {
  private readonly listeners = new Map<StopSignal, Set<() => void>>();

  once(signal: StopSignal, listener: () => void): void {
    const set = this.listeners.get(signal) ?? new Set();
    set.add(listener);
    this.listeners.set(signal, set);
  }

  removeListener(signal: StopSignal, listener: () => void): void {
    this.listeners.get(signal)?.delete(listener);
  }

  /** Calls (and removes) every listener of `signal`, as a `once` handler would see it. */
  emit(signal: StopSignal): void {
    const set = [...(this.listeners.get(signal) ?? [])];
    this.listeners.get(signal)?.clear();
    for (const listener of set) listener();
  }

  /** How many listeners wait: above 0 once a command is ready for Ctrl-C. */
  get count(): number {
    return [...this.listeners.values()].reduce((n, s) => n + s.size, 0);
  }
}
