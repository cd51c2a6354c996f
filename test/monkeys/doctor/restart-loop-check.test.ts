import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { DoctorMonkey } from '../../../src/monkeys/doctor/doctor-monkey.js';
import { judgeRestartLoop, restartLoopCheck, type RestartLoopPolicy } from '../../../src/monkeys/doctor/restart-loop-check.js';
import { RESTARTS_TAG } from '../../../src/providers/local/local-provider.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { instance } from '../safety/harness.js';

const policy: RestartLoopPolicy = { minRestarts: 3, windowMs: 60_000 };

/** An instance with `restarts` launched at `launchedAt`. */
function withRestarts(restarts: string | undefined, launchedAt: number, id = 'api-0'): Instance {
  const base = instance(id, 'api', { launchedAt });
  return restarts === undefined ? base : { ...base, tags: { ...base.tags, [RESTARTS_TAG]: restarts } };
}

describe('judgeRestartLoop', () => {
  const clock = new ManualClock();
  const now = clock.now();

  it('is a loop at minRestarts and above, not below', () => {
    expect(judgeRestartLoop(withRestarts('2', now - 1_000), now, policy)?.ok).toBe(true);
    expect(judgeRestartLoop(withRestarts('3', now - 1_000), now, policy)?.ok).toBe(false);
    expect(judgeRestartLoop(withRestarts('40', now - 1_000), now, policy)?.ok).toBe(false);
  });

  it('is a loop only while the current process is younger than the window (the window itself is old enough)', () => {
    expect(judgeRestartLoop(withRestarts('3', now - 59_999), now, policy)?.ok).toBe(false);
    expect(judgeRestartLoop(withRestarts('3', now - 60_000), now, policy)?.ok).toBe(true);
    expect(judgeRestartLoop(withRestarts('3', now), now, policy)?.ok).toBe(false);
  });

  it('explains itself', () => {
    expect(judgeRestartLoop(withRestarts('4', now - 12_000), now, policy)).toEqual({
      ok: false,
      detail: 'restarted 4 time(s), the current process up for 12 s (< 60 s): restart loop',
    });
    expect(judgeRestartLoop(withRestarts('0', now - 1_500), now, policy)).toEqual({ ok: true, detail: 'restarted 0 time(s), the current process up for 1.5 s' });
  });

  it('does not apply without a restart count, and cannot tell from a malformed one', () => {
    expect(judgeRestartLoop(withRestarts(undefined, now), now, policy)).toBeUndefined();
    for (const bad of ['', 'many', '2.5', '-1']) expect(judgeRestartLoop(withRestarts(bad, now), now, policy)?.ok).toBe('unknown');
  });

  it('reads the tag the policy names', () => {
    const tagged = { ...instance('k-0', 'k', { launchedAt: now }), tags: { 'k8s/restarts': '9' } };
    expect(judgeRestartLoop(tagged, now, { ...policy, tag: 'k8s/restarts' })?.ok).toBe(false);
    expect(judgeRestartLoop(tagged, now, policy)).toBeUndefined();
  });
});

describe('restartLoopCheck', () => {
  it('follows the injected clock: the same instance is looping, then recovered once the window has passed', async () => {
    const clock = new ManualClock();
    const provider = new MemoryProvider({ instances: [withRestarts('5', clock.now()), withRestarts('1', clock.now(), 'api-1')] });
    const doctor = new DoctorMonkey({ inventory: provider.inventory, clock, checks: [restartLoopCheck(clock, policy)] });
    const verdicts = async () => Object.fromEntries((await doctor.examine()).instances.map((i) => [i.id, i.verdict]));

    expect(await verdicts()).toEqual({ 'api-0': 'sick', 'api-1': 'healthy' });
    await clock.advance(59_999);
    expect(await verdicts()).toEqual({ 'api-0': 'sick', 'api-1': 'healthy' });
    await clock.advance(1);
    expect(await verdicts()).toEqual({ 'api-0': 'healthy', 'api-1': 'healthy' });
  });

  it('refuses a policy that could never, or would always, fire', () => {
    const clock = new ManualClock();
    expect(() => restartLoopCheck(clock, { minRestarts: 0, windowMs: 1_000 })).toThrow(RangeError);
    expect(() => restartLoopCheck(clock, { minRestarts: 2, windowMs: 0 })).toThrow(RangeError);
  });
});
