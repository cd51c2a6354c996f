/**
 * @module
 * The size of the terminal the console is drawn on, and its changes. The console takes its size from here, through
 * {@link runConsole}, never from `process.stdout`, so tests draw it at 80×24 on a fake terminal.
 */
import type { Disposable } from '../core/events.js';
import type { TerminalSize } from './layout.js';

/** What the console needs of its output stream to know its size: a TTY `WriteStream` has all of it. */
export interface SizedOutput {
  readonly columns?: number;
  readonly rows?: number;
  prependListener(event: 'resize', listener: () => void): unknown;
  off(event: 'resize', listener: () => void): unknown;
}

/** `output`'s size now; 80×24 for a stream that does not say (not a TTY). */
export function terminalSize(output: SizedOutput): TerminalSize {
  return { columns: output.columns || 80, rows: output.rows || 24 };
}

/**
 * Calls `listener` with the new size on every `resize` of `output`, ahead of the listeners already there. Ink 6.8
 * redraws the tree it has on `resize`: a tree still laid out for the old size would give one frame too wide and
 * too tall, so the console re-renders at the new size first (ink's `rerender` is synchronous).
 */
export function followTerminalSize(output: SizedOutput, listener: (size: TerminalSize) => void): Disposable {
  const resized = (): void => listener(terminalSize(output));
  output.prependListener('resize', resized);
  return { dispose: () => void output.off('resize', resized) };
}
