import { afterEach, describe, expect, it } from 'vitest';
import type { DrillView } from '../../src/engine/drill/drill-controls.js';
import { ConsoleApp } from '../../src/tui/console-app.js';
import { runConsole } from '../../src/tui/run-console.js';
import { drillView, FakeDrill, frontDoors, STARTED_AT, timeline, withFrontDoors } from '../support/fake-drill.js';
import { fakeTerminal, frameOverflows, KEYS, renderOnTerminal, type RenderedTerminal } from '../support/ink-harness.js';

const long = (word: string, n = 200): string => `${word} ${'and-more '.repeat(n / 9)}`.slice(0, n);

/** Everything as big as it gets: a long timeline, many SLOs and dependencies, every flag, long texts everywhere. */
function crowdedView(): DrillView {
  const base = drillView();
  return {
    ...base,
    stack: long('reference stack with a very long name'),
    leashed: false,
    readonly: false,
    killSwitch: true,
    viewers: { rate: 1200, sessions: 123_456_789, successRatio: 0.5 },
    sloSource: long('prometheus http://127.0.0.1:9090'),
    experiment: { title: long('an experiment'), status: long('step 3 of 9') },
    slos: Array.from({ length: 30 }, (_, i) => ({
      ...base.slos[i % base.slos.length]!,
      name: long(`slo-${i}`),
      history: Array.from({ length: 500 }, (_, j) => (j % 13 === 0 ? undefined : j / 500)),
      breached: i % 4 === 0,
    })),
    dependencies: Array.from({ length: 40 }, (_, i) => ({
      name: long(`dependency-${i}`),
      circuits: { open: i, halfOpen: 1, total: 1000 },
      retriesPerSecond: 12345.6,
      fallbacksPerSecond: i / 7,
    })),
    faults: Array.from({ length: 25 }, (_, i) => ({ id: `f${i}`, monkey: 'gorilla', description: long(`zone us-east/us-east-1a isolated ${i}`), expiresAt: base.now + i * 61_000 })),
    timeline: timeline(400).map((e) => ({ ...e, text: long(e.text, 300) })),
    instances: base.instances.map((instance, i) => ({ ...instance, condition: (['up', 'down', 'replacing', 'isolated', 'slowed', 'sick'] as const)[i % 6]! })),
  };
}

let terminal: RenderedTerminal | undefined;
let close: (() => void) | undefined;
afterEach(() => {
  terminal?.unmount();
  close?.();
});

function show(drill: FakeDrill, columns: number, rows: number): RenderedTerminal {
  terminal = renderOnTerminal(<ConsoleApp controls={drill} size={{ columns, rows }} onQuit={() => {}} timeZone="UTC" />, columns, rows);
  return terminal;
}

