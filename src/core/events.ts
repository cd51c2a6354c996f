/**
 * @module
 * Typed events: a subscription is a function call that returns a {@link Disposable}, so listeners are easy to
 * remove and the payload type is checked.
 */

/** Something holding a resource or subscription that can be released. Releasing twice is harmless. */
export interface Disposable {
  dispose(): void;
}

/** Subscribes a listener to an event; call `dispose()` on the result to unsubscribe. */
export type Event<T> = (listener: (payload: T) => void) => Disposable;

/**
 * The producing side of an {@link Event}. Emitting with no listener costs one length check, so policies can
 * emit on the hot path.
 *
 * @example
 * const changed = new EventEmitter<{ from: string; to: string }>();
 * const sub = changed.event(({ from, to }) => console.log(from, '->', to));
 * changed.emit({ from: 'closed', to: 'open' });
 * sub.dispose();
 */
export class EventEmitter<T> {
  private listeners: Array<(payload: T) => void> = [];

  /** The subscribe function to expose to consumers. */
  readonly event: Event<T> = (listener) => {
    this.listeners = [...this.listeners, listener];
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  /** Whether anyone listens: lets producers skip building a payload nobody reads. */
  get hasListeners(): boolean {
    return this.listeners.length > 0;
  }

  /** Delivers `payload` to every listener. A throwing listener does not stop the others or the producer. */
  emit(payload: T): void {
    const listeners = this.listeners;
    for (let i = 0; i < listeners.length; i++) {
      try {
        listeners[i]!(payload);
      } catch (error) {
        // A broken observer must not break the call it observes; surface it without throwing.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Removes every listener. */
  clear(): void {
    this.listeners = [];
  }
}
