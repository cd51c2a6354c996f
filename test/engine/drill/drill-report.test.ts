import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Fault } from '../../../src/core/model.js';
import { DrillRecord } from '../../../src/engine/drill/drill-record.js';
import { buildDrillReport, defaultDrillReportPath, drillId, drillMarkdown, drillTime, writeDrillReport, type DrillReportInput } from '../../../src/engine/drill/drill-report.js';
import type { LoadReport } from '../../../src/reference-stack/load/load-stats.js';
import type { SliResult, SliSource, SliWindow } from '../../../src/slo/sli-source.js';
import { eventsSlo } from '../../slo/slo-fixtures.js';

const T0 = Date.UTC(2026, 11, 2, 4, 30);
const S = 1000;

/** A source that answers per window with `answer` and remembers which windows it was asked for, per SLO. */
function fakeSli(answer: (slo: string, window: SliWindow) => SliResult) {
  const asked: { slo: string; start: number; end: number }[] = [];
  const source: SliSource = {
    name: 'fake scrapes',
    errorRatio: async (slo, window) => {
      asked.push({ slo: slo.name, start: window.start, end: window.end });
      return answer(slo.name, window);
    },
  };
  return { source, asked };
}

const measured = (errorRatio: number): SliResult => ({ outcome: 'measured', errorRatio });

function executed(record: DrillRecord, at: number, f: Pick<Fault, 'id' | 'kind' | 'targets'> & Partial<Fault>, scope: string): void {
  record.event({ kind: 'decision', at, monkey: f.kind === 'terminate' ? 'chaos' : 'latency', provider: 'local', scope, decision: { outcome: 'executed', fault: { startedAt: at, parameters: {}, ...f } } });
}

function reverted(record: DrillRecord, at: number, faultId: string): void {
  record.event({ kind: 'fault-reverted', at, faultId, outcome: 'reverted', trigger: 'ttl' });
}

/** A drill from T0 to T0+300 s: latency on user from 60 s to 120 s, a kill at 90 s replaced at 100 s. */
function twoFaultDrill(): DrillRecord {
  const record = new DrillRecord();
  executed(record, T0 + 60 * S, { id: 'f-lat', kind: 'latency', targets: ['user-a-0'], expiresAt: T0 + 120 * S, parameters: { toxic: { attributes: { latency: 500 } } } }, 'user');
  executed(record, T0 + 90 * S, { id: 'f-kill', kind: 'terminate', targets: ['catalog-a-0'] }, 'catalog');
  record.event({ kind: 'instance', at: T0 + 100 * S, id: 'catalog-a-0', service: 'catalog', state: 'replaced' });
  reverted(record, T0 + 120 * S, 'f-lat');
  return record;
}

function input(overrides: Partial<DrillReportInput> & Pick<DrillReportInput, 'record' | 'sli'>): DrillReportInput {
  return {
    id: drillId(T0),
    facilitator: 'ada',
    stack: 'reference stack (small)',
    leashed: false,
    startedAt: T0,
    endedAt: T0 + 300 * S,
    watchedSince: T0 - 5 * S,
    slos: [eventsSlo({ name: 'gateway-availability', objective: 99.9 })],
    stillActive: [],
    ...overrides,
  };
}

function viewers(billing: Partial<LoadReport['billing']> = {}): LoadReport {
  return {
    durationMs: 300 * S,
    sessions: 40,
    requests: 1000,
    failures: 3,
    successRatio: 0.997,
    latencyMs: { p50: 10, p95: 50, p99: 90, max: 200 },
    byStep: {} as LoadReport['byStep'],
    playStarts: { attempted: 10, succeeded: 10, ratio: 1 },
    rebufferRatio: 0,
    homeFallbacks: 0,
    billing: { acknowledged: 12, found: 12, lost: 0, duplicated: 0, regions: [], unverified: 0, ...billing },
    sampleErrors: [],
  };
}

