import { describe, expect, it } from 'vitest';
import type { Fault } from '../../../src/core/model.js';
import { DrillRecord } from '../../../src/engine/drill/drill-record.js';
import type { EngineEvent } from '../../../src/engine/events.js';

const T0 = Date.UTC(2026, 0, 1);

function fault(overrides: Partial<Fault> & Pick<Fault, 'id' | 'kind' | 'targets'>): Fault {
  return { startedAt: T0, parameters: {}, ...overrides };
}

function executed(at: number, monkey: string, scope: string, f: Fault): EngineEvent {
  return { kind: 'decision', at, monkey, provider: 'local', scope, decision: { outcome: 'executed', fault: f } };
}

const kill = fault({ id: 'f-kill', kind: 'terminate', targets: ['playback-us-east-1a-0', 'playback-us-east-1b-0'] });
const zone = fault({
  id: 'f-zone',
  kind: 'zone-outage',
  targets: ['us-east/us-east-1a'],
  expiresAt: T0 + 300_000,
  parameters: { region: 'us-east', zone: 'us-east-1a', instances: ['gateway-us-east-1a-0'] },
});

describe('DrillRecord', () => {
  it('keeps an executed fault as a record and a fault line, with its expiry when it has one', () => {
    const record = new DrillRecord();
    record.event(executed(T0 + 1000, 'gorilla', 'zone:us-east/us-east-1a', zone));
    expect(record.faults).toEqual([
      {
        id: 'f-zone',
        monkey: 'gorilla',
        kind: 'zone-outage',
        description: 'zone us-east/us-east-1a down',
        targets: ['us-east/us-east-1a'],
        injectedAt: T0 + 1000,
        expiresAt: T0 + 300_000,
      },
    ]);
    expect(record.timeline).toEqual([{ at: T0 + 1000, kind: 'fault', text: 'gorilla: zone us-east/us-east-1a down' }]);
    expect(record.open().map((f) => f.id)).toEqual(['f-zone']);
  });

  it('keeps a refused fault with its reason and a refused line; a failed one is a warning line only', () => {
    const record = new DrillRecord();
    record.event({ kind: 'decision', at: T0, monkey: 'kong', provider: 'local', scope: 'region:us-east', decision: { outcome: 'skipped', reason: 'blast-radius', detail: 'the last region' } });
    record.event({ kind: 'decision', at: T0 + 5, monkey: 'chaos', provider: 'local', scope: 'user', decision: { outcome: 'failed', fault: kill, affected: [], error: new Error('boom') } });
    expect(record.refused).toEqual([{ at: T0, monkey: 'kong', scope: 'region:us-east', reason: 'blast-radius', detail: 'the last region' }]);
    expect(record.faults).toEqual([]);
    expect(record.timeline).toEqual([
      { at: T0, kind: 'refused', text: 'kong on region:us-east refused (blast-radius): the last region' },
      { at: T0 + 5, kind: 'warning', text: 'chaos on user failed and was rolled back' },
    ]);
  });

  it('ends a reversible fault when it is reverted, with its trigger; a second revert changes nothing', () => {
    const record = new DrillRecord();
    record.event(executed(T0, 'gorilla', 'zone:us-east/us-east-1a', zone));
    record.event({ kind: 'fault-reverted', at: T0 + 60_000, faultId: 'f-zone', outcome: 'reverted', trigger: 'kill-switch' });
    record.event({ kind: 'fault-reverted', at: T0 + 90_000, faultId: 'f-zone', outcome: 'already-reverted', trigger: 'ttl' });
    expect(record.faults[0]).toMatchObject({ endedAt: T0 + 60_000, endedBy: 'kill-switch' });
    expect(record.open()).toEqual([]);
    expect(record.timeline.slice(1)).toEqual([
      { at: T0 + 60_000, kind: 'revert', text: 'reverted: zone us-east/us-east-1a down (kill-switch)' },
      { at: T0 + 90_000, kind: 'revert', text: 'reverted: zone us-east/us-east-1a down (on time)' },
    ]);
  });

  it('leaves a fault open when its revert failed, and says why', () => {
    const record = new DrillRecord();
    record.event(executed(T0, 'gorilla', 'zone:us-east/us-east-1a', zone));
    record.event({ kind: 'fault-reverted', at: T0 + 1000, faultId: 'f-zone', outcome: 'failed', trigger: 'ttl', detail: 'proxy gone' });
    record.event({ kind: 'fault-reverted', at: T0 + 2000, faultId: 'f-other', outcome: 'failed', trigger: 'ttl' });
    expect(record.open().map((f) => f.id)).toEqual(['f-zone']);
    expect(record.faults[0]!.endedBy).toBeUndefined();
    expect(record.timeline.slice(1)).toEqual([
      { at: T0 + 1000, kind: 'warning', text: 'fault zone us-east/us-east-1a down could not be reverted: proxy gone' },
      { at: T0 + 2000, kind: 'warning', text: 'fault f-other could not be reverted: unknown error' },
    ]);
  });

  it('ends a termination of two instances only once both are replaced', () => {
    const record = new DrillRecord();
    record.event(executed(T0, 'chaos', 'playback', kill));
    expect(record.faults[0]).not.toHaveProperty('expiresAt');
    record.event({ kind: 'instance', at: T0 + 100, id: 'playback-us-east-1a-0', service: 'playback', state: 'down' });
    record.event({ kind: 'instance', at: T0 + 100, id: 'playback-us-east-1b-0', service: 'playback', state: 'down' });
    record.event({ kind: 'instance', at: T0 + 3000, id: 'playback-us-east-1a-0', service: 'playback', state: 'replaced', pid: 4242 });
    expect(record.open().map((f) => f.id)).toEqual(['f-kill']);
    // Another instance coming back is not one of the victims.
    record.event({ kind: 'instance', at: T0 + 3500, id: 'user-us-east-1a-0', service: 'user', state: 'replaced' });
    expect(record.open().map((f) => f.id)).toEqual(['f-kill']);
    record.event({ kind: 'instance', at: T0 + 4000, id: 'playback-us-east-1b-0', service: 'playback', state: 'replaced' });
    expect(record.faults[0]).toMatchObject({ endedAt: T0 + 4000, endedBy: 'replaced' });
    expect(record.timeline.map((e) => `${e.kind} ${e.text}`)).toEqual([
      'fault chaos: killed playback-us-east-1a-0, playback-us-east-1b-0',
      'instance playback-us-east-1a-0 down',
      'instance playback-us-east-1b-0 down',
      'instance playback-us-east-1a-0 replaced (pid 4242)',
      'instance user-us-east-1a-0 replaced',
      'instance playback-us-east-1b-0 replaced',
    ]);
  });

  it('keeps an experiment verdict and tells experiment steps, notices and warnings as lines', () => {
    const record = new DrillRecord();
    record.event({ kind: 'experiment', at: T0, title: 'zone loss', message: 'steady state before: met' });
    record.event({ kind: 'experiment-verdict', at: T0 + 1, title: 'zone loss', status: 'completed', verdict: 'deviated', reason: 'home-latency under', journal: 'j.json' });
    record.event({ kind: 'experiment-verdict', at: T0 + 2, title: 'kill one', status: 'completed', verdict: 'passed', journal: 'k.json' });
    record.event({ kind: 'notice', at: T0 + 3, message: 'outage check reads direct scrapes' });
    record.event({ kind: 'warning', at: T0 + 4, message: 'decision not logged' });
    record.event({ kind: 'progress', at: T0 + 5, task: 'stack', message: '3 of 9 up' });
    record.event({ kind: 'slo-sample', at: T0 + 6, slo: 'x', source: 'direct scrapes', window: { start: T0, end: T0 + 6 }, errorRatio: 0 });
    expect(record.experiments).toEqual([
      { at: T0 + 1, title: 'zone loss', status: 'completed', verdict: 'deviated', reason: 'home-latency under', journal: 'j.json' },
      { at: T0 + 2, title: 'kill one', status: 'completed', verdict: 'passed', journal: 'k.json' },
    ]);
    expect(record.timeline).toEqual([
      { at: T0, kind: 'experiment', text: 'steady state before: met' },
      { at: T0 + 1, kind: 'experiment', text: 'experiment "zone loss": deviated (home-latency under)' },
      { at: T0 + 2, kind: 'experiment', text: 'experiment "kill one": passed' },
      { at: T0 + 3, kind: 'info', text: 'outage check reads direct scrapes' },
      { at: T0 + 4, kind: 'warning', text: 'decision not logged' },
    ]);
  });

  it('keeps notes, SLO crossings and halts, each with its line', () => {
    const record = new DrillRecord();
    record.note(T0, 'gateway p99 climbing');
    record.crossing({ at: T0 + 10, slo: 'gateway-availability', breached: true, current: 0.98765 });
    record.crossing({ at: T0 + 20, slo: 'gateway-availability', breached: false, current: 0.9995 });
    record.halt(T0 + 30, 'HALT: 1 fault reverted');
    expect(record.notes).toEqual([{ at: T0, text: 'gateway p99 climbing' }]);
    expect(record.crossings).toEqual([
      { at: T0 + 10, slo: 'gateway-availability', breached: true, current: 0.98765 },
      { at: T0 + 20, slo: 'gateway-availability', breached: false, current: 0.9995 },
    ]);
    expect(record.halts).toEqual([T0 + 30]);
    expect(record.timeline).toEqual([
      { at: T0, kind: 'note', text: 'gateway p99 climbing' },
      { at: T0 + 10, kind: 'slo', text: 'SLO gateway-availability breached: 98.77% over the last minute' },
      { at: T0 + 20, kind: 'slo', text: 'SLO gateway-availability recovered: 99.95%' },
      { at: T0 + 30, kind: 'halt', text: 'HALT: 1 fault reverted' },
    ]);
  });
});
