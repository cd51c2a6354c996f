import { afterEach, describe, expect, it } from 'vitest';
import type { DrillView } from '../../src/engine/drill/drill-controls.js';
import { ConsoleApp } from '../../src/tui/console-app.js';
import { KEY_BINDINGS } from '../../src/tui/key-bindings.js';
import { deferred } from '../support/deferred.js';
import { drillView, FakeDrill, frontDoors, withFrontDoors } from '../support/fake-drill.js';
import { KEYS, renderOnTerminal, type RenderedTerminal } from '../support/ink-harness.js';

const { enter, escape, down, up, backspace, ctrlC } = KEYS;
const withFaults: Partial<DrillView> = {
  faults: [
    { id: 'a', monkey: 'gorilla', description: 'zone us-east/us-east-1a isolated', expiresAt: drillView().now + 250_000 },
    { id: 'b', monkey: 'latency', description: '+500ms on playback', expiresAt: drillView().now + 45_000 },
  ],
};

let terminal: RenderedTerminal | undefined;
afterEach(() => terminal?.unmount());

/** The console on a fake 80×24 terminal, showing its panels. */
async function start(view: Partial<DrillView> = {}) {
  const drill = new FakeDrill(drillView(view));
  const quits: number[] = [];
  const t = renderOnTerminal(<ConsoleApp controls={drill} size={{ columns: 80, rows: 24 }} onQuit={() => quits.push(1)} timeZone="UTC" />, 80, 24);
  terminal = t;
  await t.waitFor((f) => f.includes('TIMELINE'));
  return { drill, t, quits };
}

describe('help', () => {
  it('? lists every key, and Esc goes back to the panels', async () => {
    const { t } = await start();
    await t.press('?');
    const help = await t.waitFor((f) => f.includes('Keys'));
    for (const binding of KEY_BINDINGS) expect(help).toContain(binding.action);
    await t.press(escape);
    await t.waitFor((f) => f.includes('TIMELINE') && !f.includes('Keys'));
  });
});