describe('buildDrillReport', () => {
  it('reads each SLO before the first fault, during the faults, after them, and from the first fault to the end', async () => {
    const { source, asked } = fakeSli(() => measured(0.0005));
    await buildDrillReport(input({ record: twoFaultDrill(), sli: source }));
    // Before starts at the drill's start, not at the earlier watchedSince: warm-up is not the drill's.
    expect(asked).toEqual([
      { slo: 'gateway-availability', start: T0, end: T0 + 60 * S },
      { slo: 'gateway-availability', start: T0 + 60 * S, end: T0 + 120 * S },
      { slo: 'gateway-availability', start: T0 + 120 * S, end: T0 + 300 * S },
      { slo: 'gateway-availability', start: T0 + 60 * S, end: T0 + 300 * S },
    ]);
  });

  it('starts the before window when watching began, if that was after the drill started', async () => {
    const { source, asked } = fakeSli(() => measured(0));
    await buildDrillReport(input({ record: twoFaultDrill(), sli: source, watchedSince: T0 + 10 * S }));
    expect(asked[0]).toEqual({ slo: 'gateway-availability', start: T0 + 10 * S, end: T0 + 60 * S });
  });

  it('passes when every SLO held its budget over the judged window, with each period and the budget consumed', async () => {
    const ratios = new Map([
      [T0, 0],
      [T0 + 60 * S, 0.0008],
      [T0 + 120 * S, 0.0001],
    ]);
    const { source } = fakeSli((_, w) => (w.start === T0 + 60 * S && w.end === T0 + 300 * S ? measured(0.0005) : measured(ratios.get(w.start)!)));
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: source, viewers: viewers() }));
    expect(report.verdict).toBe('passed');
    expect(report.reasons).toEqual([]);
    expect(report.sloSource).toBe('fake scrapes');
    expect(report.slos).toHaveLength(1);
    const slo = report.slos[0]!;
    expect(slo).toMatchObject({ name: 'gateway-availability', breaches: 0 });
    expect(slo.objective).toBeCloseTo(0.999);
    expect(slo.before.successRatio).toBeCloseTo(1);
    expect(slo.during.successRatio).toBeCloseTo(0.9992);
    expect(slo.after.successRatio).toBeCloseTo(0.9999);
    expect(slo.budgetConsumed).toBeCloseTo(0.5);
    expect(report.viewers).toEqual({ sessions: 40, requests: 1000, failures: 3, successRatio: 0.997, billing: viewers().billing });
    expect(report).toMatchObject({ id: 'drill-20261202T043000Z', facilitator: 'ada', startedAt: '2026-12-02T04:30:00.000Z', endedAt: '2026-12-02T04:35:00.000Z', durationMs: 300 * S, stillActive: [] });
  });

  it('fails when an SLO spent more than its budget from the first fault to the end, even if it held before', async () => {
    const { source } = fakeSli((_, w) => (w.end === T0 + 300 * S && w.start === T0 + 60 * S ? measured(0.002) : measured(0)));
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: source }));
    expect(report.verdict).toBe('failed');
    expect(report.slos[0]!.budgetConsumed).toBeCloseTo(2);
    expect(report.reasons).toEqual(['SLO gateway-availability broke: 99.800% from the first fault to the end, objective 99.9%']);
  });

  it('fails for an experiment that did not pass, a fault still in force, and billing writes lost or doubled', async () => {
    const record = twoFaultDrill();
    record.event({ kind: 'experiment-verdict', at: T0 + 200 * S, title: 'zone loss', status: 'completed', verdict: 'deviated', reason: 'home-latency under', journal: 'j.json' });
    record.event({ kind: 'experiment-verdict', at: T0 + 250 * S, title: 'kill one', status: 'completed', verdict: 'passed', journal: 'k.json' });
    const { source } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record, sli: source, stillActive: ['f-zone'], viewers: viewers({ lost: 1, duplicated: 2 }) }));
    expect(report.verdict).toBe('failed');
    expect(report.reasons).toEqual([
      'experiment "zone loss": deviated (home-latency under)',
      'faults still in force at the end: f-zone',
      'billing: 1 acknowledged writes lost, 2 applied twice',
    ]);
  });

  it('fails on billing alone', async () => {
    const { source } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: source, viewers: viewers({ duplicated: 1 }) }));
    expect(report.verdict).toBe('failed');
    expect(report.reasons).toEqual(['billing: 0 acknowledged writes lost, 1 applied twice']);
  });

  it('is inconclusive when no SLO could be measured, and says why each period could not be told', async () => {
    const { source } = fakeSli(() => ({ outcome: 'inconclusive', reason: 'no events in the window (total is 0)' }));
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: source }));
    expect(report.verdict).toBe('inconclusive');
    expect(report.reasons).toEqual(['no SLO could be measured over the drill (no viewer traffic reached the gateways?)']);
    expect(report.slos[0]).not.toHaveProperty('budgetConsumed');
    expect(report.slos[0]!.during).toEqual({ reason: 'no events in the window (total is 0)' });
  });

  it('is inconclusive, not passed, when it watched no SLO at all', async () => {
    const { source, asked } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: source, slos: [] }));
    expect(asked).toEqual([]);
    expect(report.verdict).toBe('inconclusive');
    expect(report.reasons).toEqual(['the drill watched no SLO']);
  });

  it('judges the whole drill when no fault was injected, and has no during or after period', async () => {
    const { source, asked } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record: new DrillRecord(), sli: source }));
    expect(asked).toEqual([
      { slo: 'gateway-availability', start: T0, end: T0 + 300 * S },
      { slo: 'gateway-availability', start: T0, end: T0 + 300 * S },
    ]);
    expect(report.verdict).toBe('passed');
    expect(report.slos[0]!.during).toEqual({ reason: 'no such period' });
    expect(report.slos[0]!.after).toEqual({ reason: 'no such period' });
    expect(report.faults).toEqual([]);
  });

  it('counts breaches per SLO and stamps timeline lines with the drill time', async () => {
    const record = twoFaultDrill();
    record.crossing({ at: T0 + 70 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    record.crossing({ at: T0 + 80 * S, slo: 'gateway-availability', breached: false, current: 0.9995 });
    record.crossing({ at: T0 + 85 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    record.crossing({ at: T0 + 86 * S, slo: 'home-latency', breached: true, current: 0.9 });
    const { source } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record, sli: source }));
    expect(report.slos[0]!.breaches).toBe(2);
    expect(report.timeline[0]).toEqual({ at: T0 + 60 * S, kind: 'fault', text: 'latency: +500ms on user (1 instance)', t: 't+01:00' });
  });
});

