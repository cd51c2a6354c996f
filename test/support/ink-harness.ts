/**
 * A fake terminal of a chosen size for ink (ink-testing-library's is fixed at 100 columns, with no rows): it keeps
 * every frame and types keys. Render with `debug: true`, so ink writes every frame whole, whatever `CI` says.
 */
import { EventEmitter } from 'node:events';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink';
import type { ReactElement } from 'react';

/** Key sequences as a terminal sends them in raw mode. */
export const KEYS = { enter: '\r', escape: '\x1b', up: '\x1b[A', down: '\x1b[B', backspace: '\x7f', ctrlC: '\x03' } as const;

/** A TTY output of `columns` × `rows` that keeps everything written to it, one entry a write. */
export class FakeStdout extends EventEmitter {
  readonly isTTY = true;
  readonly writes: string[] = [];
  constructor(public columns: number, public rows: number) {
    super();
  }
  write(text: string): boolean {
    this.writes.push(text);
    return true;
  }
  resize(columns: number, rows: number): void {
    this.columns = columns;
    this.rows = rows;
    this.emit('resize');
  }
}

/** A TTY input the way ink reads it: `readable` events, then `read()` until null. */
export class FakeStdin extends EventEmitter {
  readonly isTTY = true;
  /** Whether ink left the input in raw mode. */
  rawMode = false;
  private readonly chunks: string[] = [];
  setRawMode(on: boolean): this {
    this.rawMode = on;
    return this;
  }
  setEncoding(): this { return this; }
  ref(): this { return this; }
  unref(): this { return this; }
  read(): string | null { return this.chunks.shift() ?? null; }
  type(text: string): void {
    this.chunks.push(text);
    this.emit('readable');
  }
}

/** A fake terminal and what a test does with it. */
export interface FakeTerminal {
  readonly stdout: FakeStdout;
  readonly stdin: FakeStdin;
  /** Every frame (with `debug: true`, every write is one), ANSI sequences removed. */
  frames(): string[];
  lastFrame(): string;
  /** Types each key as its own chunk, letting ink handle it (and a lone Esc) before the next. */
  press(...keys: string[]): Promise<void>;
  /** Resolves with the last frame once `holds` is true of it; fails after `timeoutMs`. */
  waitFor(holds: (frame: string) => boolean, timeoutMs?: number): Promise<string>;
}

/** A `columns` × `rows` fake terminal. */
export function fakeTerminal(columns: number, rows: number): FakeTerminal {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const frames = (): string[] => stdout.writes.map((f) => stripVTControlCharacters(f));
  const lastFrame = (): string => frames().at(-1) ?? '';
  return {
    stdout,
    stdin,
    frames,
    lastFrame,
    async press(...keys) {
      for (const key of keys) {
        stdin.type(key);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async waitFor(holds, timeoutMs = 2000) {
      const deadline = performance.now() + timeoutMs;
      while (!holds(lastFrame())) {
        if (performance.now() > deadline) throw new Error(`no frame matched within ${timeoutMs}ms; the last one:\n${lastFrame()}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return lastFrame();
    },
  };
}

/** {@link FakeTerminal} with an ink tree on it. */
export interface RenderedTerminal extends FakeTerminal {
  /** Idempotent; the frame ink writes while unmounting is dropped: the user never sees it. */
  unmount(): void;
}

/** Renders `element` on a `columns` × `rows` fake terminal. Call `unmount()` in afterEach. */
export function renderOnTerminal(element: ReactElement, columns: number, rows: number): RenderedTerminal {
  const terminal = fakeTerminal(columns, rows);
  const ink = render(element, { stdout: terminal.stdout as never, stdin: terminal.stdin as never, debug: true, exitOnCtrlC: false, patchConsole: false });
  let mounted = true;
  return {
    ...terminal,
    unmount() {
      if (!mounted) return;
      mounted = false;
      const seen = terminal.stdout.writes.length;
      ink.unmount();
      ink.cleanup();
      terminal.stdout.writes.length = seen;
    },
  };
}

/** Every way `frames` break a `columns` × `rows` terminal: more than `rows − 1` lines, or a line wider than `columns`. */
export function frameOverflows(frames: readonly string[], columns: number, rows: number): string[] {
  return frames.flatMap((frame, n) => {
    const lines = frame.split('\n');
    const problems = lines.length > rows - 1 ? [`frame ${n}: ${lines.length} lines`] : [];
    lines.forEach((line, i) => {
      if ([...line].length > columns) problems.push(`frame ${n}, line ${i}: ${[...line].length} columns: ${line}`);
    });
    return problems;
  });
}
