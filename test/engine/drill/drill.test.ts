import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { Drill, type DrillOptions } from '../../../src/engine/drill/drill.js';
import type { ProviderRegistry } from '../../../src/engine/provider-registry.js';

const dirs: string[] = [];
const drills: Drill[] = [];
afterEach(async () => {
  for (const drill of drills.splice(0)) await drill.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A registry that fails the test if anything asks it for a provider: nothing may act before the drill runs. */
const noProviders: ProviderRegistry = {
  create: (name) => {
    throw new Error(`provider ${name} asked for before the drill started`);
  },
  forRevert: (name) => {
    throw new Error(`provider ${name} asked for before the drill started`);
  },
};

/** A drill over an empty state directory, not started. */
function unstarted(overrides: Partial<DrillOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'simian-drill-'));
  dirs.push(dir);
  const stateDir = join(dir, 'state');
  const clock = new ManualClock();
  const config = parseConfig(`stateDir: ${stateDir}\n`, { baseDir: dir });
  const drill = new Drill({
    config,
    providers: noProviders,
    viewerRate: 5,
    readonly: false,
    faultDurationMs: 300_000,
    sloFile: join(dir, 'slos.yaml'),
    experiments: [],
    facilitator: 'ada',
    pid: process.pid,
    clock,
    random: new SeededRandom(1),
    ...overrides,
  });
  drills.push(drill);
  return { drill, clock, stateDir, config, dir };
}

describe('Drill before start', () => {
  it('is starting, leashed off, with nothing on the map', () => {
    const { drill, clock } = unstarted();
    expect(drill.view()).toMatchObject({
      phase: 'starting',
      progress: { message: 'starting' },
      stack: 'reference stack, attached',
      leashed: false,
      readonly: false,
      killSwitch: false,
      startedAt: clock.now(),
      viewers: { rate: 5, sessions: 0 },
      sloSource: 'not yet',
      instances: [],
      slos: [],
      faults: [],
      timeline: [],
    });
  });

  it('refuses every fault with the reason, and touches nothing', async () => {
    const { drill, stateDir } = unstarted();
    for (const action of [
      { kind: 'chaos' as const },
      { kind: 'zone' as const, region: 'us-east', zone: 'us-east-1a' },
      { kind: 'region' as const, region: 'us-east' },
      { kind: 'latency' as const, service: 'user', latencyMs: 500 },
      { kind: 'experiment' as const, file: 'experiments/kill-one.yaml' },
    ]) {
      expect(await drill.execute(action)).toEqual({ outcome: 'skipped', message: 'the drill is starting' });
    }
    expect((await drill.preview({ kind: 'zone', region: 'us-east', zone: 'us-east-1a' })).refusal).toBe('the drill is starting');
    expect(existsSync(stateDir)).toBe(false);
    expect(drill.record.timeline).toEqual([]);
  });

  it('refuses in a read-only console whatever the phase', async () => {
    const { drill } = unstarted({ readonly: true });
    expect(await drill.execute({ kind: 'chaos' })).toEqual({ outcome: 'skipped', message: 'read-only console (--readonly): fault keys are off' });
    expect((await drill.preview({ kind: 'latency', service: 'user', latencyMs: 100 })).refusal).toBe('read-only console (--readonly): fault keys are off');
  });

  it('previews an experiment file it cannot read with the reason instead of a confirmation', async () => {
    const { drill, dir } = unstarted();
    const preview = await drill.preview({ kind: 'experiment', file: join(dir, 'missing.yaml') });
    expect(preview).toMatchObject({ title: `Run ${join(dir, 'missing.yaml')}`, blastRadius: 'unknown' });
    expect(preview.refusal).toContain('missing.yaml');
  });

  it('records a note trimmed, ignores a blank one, and tells subscribers', () => {
    const { drill, clock } = unstarted();
    let changes = 0;
    drill.subscribe(() => (changes += 1));
    drill.note('   ');
    drill.note('');
    expect(drill.record.notes).toEqual([]);
    expect(changes).toBe(0);
    drill.note('  gateway p99 climbing \n');
    expect(drill.record.notes).toEqual([{ at: clock.now(), text: 'gateway p99 climbing' }]);
    expect(drill.view().timeline).toEqual([{ at: clock.now(), kind: 'note', text: 'gateway p99 climbing' }]);
    expect(changes).toBe(1);
  });

  it('takes a rate change before the viewers run as nothing', () => {
    const { drill } = unstarted();
    drill.setRate(50);
    expect(drill.view().viewers.rate).toBe(5);
    expect(drill.record.timeline).toEqual([]);
  });

  it('stops without having started: nothing to revert, and a report that does not say it passed', async () => {
    const { drill, stateDir } = unstarted();
    const report = await drill.stop();
    expect(report.verdict).toBe('inconclusive');
    expect(report).toMatchObject({ faults: [], stillActive: [], sloSource: 'none', facilitator: 'ada' });
    expect(drill.view().phase).toBe('stopped');
    // Twice is the same stop.
    expect(await drill.stop()).toBe(report);
    expect(existsSync(stateDir) ? readdirSync(stateDir) : []).toEqual([]);
  });
});
