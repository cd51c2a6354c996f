/**
 * @module
 * The terminal's alternate screen, entered and left by hand: ink 6.8 has no option for it (7.0 added one, on
 * Node ≥ 22). The console draws there so the scrollback is untouched, and the screen the user had comes back when
 * it leaves.
 */

/** Switches to the alternate screen and hides the cursor. */
export const ENTER_ALTERNATE_SCREEN = '\x1b[?1049h\x1b[?25l';
/** Shows the cursor and switches back to the normal screen. */
export const LEAVE_ALTERNATE_SCREEN = '\x1b[?25h\x1b[?1049l';

/** What the alternate screen needs of the output. */
export interface TerminalOutput {
  write(text: string): unknown;
}

/**
 * Enters the alternate screen on `output` and returns the function that leaves it. Leaving twice writes nothing
 * the second time, so every exit path may call it.
 */
export function enterAlternateScreen(output: TerminalOutput): () => void {
  output.write(ENTER_ALTERNATE_SCREEN);
  let left = false;
  return () => {
    if (left) return;
    left = true;
    output.write(LEAVE_ALTERNATE_SCREEN);
  };
}
