/**
 * @module
 * The last line: the keys that work in the current mode, and the halt key, always in sight at the right.
 */
import { Box } from 'ink';
import type { DrillView } from '../engine/drill/drill-controls.js';
import type { ConsoleMode } from './console-mode.js';
import { Line, seg, type Segment } from './segments.js';
import { columnsOf } from './text-cells.js';

/** Props of {@link Footer}. */
export interface FooterProps {
  readonly view: DrillView;
  readonly mode: ConsoleMode;
  readonly width: number;
}

/** The footer line. */
export function Footer({ view, mode, width }: FooterProps) {
  // While a note is typed, H is a letter of it: the hint says to leave the note first.
  const halt = [seg(' '), ...(mode.kind === 'note' ? [seg('Esc', { bold: true }), seg(', ')] : []), seg('H', { bold: true, color: 'red', inverse: true }), seg(' halt', { color: 'red' })];
  const haltWidth = halt.reduce((sum, s) => sum + columnsOf(s.text), 0);
  return (
    <Box width={width} height={1} flexDirection="row">
      <Line segments={hints(view, mode)} width={Math.max(0, width - haltWidth)} />
      <Line segments={halt} width={Math.min(width, haltWidth)} />
    </Box>
  );
}

function hints(view: DrillView, mode: ConsoleMode): Segment[] {
  const keys = (...pairs: [key: string, action: string][]): Segment[] =>
    pairs.flatMap(([key, action], i) => [seg(i > 0 ? '  ' : ''), seg(key, { bold: true, color: 'cyan' }), seg(` ${action}`)]);
  // Another platform has no viewers of ours to speed up.
  const rate: [string, string][] = view.viewers ? [['+/-', 'rate']] : [];
  switch (mode.kind) {
    case 'main':
      if (view.phase !== 'running') return keys(['?', 'help'], ['n', 'note'], ['q', 'quit']);
      if (view.readonly) return [...keys(['?', 'help'], ['n', 'note'], ...rate, ['q', 'quit']), seg('  read-only', { color: 'yellow' })];
      // Short words, so that all of them fit in 80 columns next to the halt key.
      return keys(['?', 'help'], ['c', 'kill'], ['g', 'zone'], ['k', 'region'], ['l', 'slow'], ['e', 'exp'], ['n', 'note'], ...rate, ['q', 'quit']);
    case 'help':
      return keys(['Esc', 'back']);
    case 'pick':
      return keys(['↑↓ j k', 'move'], ['Enter', 'pick'], ['Esc', 'back']);
    case 'previewing':
      return keys(['Esc', 'cancel']);
    case 'confirm-fault':
      return mode.preview.refusal === undefined ? keys(['Enter', 'confirm'], ['Esc', 'cancel']) : keys(['Esc', 'back']);
    case 'confirm-halt':
      return keys(['Enter', 'halt'], ['Esc', 'cancel']);
    case 'confirm-quit':
      return keys(['Enter', 'quit'], ['Esc', 'stay']);
    case 'note':
      return keys(['Enter', 'add note'], ['Esc', 'cancel']);
  }
}
