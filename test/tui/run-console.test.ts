import { afterEach, describe, expect, it } from 'vitest';
import { ENTER_ALTERNATE_SCREEN, enterAlternateScreen, LEAVE_ALTERNATE_SCREEN } from '../../src/tui/alternate-screen.js';
import { runConsole, type RunningConsole } from '../../src/tui/run-console.js';
import { drillView, FakeDrill } from '../support/fake-drill.js';
import { fakeTerminal, KEYS } from '../support/ink-harness.js';

let running: RunningConsole | undefined;
afterEach(() => running?.close());

function startOn(view = drillView()) {
  const t = fakeTerminal(80, 24);
  running = runConsole({ controls: new FakeDrill(view), stdout: t.stdout as never, stdin: t.stdin as never, timeZone: 'UTC', debug: true });
  return { t, running };
}

describe('runConsole', () => {
  it('draws in the alternate screen with the cursor hidden, and hands the terminal back on close, once', async () => {
    const { t, running } = startOn();
    expect(t.stdout.writes[0]).toBe(ENTER_ALTERNATE_SCREEN);
    await t.waitFor((f) => f.includes('TIMELINE'));
    expect(t.stdin.rawMode).toBe(true);

    running.close();
    expect(t.stdout.writes.at(-1)).toBe(LEAVE_ALTERNATE_SCREEN);
    expect(t.stdin.rawMode).toBe(false);
    const written = t.stdout.writes.length;
    running.close();
    t.stdout.resize(100, 30);
    await t.press('q');
    expect(t.stdout.writes).toHaveLength(written);
  });

  it('resolves quit when the user quits, with q or with Ctrl-C', async () => {
    for (const key of ['q', KEYS.ctrlC]) {
      const { t, running } = startOn();
      await t.waitFor((f) => f.includes('TIMELINE'));
      let quitted = false;
      void running.quit.then(() => (quitted = true));
      await t.press(key);
      await running.quit;
      expect(quitted).toBe(true);
      running.close();
    }
  });
});

describe('enterAlternateScreen', () => {
  it('enters the alternate screen with the cursor hidden, and leaves it (cursor shown) once, however often it is left', () => {
    const writes: string[] = [];
    const leave = enterAlternateScreen({ write: (text) => writes.push(text) });
    expect(writes).toEqual(['\x1b[?1049h\x1b[?25l']);
    leave();
    leave();
    expect(writes).toEqual(['\x1b[?1049h\x1b[?25l', '\x1b[?25h\x1b[?1049l']);
  });
});
