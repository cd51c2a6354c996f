/**
 * @module
 * What the console is doing (the main panels, help, a picker, a confirmation, a note being typed) and how each key
 * changes it. Pure: a key gives the next mode and the effects to carry out, and the App carries them out against
 * the drill. Nothing here reaches the drill, so no key can act without going through {@link handleKey}'s
 * confirmation steps.
 */
import type { Key } from 'ink';
import type { DrillChoices, DrillView, FaultAction, FaultPreview } from '../engine/drill/drill-controls.js';
import { faultPicker, isFaultKey, type Picker } from './fault-pickers.js';

/** A picker and the entry selected in it. */
export interface PickerStep {
  readonly picker: Picker;
  readonly index: number;
}

/** What the console shows over (or instead of) its main panels. */
export type ConsoleMode =
  | { readonly kind: 'main' }
  | { readonly kind: 'help' }
  /** A picker, on top of the pickers that led to it (Esc goes back one). */
  | { readonly kind: 'pick'; readonly trail: readonly PickerStep[] }
  /** Waiting for the drill's preview of `action`. */
  | { readonly kind: 'previewing'; readonly action: FaultAction }
  | { readonly kind: 'confirm-fault'; readonly preview: FaultPreview }
  | { readonly kind: 'confirm-halt'; readonly faults: number }
  | { readonly kind: 'confirm-quit'; readonly faults: number }
  | { readonly kind: 'note'; readonly text: string };

/** How a status message reads: its colour. */
export type StatusTone = 'info' | 'ok' | 'warn' | 'error';

/** Something the App does for a key. */
export type ConsoleEffect =
  | { readonly kind: 'preview'; readonly action: FaultAction }
  | { readonly kind: 'execute'; readonly preview: FaultPreview }
  | { readonly kind: 'note'; readonly text: string }
  | { readonly kind: 'halt' }
  | { readonly kind: 'rate'; readonly viewersPerSecond: number }
  | { readonly kind: 'quit' }
  | { readonly kind: 'status'; readonly text: string; readonly tone: StatusTone }
  | { readonly kind: 'clear-status' };

/** The mode after a key, and what to do. */
export interface KeyOutcome {
  readonly mode: ConsoleMode;
  readonly effects: readonly ConsoleEffect[];
}

/** What a key may look at. `choices` is called only when a picker opens. */
export interface KeyContext {
  readonly view: DrillView;
  choices(): DrillChoices;
}

/** The keys' part of ink's `Key`. */
export type KeyPress = Pick<Key, 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'return' | 'escape' | 'ctrl' | 'meta' | 'backspace' | 'delete' | 'tab'>;

/** The console's starting mode. */
export const MAIN: ConsoleMode = { kind: 'main' };

/** Said when a fault key is pressed in `--readonly`. */
export const READONLY_MESSAGE = 'read-only: fault keys are off';

/** What `+` and `-` say where the drill drives no viewers (another platform carries its own traffic). */
export const NO_VIEWERS_MESSAGE = 'no viewers here: the platform carries its own traffic';

/** How many entries PageUp/PageDown move in a picker. */
const PAGE = 10;

/** The next mode and effects after `input`/`key` in `mode`. */
export function handleKey(mode: ConsoleMode, input: string, key: KeyPress, context: KeyContext): KeyOutcome {
  // Raw mode delivers Ctrl-C as a key; it quits from anywhere, without asking, as terminals have taught everyone.
  if (key.ctrl && input === 'c') return { mode, effects: [{ kind: 'quit' }] };
  if (mode.kind === 'note') return noteKey(mode, input, key);
  if (input === 'H' && !key.ctrl && !key.meta) return { mode: { kind: 'confirm-halt', faults: context.view.faults.length }, effects: [] };
  switch (mode.kind) {
    case 'main':
      return mainKey(input, key, context);
    case 'help':
      return key.escape || input === '?' || input === 'q' ? stay(MAIN) : stay(mode);
    case 'pick':
      return pickKey(mode, input, key);
    case 'previewing':
      return key.escape ? stay(MAIN) : stay(mode);
    case 'confirm-fault':
      if (key.escape) return { mode: MAIN, effects: [{ kind: 'status', text: 'cancelled: nothing was done', tone: 'info' }] };
      // A refused preview cannot be confirmed: Enter does nothing, Esc backs out.
      if (key.return && mode.preview.refusal === undefined) return { mode: MAIN, effects: [{ kind: 'execute', preview: mode.preview }] };
      return stay(mode);
    case 'confirm-halt':
      if (key.return) return { mode: MAIN, effects: [{ kind: 'halt' }] };
      return key.escape ? stay(MAIN) : stay(mode);
    case 'confirm-quit':
      if (key.return || input === 'y') return { mode, effects: [{ kind: 'quit' }] };
      return key.escape || input === 'n' ? stay(MAIN) : stay(mode);
  }
}

