/**
 * The Janitor's lifecycle over a real SQLite state store and the real safety pipeline: mark, notify, clean only
 * after retention and only unleashed, never an opted-out resource, unmark what is valid again, retry a failed
 * deletion, and keep the marks across a restart.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import type { Finding } from '../../../src/monkeys/audit/findings.js';
import type { JanitorCleaner } from '../../../src/monkeys/audit/janitor-cleaner.js';
import { runJanitor, type JanitorNotice, type JanitorRunInput } from '../../../src/monkeys/janitor/janitor-monkey.js';
import { MemoryFaultLedger } from '../../../src/monkeys/safety/fault-ledger.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';
import type { SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { StateStore } from '../../../src/state/state-store.js';

const DAY = 86_400_000;
const RETENTION = 3 * DAY;

class RecordingCleaner implements JanitorCleaner {
  readonly provider = 'aws';
  readonly cleaned: string[] = [];
  failures = 0;
  async clean(resource: string): Promise<void> {
    if (this.failures > 0) {
      this.failures--;
      throw new Error('DependencyViolation: the volume is attached');
    }
    this.cleaned.push(resource);
  }
}

function finding(resource: string, extra: Partial<Finding> = {}): Finding {
  return { monkey: 'janitor', rule: 'janitor.detached-volume', severity: 'low', resource, owner: 'video@example.com', why: `${resource} is attached to nothing`, ...extra };
}

describe('runJanitor', () => {
  let dir: string;
  let path: string;
  let clock: ManualClock;
  let store: StateStore;
  let cleaner: RecordingCleaner;
  let notices: JanitorNotice[];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'simian-janitor-'));
    path = join(dir, 'state.db');
    clock = new ManualClock(Date.parse('2026-12-01T17:00:00Z'));
    store = StateStore.open(path, { clock });
    cleaner = new RecordingCleaner();
    notices = [];
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function gate(safety: Partial<SafetyConfig> = {}): SafetyPipeline {
    return new SafetyPipeline({ provider: new MemoryProvider({ instances: [] }), ledger: new MemoryFaultLedger(), clock, random: new SeededRandom(1), config: { killSwitchFile: join(dir, 'stop'), ...safety } });
  }

  function run(findings: readonly Finding[], extra: Partial<JanitorRunInput> = {}) {
    return runJanitor({
      provider: 'aws',
      findings,
      store,
      clock,
      cleanAfter: (at) => at + RETENTION,
      gate: gate({ leashed: false }),
      cleaner,
      notify: (notice) => void notices.push(notice),
      ...extra,
    });
  }

  it('marks and tells the owner, and cleans nothing before the retention ends', async () => {
    const first = await run([finding('vol-1')]);
    expect(first.marked.map((m) => [m.resource, m.owner, m.cleanAfter])).toEqual([['vol-1', 'video@example.com', clock.now() + RETENTION]]);
    expect(notices.map((n) => `${n.kind} ${n.mark.resource}`)).toEqual(['marked vol-1']);
    await clock.advance(RETENTION - 1);
    const second = await run([finding('vol-1')]);
    expect(second.marked).toEqual([]);
    expect(second.open.map((m) => m.resource)).toEqual(['vol-1']);
    expect(cleaner.cleaned).toEqual([]);
    expect(notices).toHaveLength(1);
  });

  it('cleans a due mark when unleashed, and keeps its history', async () => {
    await run([finding('vol-1')]);
    await clock.advance(RETENTION);
    const report = await run([finding('vol-1')]);
    expect(report.cleaned.map((m) => m.resource)).toEqual(['vol-1']);
    expect(cleaner.cleaned).toEqual(['vol-1']);
    expect(report.open).toEqual([]);
    const [history] = store.janitorHistory('aws', 'vol-1');
    expect(history!.mark.outcome).toBe('cleaned');
    expect(history!.events.map((e) => e.event)).toEqual(['marked', 'notified', 'cleaning', 'cleaned']);
    expect(notices.map((n) => n.kind)).toEqual(['marked', 'cleaned']);
  });

  it('leashed (the default), marks and notifies only', async () => {
    await run([finding('vol-1')], { gate: gate() });
    await clock.advance(10 * RETENTION);
    const report = await run([finding('vol-1')], { gate: gate() });
    expect(report.held.map((h) => [h.mark.resource, h.reason])).toEqual([['vol-1', 'leashed']]);
    expect(report.open.map((m) => m.resource)).toEqual(['vol-1']);
    expect(cleaner.cleaned).toEqual([]);
  });

  it('the kill switch holds a due cleanup', async () => {
    await run([finding('vol-1')]);
    await clock.advance(RETENTION);
    writeFileSync(join(dir, 'stop'), '');
    const report = await run([finding('vol-1')]);
    expect(report.held.map((h) => h.reason)).toEqual(['kill-switch']);
    expect(cleaner.cleaned).toEqual([]);
  });

  it('never marks nor cleans a resource opted out by tag', async () => {
    const report = await run([finding('vol-1', { optedOut: true })]);
    expect(report.marked).toEqual([]);
    expect(report.optedOut.map((f) => f.resource)).toEqual(['vol-1']);
    await clock.advance(RETENTION);
    await run([finding('vol-1', { optedOut: true })]);
    expect(cleaner.cleaned).toEqual([]);
    expect(store.janitorMarks('aws')).toEqual([]);
  });

  it('unmarks a resource opted out by hand after it was marked, and never cleans it', async () => {
    await run([finding('vol-1')]);
    store.optOutOfJanitor({ provider: 'aws', resource: 'vol-1', by: 'cli:test', reason: 'restoring from it' });
    await clock.advance(RETENTION);
    const report = await run([finding('vol-1')]);
    expect(report.unmarked.map((u) => [u.mark.resource, u.why])).toEqual([['vol-1', 'opted out']]);
    expect(cleaner.cleaned).toEqual([]);
    expect(store.optInToJanitor('aws', 'vol-1')).toBe(true);
    const again = await run([finding('vol-1')]);
    expect(again.marked.map((m) => m.resource)).toEqual(['vol-1']);
    expect(cleaner.cleaned).toEqual([]);
  });

  it('unmarks a resource that is valid again, and does not clean it', async () => {
    await run([finding('vol-1'), finding('vol-2')]);
    await clock.advance(RETENTION);
    const report = await run([finding('vol-2')]);
    expect(report.unmarked.map((u) => [u.mark.resource, u.why])).toEqual([['vol-1', 'no rule finds it unused any more']]);
    expect(cleaner.cleaned).toEqual(['vol-2']);
    expect(store.janitorHistory('aws', 'vol-1')[0]!.mark.outcome).toBe('unmarked');
  });

  it('retries a deletion that failed and reports it', async () => {
    await run([finding('vol-1')]);
    await clock.advance(RETENTION);
    cleaner.failures = 1;
    const failed = await run([finding('vol-1')]);
    expect(failed.failed.map((f) => [f.mark.resource, f.error])).toEqual([['vol-1', 'DependencyViolation: the volume is attached']]);
    expect(failed.open.map((m) => [m.resource, m.attempts, m.lastError])).toEqual([['vol-1', 1, 'DependencyViolation: the volume is attached']]);
    expect(notices.map((n) => n.kind)).toEqual(['marked', 'clean-failed']);
    const retried = await run([finding('vol-1')]);
    expect(retried.cleaned.map((m) => m.resource)).toEqual(['vol-1']);
    expect(store.janitorHistory('aws', 'vol-1')[0]!.mark.attempts).toBe(2);
  });

  it('keeps the marks across a restart', async () => {
    await run([finding('vol-1')]);
    store.close();
    store = StateStore.open(path, { clock });
    expect(store.janitorMarks('aws').map((m) => m.resource)).toEqual(['vol-1']);
    await clock.advance(RETENTION);
    const report = await run([finding('vol-1')]);
    expect(report.marked).toEqual([]);
    expect(report.cleaned.map((m) => m.resource)).toEqual(['vol-1']);
  });

  it('does not clean a mark whose owner could not be told, and tells them on a later run', async () => {
    const failing = () => {
      throw new Error('webhook down');
    };
    const first = await run([finding('vol-1')], { notify: failing });
    expect(first.warnings).toEqual(['could not tell video@example.com that vol-1 was marked: webhook down']);
    await clock.advance(RETENTION);
    const held = await run([finding('vol-1')], { notify: failing });
    expect(held.held.map((h) => h.reason)).toEqual(['not-notified']);
    expect(cleaner.cleaned).toEqual([]);
    const told = await run([finding('vol-1')]);
    expect(notices.map((n) => n.kind)).toEqual(['marked', 'cleaned']);
    expect(told.cleaned.map((m) => m.resource)).toEqual(['vol-1']);
  });

  it('a deposed leader is refused the record, so nothing is deleted', async () => {
    await run([finding('vol-1')]);
    store.createLease('simian-daemon', { holder: 'other', durationMs: 15_000, acquiredAt: clock.now(), renewedAt: clock.now(), transitions: 3 });
    store.fence({ token: 2, lease: 'simian-daemon' });
    await clock.advance(RETENTION);
    const report = await run([finding('vol-1')]);
    expect(report.held.map((h) => h.reason)).toEqual(['record-failed']);
    expect(cleaner.cleaned).toEqual([]);
    expect(report.open[0]!.attempts).toBe(0);
  });

  it('ignores the findings of other monkeys', async () => {
    const report = await run([finding('vol-1', { monkey: 'security', rule: 'security.open-security-group' })]);
    expect(report.marked).toEqual([]);
  });
});