describe('the frame at 80×24', () => {
  it('keeps every frame within 23 lines of 80 columns, with every panel overfull and every overlay opened', async () => {
    const drill = new FakeDrill(crowdedView());
    drill.result = { outcome: 'skipped', message: long('skipped: the outcome check sees home-latency burning its budget', 400) };
    const t = show(drill, 80, 24);
    await t.waitFor((f) => f.includes('TIMELINE'));
    await t.press('?');
    await t.waitFor((f) => f.includes('Keys'));
    await t.press(KEYS.escape, 'c');
    await t.waitFor((f) => f.includes('a random instance'));
    await t.press(...Array(40).fill(KEYS.down));
    await t.press(KEYS.enter);
    await t.waitFor((f) => f.includes('blast radius'));
    await t.press(KEYS.enter);
    await t.waitFor((f) => f.includes('skipped: the outcome check'));
    await t.press('g');
    await t.waitFor((f) => f.includes('drop which zone'));
    await t.press(KEYS.escape, 'k');
    await t.waitFor((f) => f.includes('evacuate which region'));
    await t.press(KEYS.escape, 'l', KEYS.enter);
    await t.waitFor((f) => f.includes('how much latency'));
    await t.press(KEYS.escape, KEYS.escape, 'e');
    await t.waitFor((f) => f.includes('Run which experiment'));
    await t.press(KEYS.escape, 'H');
    await t.waitFor((f) => f.includes('HALT: revert every fault'));
    await t.press(KEYS.escape, 'n', ...'typed', long(' and a very long pasted note', 300));
    await t.waitFor((f) => f.includes('note ›') && f.includes('and-more'));
    await t.press(KEYS.escape, 'q');
    await t.waitFor((f) => f.includes('25 faults active: quitting reverts them'));
    await t.press(KEYS.escape);
    drill.refusal = long('the kill switch is engaged', 300);
    await t.press('c', KEYS.enter);
    await t.waitFor((f) => f.includes('refused: the kill switch'));
    await t.press(KEYS.escape);
    drill.setView((v) => ({ ...v, phase: 'starting', progress: { message: long('starting 54 instances'), fraction: 0.45 } }));
    await t.waitFor((f) => f.includes('Starting the drill') && f.includes('45%'));

    expect(t.frames().length).toBeGreaterThan(20);
    expect(frameOverflows(t.frames(), 80, 24)).toEqual([]);
  });

  it('shows a single line, instead of panels, in a terminal narrower or shorter than 80×24', async () => {
    for (const [columns, rows] of [[79, 24], [80, 23]] as const) {
      const t = show(new FakeDrill(), columns, rows);
      const frame = await t.waitFor((f) => f.length > 0);
      expect(frame).toBe(`terminal too small: needs 80×24, have ${columns}×${rows}`);
      t.unmount();
    }
  });

  it('draws every condition on the map with its own glyph, and the legend that names it', async () => {
    const base = drillView();
    const conditions = ['up', 'down', 'replacing', 'isolated', 'slowed', 'sick'] as const;
    const zones = base.regions.flatMap((r) => r.zones);
    const view: DrillView = { ...base, instances: base.instances.map((instance) => ({ ...instance, condition: conditions[zones.indexOf(instance.zone)]! })) };
    const t = show(new FakeDrill(view), 80, 24);
    const frame = await t.waitFor((f) => f.includes('MAP'));
    const gatewayRow = frame.split('\n').find((line) => line.startsWith('gateway'))!;
    // Each zone's instances share a condition: the first zone's are up, the second's down, and so on.
    expect(gatewayRow.slice(0, 30).replace(/\s+/g, ' ').trim()).toBe('gateway ● ✕ ↻ ⊘ ~ !');
    expect(frame).toContain('● up ✕ down ↻ replacing');
    expect(frame).toContain('⊘ isolated ~ slowed ! sick');
  });

  it('shows the two front doors on the map under global, a dead one apart from a running one, beside a map of the same width', async () => {
    const t = show(new FakeDrill(withFrontDoors(drillView(), frontDoors(['down', 'up']))), 80, 24);
    const frame = await t.waitFor((f) => f.includes('MAP'));
    const lines = frame.split('\n');
    const map = (line: string): string => line.slice(0, 30).trimEnd();
    const at = lines.findIndex((line) => line.startsWith('frontdoor'));
    expect(map(lines[at - 1]!)).toBe('global');
    expect(map(lines[at]!)).toBe('frontdoor   ✕●');
    // The regions still stand side by side, one column per zone, and the front doors take no column of their own.
    expect(lines.find((line) => line.startsWith('MAP'))!.slice(0, 30)).toBe('MAP         us-east   us-west ');
    expect(lines.filter((line) => line.startsWith('frontdoor'))).toHaveLength(1);
    expect(frameOverflows(t.frames(), 80, 24)).toEqual([]);
  });

  it('shows the header’s states, the SLO rows, the dependencies, the faults with their time left and the timeline', async () => {
    const base = drillView();
    const view: DrillView = {
      ...base,
      readonly: true,
      killSwitch: true,
      faults: [{ id: 'f1', monkey: 'gorilla', description: 'zone us-east/us-east-1a isolated', expiresAt: base.now + 250_000 }],
      timeline: [{ at: STARTED_AT + 61_000, kind: 'note', text: 'first kill went fine' }],
    };
    const t = show(new FakeDrill(view), 80, 24);
    const frame = await t.waitFor((f) => f.includes('MAP'));
    const lines = frame.split('\n');
    // With every state up, the clock gives way, so the states never do.
    expect(lines[0]).toMatch(/^reference sta… {2}t\+12:34 {2}UNLEASHED {2}READ-ONLY {2}KILL SWITCH {2}1 fault {2}viewers 5\/s$/);
    expect(frame).toMatch(/! home-latency +97% +99% +spent +3\.1x/);
    expect(frame).toMatch(/ {2}playback-av… 99\.95% +99\.9% +82% +0\.5x/);
    expect(frame).toMatch(/playback→edge +2\/4 open +1\.5\/s +0\.4\/s/);
    expect(frame).toMatch(/user→billing +1\/2 half/);
    expect(frame).toMatch(/FAULTS 1 active/);
    expect(frame).toMatch(/ 4m10s zone us-east\/us-east-1a isolated/);
    expect(frame).toMatch(/t\+01:01 note +first kill went fine/);
    expect(lines.at(-1)).toMatch(/H halt$/);
  });
});

describe('a resize', () => {
  it('re-lays a 120×40 console out within 80×24 from the first frame after it; the larger one shows more timeline and wider sparklines', async () => {
    const drill = new FakeDrill(drillView({ timeline: timeline(100) }));
    const t = fakeTerminal(120, 40);
    close = runConsole({ controls: drill, stdout: t.stdout as never, stdin: t.stdin as never, timeZone: 'UTC', debug: true }).close;
    const big = await t.waitFor((f) => f.includes('TIMELINE'));
    expect(frameOverflows(t.frames(), 120, 40)).toEqual([]);
    expect(big.split('\n')).toHaveLength(39);

    const before = t.frames().length;
    t.stdout.resize(80, 24);
    const small = await t.waitFor((f) => f.includes('TIMELINE') && f.split('\n').length === 23);
    expect(t.frames().length).toBeGreaterThan(before);
    expect(frameOverflows(t.frames().slice(before), 80, 24)).toEqual([]);

    const timelineRows = (frame: string): number => frame.split('\n').filter((line) => / entry \d+/.test(line)).length;
    const sparkWidth = (frame: string): number => /playback-av\S* .*x ([▁▂▃▄▅▆▇█·]+)/.exec(frame)![1]!.length;
    expect(timelineRows(big)).toBeGreaterThan(timelineRows(small));
    expect(sparkWidth(big)).toBeGreaterThan(sparkWidth(small));
  });
});

describe('the header', () => {
  it('names the stack and shows the clock, the drill time, the leash, the faults and the viewers', async () => {
    const t = show(new FakeDrill(drillView({ leashed: true })), 80, 24);
    const frame = await t.waitFor((f) => f.includes('MAP'));
    expect(frame.split('\n')[0]).toBe('reference stack (default)  09:12:34  t+12:34  LEASHED  no faults  viewers 5/s');
  });
});
