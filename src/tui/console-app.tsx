/**
 * @module
 * The game-day console as a React component: it draws the drill's view, turns keys into modes through
 * {@link handleKey}, and carries out the effects against the drill's {@link DrillControls}. It decides nothing about
 * faults itself: every one goes through `controls.preview`, a confirmation, and `controls.execute` (the drill's
 * safety pipeline), and what comes back is shown on the status line.
 */
import { useInput } from 'ink';
import { useCallback, useRef, useState } from 'react';
import type { ActionResult, DrillControls } from '../engine/drill/drill-controls.js';
import { ConsoleFrame } from './console-frame.js';
import { handleKey, keyPresses, MAIN, type ConsoleEffect, type ConsoleMode, type StatusTone } from './console-mode.js';
import type { TerminalSize } from './layout.js';
import type { StatusMessage } from './status-line.js';
import { useDrillView } from './use-drill-view.js';

/** Props of {@link ConsoleApp}. */
export interface ConsoleAppProps {
  readonly controls: DrillControls;
  /** The terminal's size: the frame keeps within it. {@link runConsole} follows the terminal's `resize`. */
  readonly size: TerminalSize;
  /** Called once when the user quits (q, confirmed when faults are active; Ctrl-C at once). The caller stops the drill. */
  readonly onQuit: () => void;
  /** The header clock's time zone; the process's own by default. */
  readonly timeZone?: string;
}

const OUTCOME_TONES: Readonly<Record<ActionResult['outcome'], StatusTone>> = { executed: 'ok', skipped: 'warn', failed: 'error' };

/** The console. Render it with ink; {@link runConsole} does, in the alternate screen. */
export function ConsoleApp({ controls, size, onQuit, timeZone }: ConsoleAppProps) {
  const view = useDrillView(controls);
  const [mode, setModeState] = useState<ConsoleMode>(MAIN);
  const [status, setStatus] = useState<StatusMessage | undefined>();
  // The mode as of the last key: several keys can arrive in one chunk, before React renders between them.
  const modeRef = useRef<ConsoleMode>(MAIN);
  const quitRef = useRef(false);
  const setMode = useCallback((next: ConsoleMode) => {
    modeRef.current = next;
    setModeState(next);
  }, []);

  const perform = (effect: ConsoleEffect, modeAfter: ConsoleMode): void => {
    const fail = (what: string) => (error: unknown) => setStatus({ text: `${what} failed: ${errorMessage(error)}`, tone: 'error' });
    const report = (result: ActionResult) => setStatus({ text: result.message, tone: OUTCOME_TONES[result.outcome] });
    switch (effect.kind) {
      case 'preview':
        // The preview counts only while its wait is still on screen: Esc, or another key, leaves it unanswered.
        controls.preview(effect.action).then(
          (preview) => {
            if (modeRef.current === modeAfter) setMode({ kind: 'confirm-fault', preview });
          },
          (error: unknown) => {
            if (modeRef.current !== modeAfter) return;
            setMode(MAIN);
            fail('preview')(error);
          },
        );
        return;
      case 'execute':
        setStatus({ text: `${effect.preview.title}: asking the safety pipeline…`, tone: 'info' });
        controls.execute(effect.preview.action).then(report, fail(effect.preview.title));
        return;
      case 'halt':
        setStatus({ text: 'halting: reverting every fault…', tone: 'warn' });
        controls.halt().then(report, fail('halt'));
        return;
      case 'note':
        controls.note(effect.text);
        setStatus({ text: 'note added to the timeline', tone: 'ok' });
        return;
      case 'rate':
        controls.setRate(effect.viewersPerSecond);
        setStatus({ text: `viewers: ${effect.viewersPerSecond}/s`, tone: 'info' });
        return;
      case 'quit':
        if (quitRef.current) return;
        quitRef.current = true;
        onQuit();
        return;
      case 'status':
        setStatus({ text: effect.text, tone: effect.tone });
        return;
      case 'clear-status':
        setStatus(undefined);
        return;
    }
  };

  useInput((input, key) => {
    for (const [char, press] of keyPresses(input, key)) {
      const outcome = handleKey(modeRef.current, char, press, { view: controls.view(), choices: () => controls.choices() });
      setMode(outcome.mode);
      for (const effect of outcome.effects) perform(effect, outcome.mode);
    }
  });

  return <ConsoleFrame view={view} size={size} mode={mode} status={status} timeZone={timeZone} />;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