function mainKey(input: string, key: KeyPress, context: KeyContext): KeyOutcome {
  const { view } = context;
  if (key.escape) return { mode: MAIN, effects: [{ kind: 'clear-status' }] };
  if (key.ctrl || key.meta) return stay(MAIN);
  if (input === '?') return stay({ kind: 'help' });
  if (input === 'q') return view.faults.length > 0 ? stay({ kind: 'confirm-quit', faults: view.faults.length }) : { mode: MAIN, effects: [{ kind: 'quit' }] };
  if (input === 'n') return stay({ kind: 'note', text: '' });
  if (input === '+' || input === '-') {
    if (!view.viewers) return status(NO_VIEWERS_MESSAGE, 'warn');
    const rate = input === '+' ? view.viewers.rate + 1 : Math.max(1, view.viewers.rate - 1);
    return { mode: MAIN, effects: [{ kind: 'rate', viewersPerSecond: rate }] };
  }
  if (isFaultKey(input)) {
    if (view.readonly) return status(READONLY_MESSAGE, 'warn');
    if (view.phase !== 'running') return status(`the drill is ${view.phase}: fault keys work once it runs`, 'warn');
    const picker = faultPicker(input, context.choices());
    if (picker.options.length === 0) return status(`nothing to pick: ${picker.empty}`, 'warn');
    return stay({ kind: 'pick', trail: [{ picker, index: 0 }] });
  }
  return stay(MAIN);
}

function pickKey(mode: Extract<ConsoleMode, { kind: 'pick' }>, input: string, key: KeyPress): KeyOutcome {
  const below = mode.trail.slice(0, -1);
  const top = mode.trail.at(-1)!;
  const count = top.picker.options.length;
  const moveTo = (index: number): KeyOutcome =>
    stay({ kind: 'pick', trail: [...below, { picker: top.picker, index: Math.min(count - 1, Math.max(0, index)) }] });
  if (key.escape) return stay(below.length > 0 ? { kind: 'pick', trail: below } : MAIN);
  if (key.upArrow || input === 'k') return moveTo(top.index - 1);
  if (key.downArrow || input === 'j') return moveTo(top.index + 1);
  if (key.pageUp) return moveTo(top.index - PAGE);
  if (key.pageDown) return moveTo(top.index + PAGE);
  if (!key.return) return stay(mode);
  const next = top.picker.options[top.index]!.next;
  if ('picker' in next) {
    if (next.picker.options.length === 0) return status(`nothing to pick: ${next.picker.empty}`, 'warn');
    return stay({ kind: 'pick', trail: [...mode.trail, { picker: next.picker, index: 0 }] });
  }
  return { mode: { kind: 'previewing', action: next.action }, effects: [{ kind: 'preview', action: next.action }] };
}

function noteKey(mode: Extract<ConsoleMode, { kind: 'note' }>, input: string, key: KeyPress): KeyOutcome {
  if (key.escape) return stay(MAIN);
  if (key.return) {
    const text = mode.text.trim();
    return text === '' ? stay(MAIN) : { mode: MAIN, effects: [{ kind: 'note', text }] };
  }
  // Terminals send DEL (which ink calls `delete`) for the backspace key, and ^H for Ctrl-Backspace.
  if (key.backspace || key.delete) return stay({ kind: 'note', text: [...mode.text].slice(0, -1).join('') });
  if (key.ctrl || key.meta || key.tab || !isPrintable(input)) return stay(mode);
  return stay({ kind: 'note', text: mode.text + input });
}

/** A key press with no special key and no modifier: a plain character. */
const PLAIN: KeyPress = { upArrow: false, downArrow: false, pageUp: false, pageDown: false, return: false, escape: false, ctrl: false, meta: false, backspace: false, delete: false, tab: false };

/**
 * The key presses in one input event. Ink hands over a run of text without escape sequences as one event, and a
 * terminal delivers keys typed quickly (or pasted) in one chunk: `n`, a note's text and Enter can arrive together.
 * Each character is then its own press, control characters read as ink reads them alone (`\r` is Enter, DEL is
 * `delete`, `\x03` is Ctrl-C).
 */
export function keyPresses(input: string, key: KeyPress): [input: string, key: KeyPress][] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta || input.includes('\x1b')) return [[input, key]];
  return chars.map(pressOf);
}

function pressOf(char: string): [input: string, key: KeyPress] {
  const code = char.codePointAt(0)!;
  if (char === '\r' || char === '\n') return ['', { ...PLAIN, return: true }];
  if (char === '\t') return ['', { ...PLAIN, tab: true }];
  if (char === '\b') return ['', { ...PLAIN, backspace: true }];
  if (code === 0x7f) return ['', { ...PLAIN, delete: true }];
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...PLAIN, ctrl: true }];
  return [char, PLAIN];
}

function isPrintable(input: string): boolean {
  // eslint-disable-next-line no-control-regex
  return input !== '' && !/[\u0000-\u001f\u007f]/.test(input);
}

function stay(mode: ConsoleMode): KeyOutcome {
  return { mode, effects: [] };
}

function status(text: string, tone: StatusTone): KeyOutcome {
  return { mode: MAIN, effects: [{ kind: 'status', text, tone }] };
}