describe('fault keys', () => {
  it('c offers a random instance first; Enter previews it, the confirmation names target, blast radius and what stays healthy, and Enter executes it', async () => {
    const { drill, t } = await start();
    await t.press('c');
    const picker = await t.waitFor((f) => f.includes('Chaos Monkey: kill which instance?'));
    expect(picker).toMatch(/› a random instance/);
    await t.press(enter);
    const dialog = await t.waitFor((f) => f.includes('blast radius'));
    expect(drill.previewed).toEqual([{ kind: 'chaos' }]);
    expect(dialog).toMatch(/target +a random instance/);
    expect(dialog).toMatch(/blast radius +1 of 2 a random instance instances/);
    expect(dialog).toMatch(/stays healthy +1 a random instance instance left healthy/);
    expect(dialog).toMatch(/reverts after +5m/);
    expect(drill.executed).toEqual([]);
    await t.press(enter);
    await t.waitFor((f) => f.includes('fault in force'));
    expect(drill.executed).toEqual([{ kind: 'chaos' }]);
  });

  it('c with arrows and j/k picks a given instance', async () => {
    const { drill, t } = await start();
    await t.press('c', down, 'j', 'k', up, down, enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(enter);
    await t.waitFor((f) => f.includes('fault in force'));
    expect(drill.executed).toEqual([{ kind: 'chaos', instance: drill.choices().instances[0] }]);
  });

  it('c offers the front doors that are up, like any instance, and a picked one goes to the same execute', async () => {
    const drill = new FakeDrill(withFrontDoors(drillView(), frontDoors(['up', 'down'])));
    const t = renderOnTerminal(<ConsoleApp controls={drill} size={{ columns: 80, rows: 24 }} onQuit={() => {}} timeZone="UTC" />, 80, 24);
    terminal = t;
    // The map shows both, the dead one as such, so the facilitator sees which one is left to pick.
    const frame = await t.waitFor((f) => f.includes('TIMELINE') && f.includes('frontdoor'));
    expect(frame.split('\n').find((line) => line.startsWith('frontdoor'))!.slice(0, 14)).toBe('frontdoor   ●✕');
    await t.press('c');
    await t.waitFor((f) => f.includes('Chaos Monkey: kill which instance?'));
    const index = drill.choices().instances.indexOf('frontdoor-global-0');
    expect(drill.choices().instances).not.toContain('frontdoor-global-1');
    await t.press(...Array<string>(index + 1).fill(down));
    await t.waitFor((f) => f.includes('› frontdoor-global-0'));
    await t.press(enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(enter);
    await t.waitFor((f) => f.includes('fault in force'));
    expect(drill.executed).toEqual([{ kind: 'chaos', instance: 'frontdoor-global-0' }]);
  });

  it('Esc in the confirmation executes nothing', async () => {
    const { drill, t } = await start();
    await t.press('c', enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(escape);
    await t.waitFor((f) => f.includes('cancelled: nothing was done') && f.includes('TIMELINE'));
    await t.press(enter);
    expect(drill.previewed).toHaveLength(1);
    expect(drill.executed).toEqual([]);
  });

  it('a preview that arrives after Esc opens nothing', async () => {
    const { drill, t } = await start();
    const gate = deferred();
    drill.previewGate = gate.promise;
    await t.press('c', enter);
    await t.waitFor((f) => f.includes('asking the drill'));
    await t.press(escape);
    await t.waitFor((f) => f.includes('TIMELINE'));
    gate.resolve();
    await drill.previewGate;
    await t.press(enter);
    expect(t.lastFrame()).not.toContain('blast radius');
    expect(drill.executed).toEqual([]);
  });

  it('g drops the zone picked, k evacuates the region picked', async () => {
    const { drill, t } = await start();
    await t.press('g');
    await t.waitFor((f) => f.includes('drop which zone'));
    await t.press(down, enter);
    await t.waitFor((f) => f.includes('blast radius') && f.includes('us-east-1b'));
    await t.press(enter);
    await t.waitFor((f) => f.includes('fault in force'));
    await t.press('k');
    await t.waitFor((f) => f.includes('evacuate which region'));
    await t.press('j', enter);
    await t.waitFor((f) => f.includes('blast radius') && f.includes('us-west'));
    await t.press(enter);
    await t.waitFor(() => drill.executed.length === 2);
    expect(drill.executed).toEqual([
      { kind: 'zone', region: 'us-east', zone: 'us-east-1b' },
      { kind: 'region', region: 'us-west' },
    ]);
  });

  it('l picks a service, then an amount; Esc in the amount goes back to the services', async () => {
    const { drill, t } = await start();
    await t.press('l');
    await t.waitFor((f) => f.includes('slow which service'));
    await t.press(...Array(5).fill(down), enter);
    await t.waitFor((f) => f.includes('how much latency on playback'));
    await t.press(escape);
    await t.waitFor((f) => f.includes('slow which service') && f.includes('› playback'));
    await t.press(enter, down, enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(enter);
    await t.waitFor(() => drill.executed.length === 1);
    expect(drill.executed).toEqual([{ kind: 'latency', service: 'playback', latencyMs: 500 }]);
  });

  it('e runs the experiment file picked', async () => {
    const { drill, t } = await start();
    await t.press('e');
    await t.waitFor((f) => f.includes('Run which experiment'));
    await t.press(down, enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(enter);
    await t.waitFor(() => drill.executed.length === 1);
    expect(drill.executed).toEqual([{ kind: 'experiment', file: 'experiments/zone-outage.yaml' }]);
  });

  it('a refused preview says why, and Enter does nothing', async () => {
    const { drill, t } = await start();
    drill.refusal = 'the kill switch is engaged';
    await t.press('c', enter);
    await t.waitFor((f) => f.includes('refused: the kill switch is engaged'));
    await t.press(enter, enter);
    expect(t.lastFrame()).toContain('refused: the kill switch is engaged');
    expect(drill.executed).toEqual([]);
    await t.press(escape);
    await t.waitFor((f) => f.includes('TIMELINE'));
  });

  it('a fault the safety pipeline refuses shows its reason on the status line', async () => {
    const { drill, t } = await start();
    drill.result = { outcome: 'skipped', message: 'skipped: home-latency is burning its error budget' };
    await t.press('c', enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(enter);
    const frame = await t.waitFor((f) => f.includes('skipped: home-latency is burning its error budget'));
    expect(frame.split('\n').at(-2)).toBe('skipped: home-latency is burning its error budget');
  });

  it('read-only turns every fault key into a message and opens nothing, but H still halts', async () => {
    const { drill, t } = await start({ readonly: true });
    for (const key of ['c', 'g', 'k', 'l', 'e']) {
      await t.press(escape, key, enter, enter);
      await t.waitFor((f) => f.includes('read-only: fault keys are off'));
    }
    expect(drill.previewed).toEqual([]);
    expect(drill.executed).toEqual([]);
    await t.press('H');
    await t.waitFor((f) => f.includes('HALT: revert every fault'));
    await t.press(enter);
    await t.waitFor(() => drill.halts === 1);
  });
});

describe('halt, quit, notes and the viewers', () => {
  it('H asks, then halts on Enter; Esc halts nothing', async () => {
    const { drill, t } = await start(withFaults);
    await t.press('H');
    await t.waitFor((f) => f.includes('HALT: revert every fault') && f.includes('2 faults revert now'));
    await t.press(escape);
    await t.waitFor((f) => f.includes('TIMELINE'));
    expect(drill.halts).toBe(0);
    await t.press('H', enter);
    await t.waitFor((f) => f.includes('fault in force'));
    expect(drill.halts).toBe(1);
  });

  it('q asks first while faults are active, and quits on Enter', async () => {
    const { t, quits } = await start(withFaults);
    await t.press('q');
    await t.waitFor((f) => f.includes('2 faults active: quitting reverts them'));
    await t.press(escape);
    await t.waitFor((f) => f.includes('TIMELINE'));
    expect(quits).toEqual([]);
    await t.press('q', enter);
    expect(quits).toEqual([1]);
  });

  it('q without faults quits at once', async () => {
    const { t, quits } = await start();
    await t.press('q');
    expect(quits).toEqual([1]);
  });

  it('Ctrl-C quits at once, faults or not, even in a dialog or while typing a note', async () => {
    for (const keys of [[ctrlC], ['q', ctrlC], ['n', 'ab', ctrlC]]) {
      const { t, quits } = await start(withFaults);
      await t.press(...keys);
      expect(quits).toEqual([1]);
      t.unmount();
    }
  });

  it('n takes a line of text: backspace deletes, keys are letters, Enter adds the note, Esc drops it', async () => {
    const { drill, t, quits } = await start();
    await t.press('n', ...'first kill: playbakk', backspace, backspace, ...'ck', ' qH', backspace, backspace, backspace);
    await t.waitFor((f) => f.includes('note › first kill: playback▏'));
    await t.press(enter);
    await t.waitFor((f) => f.includes('note added'));
    expect(drill.notes).toEqual(['first kill: playback']);
    await t.press('n', ...'never mind', escape);
    await t.waitFor((f) => !f.includes('note ›'));
    await t.press('n', enter);
    expect(drill.notes).toEqual(['first kill: playback']);
    expect(quits).toEqual([]);
    expect(drill.halts).toBe(0);
  });

  it('takes keys that arrive in one chunk one by one: typed quickly after n, with DEL and Enter, they are the note', async () => {
    const { drill, t } = await start();
    await t.press('nhi theer\x7f\x7fre\r?q');
    await t.waitFor((f) => f.includes('note added'));
    expect(drill.notes).toEqual(['hi there']);
    expect(t.lastFrame()).not.toContain('Keys');
  });

  it('quits on a Ctrl-C that arrives in a chunk with other keys', async () => {
    const { t, quits } = await start(withFaults);
    await t.press('nab\x03');
    expect(quits).toEqual([1]);
  });

  it('+ and - change the viewers’ rate by one, never below 1', async () => {
    const { drill, t } = await start();
    await t.press('+', '-');
    expect(drill.rates).toEqual([6, 4]);
    drill.setView((v) => ({ ...v, viewers: { sessions: 0, ...v.viewers, rate: 1 } }));
    await t.waitFor((f) => f.includes('viewers 1/s'));
    await t.press('-');
    expect(drill.rates).toEqual([6, 4, 1]);
  });

  it('on a platform without viewers of ours, + and - say so and change nothing, and neither header nor footer offers a rate', async () => {
    const { viewers: _none, ...platform } = drillView({ stack: 'kubernetes (not the bundled stack)', leashed: true });
    const drill = new FakeDrill(platform);
    const t = renderOnTerminal(<ConsoleApp controls={drill} size={{ columns: 80, rows: 24 }} onQuit={() => undefined} timeZone="UTC" />, 80, 24);
    terminal = t;
    await t.waitFor((f) => f.includes('TIMELINE'));
    const frame = t.lastFrame();
    expect(frame).not.toContain('viewers ');
    expect(frame).not.toContain('+/- rate');
    expect(frame).toContain('no viewers: the platform');
    await t.press('+');
    await t.waitFor((f) => f.includes('no viewers here'));
    expect(drill.rates).toEqual([]);
  });
});
