/**
 * @module
 * One frame of the console, from the drill's view, the terminal's size, the mode and the status message: the
 * header, the body (the panels, the progress view, or an overlay in their place), the status line and the footer,
 * in at most `rows − 1` lines of at most `columns` (see {@link planLayout}).
 */
import { Box } from 'ink';
import type { DrillView } from '../engine/drill/drill-controls.js';
import { FaultConfirmation, Question, Waiting } from './confirm-dialogs.js';
import type { ConsoleMode } from './console-mode.js';
import { DependencyPanel } from './dependency-panel.js';
import { describeAction } from './fault-pickers.js';
import { FaultsPanel } from './faults-panel.js';
import { Footer } from './footer.js';
import { Header } from './header.js';
import { HelpOverlay } from './help-overlay.js';
import { planLayout, type PanelLayout, type TerminalSize } from './layout.js';
import { MapPanel, mapWidth } from './map-panel.js';
import { PickerOverlay } from './picker-overlay.js';
import { ProgressView } from './progress-view.js';
import { Line, seg } from './segments.js';
import { SloPanel } from './slo-panel.js';
import { StatusLine, type StatusMessage } from './status-line.js';
import { TimelinePanel } from './timeline-panel.js';

/** Props of {@link ConsoleFrame}. */
export interface ConsoleFrameProps {
  readonly view: DrillView;
  readonly size: TerminalSize;
  readonly mode: ConsoleMode;
  readonly status?: StatusMessage;
  /** The header clock's time zone; the process's own by default. */
  readonly timeZone?: string;
}

/** Overlays are no wider than this, so a dialog on a wide terminal stays readable. */
const OVERLAY_MAX_WIDTH = 90;

/** The whole frame. */
export function ConsoleFrame({ view, size, mode, status, timeZone }: ConsoleFrameProps) {
  const layout = planLayout(size, {
    mapWidth: (maxWidth) => mapWidth(view, maxWidth),
    slos: view.slos.length,
    dependencies: view.dependencies.length,
    faults: view.faults.length,
  });
  if (layout.kind === 'too-small') return <Line segments={[seg(layout.message, { color: 'yellow' })]} width={layout.columns} />;
  const { columns, body } = layout;
  return (
    <Box flexDirection="column" width={columns} height={layout.height} overflow="hidden">
      <Header view={view} width={columns} timeZone={timeZone} />
      <Box width={columns} height={body} flexShrink={0} overflow="hidden">
        <Body view={view} mode={mode} layout={layout} />
      </Box>
      <StatusLine view={view} mode={mode} status={status} width={columns} />
      <Footer view={view} mode={mode} width={columns} />
    </Box>
  );
}

function Body({ view, mode, layout }: { view: DrillView; mode: ConsoleMode; layout: PanelLayout }) {
  const room = { width: Math.min(layout.columns, OVERLAY_MAX_WIDTH), height: layout.body };
  switch (mode.kind) {
    case 'help':
      return <HelpOverlay {...room} />;
    case 'pick':
      return <PickerOverlay step={mode.trail.at(-1)!} {...room} />;
    case 'previewing':
      return <Waiting text={`asking the drill what "${describeAction(mode.action)}" would do…`} {...room} />;
    case 'confirm-fault':
      return <FaultConfirmation preview={mode.preview} {...room} />;
    case 'confirm-halt':
      return (
        <Question
          title="HALT: revert every fault and engage the kill switch?"
          detail={[`${mode.faults} ${mode.faults === 1 ? 'fault reverts' : 'faults revert'} now, and every new fault is refused afterwards.`]}
          confirm="halt"
          cancel="cancel"
          color="red"
          {...room}
        />
      );
    case 'confirm-quit':
      return (
        <Question
          title={`${mode.faults} ${mode.faults === 1 ? 'fault' : 'faults'} active: quitting reverts ${mode.faults === 1 ? 'it' : 'them'}`}
          detail={['Quit the game day?']}
          confirm="quit"
          cancel="stay"
          color="yellow"
          {...room}
        />
      );
    case 'main':
    case 'note':
      return view.phase === 'running' ? <Panels view={view} layout={layout} /> : <ProgressView view={view} width={layout.columns} height={layout.body} />;
  }
}

function Panels({ view, layout }: { view: DrillView; layout: PanelLayout }) {
  return (
    <Box flexDirection="row" width={layout.columns} height={layout.body}>
      <MapPanel view={view} width={layout.leftWidth} height={layout.map} />
      <Box width={1} flexShrink={0} />
      <Box flexDirection="column" width={layout.rightWidth} flexShrink={0}>
        <SloPanel slos={view.slos} width={layout.rightWidth} height={layout.slos} nameWidth={layout.sloNameWidth} sparklineWidth={layout.sparklineWidth} />
        <DependencyPanel dependencies={view.dependencies} width={layout.rightWidth} height={layout.dependencies} />
        <FaultsPanel faults={view.faults} now={view.now} width={layout.rightWidth} height={layout.faults} />
        <TimelinePanel timeline={view.timeline} startedAt={view.startedAt} width={layout.rightWidth} height={layout.timeline} />
      </Box>
    </Box>
  );
}
