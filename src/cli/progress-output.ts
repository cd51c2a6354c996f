/**
 * @module
 * Progress of long work on standard error: redrawn in place on a terminal, one line every so often elsewhere
 * (a CI log or a file would otherwise hold one endless line of carriage returns).
 */

/** How often a non-terminal gets a progress line. */
export const PROGRESS_LINE_EVERY_MS = 10_000;

/** Where progress goes and how it is drawn. */
export interface ProgressOutputOptions {
  readonly write: (text: string) => void;
  /** Whether `write` reaches a terminal: then each update redraws one line with `\r`. */
  readonly terminal: boolean;
  /** On a non-terminal, the least time between two lines. @default {@link PROGRESS_LINE_EVERY_MS} */
  readonly lineEveryMs?: number;
}

/** Progress output: `update` as often as there is news, `done` once the work is over. */
export interface ProgressOutput {
  /** Shows `text`, the state of the work `elapsedMs` after it started (a non-terminal may skip it). */
  update(elapsedMs: number, text: string): void;
  /** Ends the progress: on a terminal, moves past the redrawn line. */
  done(): void;
}

/**
 * Progress drawn for a terminal or for a log.
 *
 * @example
 * const progress = progressOutput({ write: deps.writeErr, terminal: deps.stderrIsTerminal === true });
 * progress.update(12_000, '120 sessions'); // a terminal: "\r120 sessions   "; a log: "12 s: 120 sessions\n"
 * progress.done();
 */
export function progressOutput(options: ProgressOutputOptions): ProgressOutput {
  const every = options.lineEveryMs ?? PROGRESS_LINE_EVERY_MS;
  let drawn = false;
  let lastLineAt = -Infinity;
  return {
    update(elapsedMs, text) {
      if (options.terminal) {
        // Trailing spaces erase the end of a longer line drawn before.
        options.write(`\r${text}   `);
        drawn = true;
      } else if (elapsedMs - lastLineAt >= every) {
        lastLineAt = elapsedMs;
        options.write(`${Math.round(elapsedMs / 1000)} s: ${text}\n`);
      }
    },
    done() {
      if (drawn) options.write('\n');
      drawn = false;
    },
  };
}