describe('time to detect, mitigate and recover', () => {
  const answerAll = () => fakeSli(() => measured(0)).source;

  it('detects at the first breach after injection, mitigates once every SLO is back, recovers at the later of the fault end and mitigation', async () => {
    const record = twoFaultDrill();
    // A breach before the first fault is not its detection.
    record.crossing({ at: T0 + 30 * S, slo: 'home-latency', breached: true, current: 0.9 });
    record.crossing({ at: T0 + 40 * S, slo: 'home-latency', breached: false, current: 0.995 });
    record.crossing({ at: T0 + 75 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    record.crossing({ at: T0 + 80 * S, slo: 'home-latency', breached: true, current: 0.9 });
    record.crossing({ at: T0 + 100 * S, slo: 'gateway-availability', breached: false, current: 0.9995 });
    record.crossing({ at: T0 + 130 * S, slo: 'home-latency', breached: false, current: 0.995 });
    const report = await buildDrillReport(input({ record, sli: answerAll() }));
    const latency = report.faults.find((f) => f.id === 'f-lat')!;
    expect(latency).toEqual({
      id: 'f-lat',
      monkey: 'latency',
      description: '+500ms on user (1 instance)',
      injectedAt: new Date(T0 + 60 * S).toISOString(),
      endedAt: new Date(T0 + 120 * S).toISOString(),
      endedBy: 'ttl',
      timeToDetectMs: 15 * S,
      timeToMitigateMs: 70 * S,
      timeToRecoverMs: 70 * S,
    });
    expect(report.faults.find((f) => f.id === 'f-kill')).toMatchObject({ endedBy: 'replaced', timeToDetectMs: null, timeToMitigateMs: null });
  });

  it('recovers a fault injected while an SLO is already breached only once that SLO is back, not when the fault ends', async () => {
    const record = twoFaultDrill();
    // home-latency breaks under the latency fault and is still under its objective when the kill at 90 s lands.
    record.crossing({ at: T0 + 80 * S, slo: 'home-latency', breached: true, current: 0.9 });
    record.crossing({ at: T0 + 130 * S, slo: 'home-latency', breached: false, current: 0.995 });
    const report = await buildDrillReport(input({ record, sli: answerAll() }));
    // The kill's victim is replaced at 100 s, but every SLO is within its objective only at 130 s.
    expect(report.faults.find((f) => f.id === 'f-kill')).toMatchObject({ timeToDetectMs: null, timeToMitigateMs: null, timeToRecoverMs: 40 * S });
    expect(report.faults.find((f) => f.id === 'f-lat')).toMatchObject({ timeToDetectMs: 20 * S, timeToMitigateMs: 70 * S, timeToRecoverMs: 70 * S });
  });

  it('recovers at the fault end when no SLO noticed it', async () => {
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: answerAll() }));
    expect(report.faults.map((f) => [f.id, f.timeToDetectMs, f.timeToMitigateMs, f.timeToRecoverMs])).toEqual([
      ['f-lat', null, null, 60 * S],
      ['f-kill', null, null, 10 * S],
    ]);
  });

  it('recovers when the SLOs are back if that is after the fault ended', async () => {
    const record = new DrillRecord();
    executed(record, T0 + 60 * S, { id: 'f-kill', kind: 'terminate', targets: ['catalog-a-0'] }, 'catalog');
    record.event({ kind: 'instance', at: T0 + 70 * S, id: 'catalog-a-0', service: 'catalog', state: 'replaced' });
    record.crossing({ at: T0 + 65 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    record.crossing({ at: T0 + 110 * S, slo: 'gateway-availability', breached: false, current: 0.9995 });
    const report = await buildDrillReport(input({ record, sli: answerAll() }));
    expect(report.faults[0]).toMatchObject({ timeToDetectMs: 5 * S, timeToMitigateMs: 50 * S, timeToRecoverMs: 50 * S });
  });

  it('has no mitigation nor recovery while an SLO stays breached, and no recovery for a fault still in force', async () => {
    const record = new DrillRecord();
    executed(record, T0 + 60 * S, { id: 'f-lat', kind: 'latency', targets: ['user-a-0'], expiresAt: T0 + 120 * S }, 'user');
    reverted(record, T0 + 120 * S, 'f-lat');
    executed(record, T0 + 200 * S, { id: 'f-open', kind: 'latency', targets: ['user-a-0'], expiresAt: T0 + 500 * S }, 'user');
    record.crossing({ at: T0 + 90 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    const report = await buildDrillReport(input({ record, sli: answerAll(), stillActive: ['f-open'] }));
    expect(report.faults[0]).toMatchObject({ timeToDetectMs: 30 * S, timeToMitigateMs: null, timeToRecoverMs: null });
    expect(report.faults[1]).toMatchObject({ endedAt: null, endedBy: null, timeToDetectMs: null, timeToRecoverMs: null });
  });

  it('counts a breach up to a minute after the fault ended (the live window still holds it), not later', async () => {
    const record = new DrillRecord();
    executed(record, T0 + 60 * S, { id: 'f-lat', kind: 'latency', targets: ['user-a-0'], expiresAt: T0 + 120 * S }, 'user');
    reverted(record, T0 + 120 * S, 'f-lat');
    record.crossing({ at: T0 + 181 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    record.crossing({ at: T0 + 190 * S, slo: 'gateway-availability', breached: false, current: 0.9995 });
    const late = await buildDrillReport(input({ record, sli: answerAll() }));
    expect(late.faults[0]).toMatchObject({ timeToDetectMs: null, timeToMitigateMs: null, timeToRecoverMs: 60 * S });

    const within = new DrillRecord();
    executed(within, T0 + 60 * S, { id: 'f-lat', kind: 'latency', targets: ['user-a-0'], expiresAt: T0 + 120 * S }, 'user');
    reverted(within, T0 + 120 * S, 'f-lat');
    within.crossing({ at: T0 + 180 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    within.crossing({ at: T0 + 190 * S, slo: 'gateway-availability', breached: false, current: 0.9995 });
    const counted = await buildDrillReport(input({ record: within, sli: answerAll() }));
    expect(counted.faults[0]).toMatchObject({ timeToDetectMs: 120 * S, timeToMitigateMs: 130 * S, timeToRecoverMs: 130 * S });
  });
});

describe('drillMarkdown', () => {
  it('has the verdict, the timeline, a row per fault and per SLO, the viewers and room for action items', async () => {
    const record = twoFaultDrill();
    record.event({ kind: 'decision', at: T0 + 150 * S, monkey: 'kong', provider: 'local', scope: 'region:us-east', decision: { outcome: 'skipped', reason: 'blast-radius', detail: 'the last region' } });
    record.event({ kind: 'experiment-verdict', at: T0 + 200 * S, title: 'zone loss', status: 'completed', verdict: 'passed', journal: 'j.json' });
    record.crossing({ at: T0 + 75 * S, slo: 'gateway-availability', breached: true, current: 0.99 });
    record.crossing({ at: T0 + 100 * S, slo: 'gateway-availability', breached: false, current: 0.9995 });
    const { source } = fakeSli(() => measured(0.0005));
    const report = await buildDrillReport(input({ record, sli: source, seed: 7, viewers: viewers() }));
    const md = drillMarkdown(report);
    expect(md).toContain('# Game day drill drill-20261202T043000Z');
    expect(md).toContain('- **Verdict:** PASSED (every SLO held over the drill)');
    expect(md).toContain('- **Facilitator:** ada');
    expect(md).toContain('- **Mode:** unleashed: faults were injected for real');
    expect(drillMarkdown({ ...report, leashed: true })).toContain('- **Mode:** leashed: the safety pipeline decided every fault and injected none');
    expect(md).toContain('- **Seed:** 7');
    expect(md).toContain('- **When:** 2026-12-02T04:30:00.000Z → 2026-12-02T04:35:00.000Z (300 s)');
    for (const section of ['## Timeline', '## Faults', '### Refused by the safety pipeline', '## SLOs', '## Experiments', '## Viewers', '## Still in force at the end', '## Action items']) {
      expect(md).toContain(`\n${section}\n`);
    }
    expect(md).toContain('- `t+01:15` **slo** SLO gateway-availability breached: 99.00% over the last minute');
    expect(md).toContain('| +500ms on user (1 instance) | latency | ttl | 15.0 s | 40.0 s | 60.0 s |');
    expect(md).toContain('| killed catalog-a-0 | chaos | replaced | — | — | 10.0 s |');
    expect(md).toContain('| gateway-availability | 99.90% | 99.950% | 99.950% | 99.950% | 50.0% | 1 |');
    expect(md).toContain('- kong on region:us-east: blast-radius: the last region');
    expect(md).toContain('- zone loss: **passed**; journal `j.json`');
    expect(md).toContain('40 sessions, 1000 requests, 3 failed (success 99.70%); billing: 12 writes acknowledged, 0 lost, 0 applied twice.');
    expect(md).toContain('Nothing: every fault was reverted.');
    expect(md).toContain('| owner | kind (prevent, detect, mitigate, process) | item |');
  });

  it('lists the reasons of a failed verdict, n/a readings, faults still in force, and says when nothing was injected', async () => {
    const { source } = fakeSli(() => ({ outcome: 'inconclusive', reason: 'no data' }));
    const report = await buildDrillReport(input({ record: new DrillRecord(), sli: source, stillActive: ['f-zone'] }));
    const md = drillMarkdown(report);
    expect(md).toContain('- **Verdict:** FAILED\n  - faults still in force at the end: f-zone\n');
    expect(md).toContain('Nothing happened.');
    expect(md).toContain('No fault was injected.');
    expect(md).toContain('| gateway-availability | 99.90% | n/a (no data) | n/a (no such period) | n/a (no such period) | n/a | 0 |');
    expect(md).toContain('- f-zone');
    expect(md).not.toContain('## Viewers');
    expect(md).not.toContain('**Seed:**');
  });
});

describe('writeDrillReport', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('writes the JSON and the Markdown beside it, creating the folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-drill-report-'));
    dirs.push(dir);
    const { source } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record: twoFaultDrill(), sli: source }));
    const path = defaultDrillReportPath(dir, T0);
    expect(path).toBe(join(dir, 'drills', 'drill-20261202T043000Z.json'));
    const written = await writeDrillReport(path, report);
    expect(written).toEqual({ json: path, markdown: join(dir, 'drills', 'drill-20261202T043000Z.md') });
    expect(JSON.parse(readFileSync(written.json, 'utf8'))).toEqual(report);
    expect(readFileSync(written.markdown, 'utf8')).toBe(drillMarkdown(report));
  });

  it('adds .json to a path without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'simian-drill-report-'));
    dirs.push(dir);
    const { source } = fakeSli(() => measured(0));
    const report = await buildDrillReport(input({ record: new DrillRecord(), sli: source }));
    expect(await writeDrillReport(join(dir, 'out', 'game-day'), report)).toEqual({ json: join(dir, 'out', 'game-day.json'), markdown: join(dir, 'out', 'game-day.md') });
  });
});

describe('drillTime and drillId', () => {
  it('says the time after the start as t+mm:ss, rounded to the second, never negative', () => {
    expect(drillTime(T0, T0)).toBe('t+00:00');
    expect(drillTime(T0 + 59_600, T0)).toBe('t+00:59');
    expect(drillTime(T0 - 5_000, T0)).toBe('t+00:00');
    expect(drillTime(T0 + 754_000, T0)).toBe('t+12:34');
    expect(drillTime(T0 + 754_900, T0)).toBe('t+12:34');
    expect(drillTime(T0 + 3_725_000, T0)).toBe('t+1:02:05');
    expect(drillTime(T0 - 5000, T0)).toBe('t+00:00');
  });

  it('names a drill by its start, in UTC, to the second', () => {
    expect(drillId(T0)).toBe('drill-20261202T043000Z');
    expect(drillId(Date.UTC(2026, 0, 5, 23, 59, 59, 987))).toBe('drill-20260105T235959Z');
  });
});
