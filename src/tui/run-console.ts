/**
 * @module
 * Starts the game-day console on a terminal: the alternate screen, ink rendering at most 10 frames a second and
 * following the terminal's size, and the terminal handed back as it was on close.
 */
import { render } from 'ink';
import { createElement } from 'react';
import type { DrillControls } from '../engine/drill/drill-controls.js';
import { enterAlternateScreen } from './alternate-screen.js';
import { ConsoleApp } from './console-app.js';
import type { TerminalSize } from './layout.js';
import { followTerminalSize, terminalSize } from './terminal-size.js';

/** What {@link runConsole} draws on and reads keys from: a TTY's streams. */
export interface ConsoleOptions {
  readonly controls: DrillControls;
  readonly stdout: NodeJS.WriteStream;
  readonly stdin: NodeJS.ReadStream;
  /** The header clock's time zone; the process's own by default. */
  readonly timeZone?: string;
  /** For tests: ink writes every frame whole, unthrottled, whatever `CI` says. */
  readonly debug?: boolean;
}

/** A console on screen. */
export interface RunningConsole {
  /** Resolves when the user quits (q, or Ctrl-C); never settles when {@link RunningConsole.close} came first. */
  readonly quit: Promise<void>;
  /** Unmounts the console, shows the cursor and leaves the alternate screen. Idempotent: call it on every exit path. */
  close(): void;
}

/**
 * Shows the console for `controls` on `stdout`, reading keys from `stdin` in raw mode. Quitting only resolves
 * `quit`: the caller stops the drill (which reverts the faults) and calls `close()`, also on signals and crashes.
 *
 * Ink 6.8 checks `CI` (the `is-in-ci` package) when it is imported: with `CI=true` in the environment it draws
 * only the last frame, at exit. Run the console, and any end-to-end test of it, with `CI` unset.
 *
 * @example
 * const running = runConsole({ controls: drill, stdout: process.stdout, stdin: process.stdin });
 * try {
 *   await running.quit;
 * } finally {
 *   running.close();
 *   await drill.stop();
 * }
 */
export function runConsole({ controls, stdout, stdin, timeZone, debug = false }: ConsoleOptions): RunningConsole {
  let quitted!: () => void;
  const quit = new Promise<void>((resolve) => {
    quitted = resolve;
  });
  const app = (size: TerminalSize) => createElement(ConsoleApp, { controls, size, onQuit: () => quitted(), timeZone });

  const leaveAlternateScreen = enterAlternateScreen(stdout);
  let instance: ReturnType<typeof render> | undefined;
  // Heard before ink's own resize listener, which the render below adds.
  const following = followTerminalSize(stdout, (size) => instance?.rerender(app(size)));
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    following.dispose();
    try {
      instance?.unmount();
      instance?.cleanup();
    } finally {
      leaveAlternateScreen();
    }
  };
  try {
    instance = render(app(terminalSize(stdout)), {
      stdout,
      stdin,
      debug,
      // Ctrl-C is the console's: it quits through onQuit, so the caller stops the drill and reverts the faults.
      exitOnCtrlC: false,
      patchConsole: false,
      maxFps: 10,
    });
  } catch (error) {
    close();
    throw error;
  }
  return { quit, close };
}
