/**
 * @module
 * Writers for the process's output streams that fall silent when their reader goes away (`simian … | head`).
 * Node reports a closed pipe as an EPIPE 'error' event on the stream, which, unhandled, ends the process with a
 * stack trace; the CLI stops writing instead and lets the command finish (a held fault is still reverted on time).
 */

/** The exit code after the reader went away: 128 + SIGPIPE (13), what a shell shows for `yes | head -1`. */
export const CLOSED_PIPE_EXIT_CODE = 141;

/** What {@link quietWriter} needs of a stream; `process.stdout` and `process.stderr` have it. */
export interface OutputStream {
  write(text: string): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** A stream's writer that stops writing once the stream's reader has gone. */
export interface QuietWriter {
  /** Writes `text`; does nothing once the reader has gone. */
  readonly write: (text: string) => void;
  /** Whether the reader has gone (a write failed with EPIPE). */
  readonly closed: () => boolean;
}

/**
 * Handles `stream`'s closed-pipe errors and returns a writer that falls silent after one. Any other error is
 * rethrown, as it would have been without a listener. Install one per stream per process.
 *
 * @example
 * const stdout = quietWriter(process.stdout);
 * stdout.write('a line\n'); // never throws or crashes, even when nobody reads any more
 */
export function quietWriter(stream: OutputStream): QuietWriter {
  let closed = false;
  stream.on('error', (error) => {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    closed = true;
  });
  return {
    write: (text) => {
      if (!closed) stream.write(text);
    },
    closed: () => closed,
  };
}
