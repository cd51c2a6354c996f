/**
 * Issue 9 items 1, 6, 7, 15 and 16 for experiments: a file can tighten the operator's limits but never loosen
 * them, the operator's leash holds a run, HTTP and process actions answer to the leash and the kill switch, the
 * kill switch ends a run's faults within a second, a run whose faults were skipped is not tested, and a dry run
 * reports the guard that would stop the real one. Each test failed on the main this issue was filed against.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/runner/experiment-runner.js';
import type { RunProcess } from '../../src/runner/runner-deps.js';
import { HEAD, advanceUntil, drive, experiment, runnerHarness } from './harness.js';

type Harness = ReturnType<typeof runnerHarness>;

const HOUR = 3_600_000;

describe('experiments under the operator\'s limits', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());
  const start = () => (h = runnerHarness());
  const terminations = (harness: Harness) => harness.memory.calls.filter((c) => c.method === 'terminate');

  it('a file asking a looser blast radius gets the operator\'s: the stricter of the two wins, field by field', async () => {
    const harness = start();
    const lines = [...HEAD, 'method:', '  - chaos: { group: db, count: 2 }', 'blast-radius: { maxGroupShare: 1, minHealthyLeft: 0 }'];
    const logged: string[] = [];
    const journal = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, log: (line) => logged.push(line) }));
    expect(journal.method.actions[0]?.decision).toMatchObject({ outcome: 'skipped', reason: 'blast-radius' });
    expect(terminations(harness)).toEqual([]);
    expect(logged).toContain('blast-radius: looser than the operator\'s limits, so not applied: maxGroupShare: 1 → 0.5, minHealthyLeft: 0 → 1');
  });

  it('a file may tighten the limits', async () => {
    const harness = start();
    const lines = [...HEAD, 'method:', '  - chaos: { group: api, count: 2 }', 'blast-radius: { minHealthyLeft: 3 }'];
    const journal = await drive(harness.clock, runExperiment(experiment(lines), harness.deps));
    expect(journal.method.actions[0]?.decision).toMatchObject({ outcome: 'skipped', reason: 'blast-radius' });
    expect(terminations(harness)).toEqual([]);
  });

  it('leashed: true in the configuration keeps the run leashed: nothing is injected, and it is not tested', async () => {
    const harness = start();
    const lines = [...HEAD, 'method:', '  - chaos: { group: db, count: 2 }', 'blast-radius: { maxGroupShare: 1, minHealthyLeft: 0 }'];
    const journal = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, safety: { ...harness.deps.safety, leashed: true } }));
    expect(terminations(harness)).toEqual([]);
    expect(journal).toMatchObject({ status: 'not-tested', dryRun: true });
    expect(journal.reason).toContain('--unleash');
  });

  it('process and HTTP actions of the method do not run when leashed', async () => {
    const harness = start();
    const runs: string[] = [];
    const runProcess: RunProcess = async (path, args) => (runs.push([path, ...args].join(' ')), { exitCode: 0, stdout: '', stderr: '' });
    const lines = [...HEAD, 'method:', '  - process: { path: sh, arguments: ["-c", "kill 1"] }', '  - http: { url: "${app}/restore", method: POST }'];
    const journal = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, runProcess, safety: { leashed: true } }));
    expect(runs).toEqual([]);
    expect(harness.web.calls.filter((c) => c.method === 'POST')).toEqual([]);
    expect(journal.method.actions.map((a) => a.detail)).toEqual(["leashed: would run process sh -c 'kill 1'", 'leashed: would run http POST ${app}/restore']);
  });

  it('process actions do not run with the kill switch engaged, and the run stops', async () => {
    const harness = start();
    const runs: string[] = [];
    const runProcess: RunProcess = async (path, args) => (runs.push([path, ...args].join(' ')), { exitCode: 0, stdout: '', stderr: '' });
    const lines = [...HEAD, 'method:', '  - process: { path: sh, arguments: ["-c", "kill 1"] }'];
    const journal = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, runProcess, safety: { ...harness.deps.safety, killSwitch: true } }));
    expect(runs).toEqual([]);
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toContain('the kill switch is engaged');
  });

  it('engaging the kill switch during a run reverts its faults within a second and aborts it', async () => {
    const harness = start();
    let engaged = false;
    const lines = [...HEAD, 'method:', '  - latency: { group: api, toxic: { type: latency, latency: 100ms } }', '    duration: 5m'];
    const run = runExperiment(experiment(lines), {
      ...harness.deps,
      safety: { ...harness.deps.safety, killSwitchFile: '/run/simian/stop' },
      fileExists: async (path) => path === '/run/simian/stop' && engaged,
    });
    await advanceUntil(harness.clock, () => harness.memory.activeActions().length === 4);
    const injectedAt = harness.clock.now();
    await harness.clock.advance(30_000);
    engaged = true;
    const engagedAt = harness.clock.now();
    await advanceUntil(harness.clock, () => harness.memory.activeActions().length === 0);
    expect(harness.clock.now() - engagedAt).toBeLessThanOrEqual(1_000);
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('aborted');
    expect(journal.rollbacks.faults).toEqual([expect.objectContaining({ outcome: 'reverted', trigger: 'kill-switch' })]);
    expect(harness.store.history()[0]).toMatchObject({ type: 'fault', revert: { trigger: 'kill-switch' } });
    expect(engagedAt - injectedAt).toBe(30_000);
  });

  it('a run whose faults were all skipped is not tested, and says which guard and how to lift it', async () => {
    const harness = start();
    const lines = [...HEAD, 'method:', '  - latency: { group: api, toxic: { type: latency, latency: 100ms } }', '    duration: 1m'];
    const first = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, safety: { ...harness.deps.safety, minIntervalMs: HOUR } }));
    expect(first.status).toBe('completed');
    // Past the SLO window (the first fault no longer counts against the steady state), within the interval.
    await harness.clock.advance(10 * 60_000);
    const second = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, safety: { ...harness.deps.safety, minIntervalMs: HOUR } }));
    expect(second.status).toBe('not-tested');
    expect(second.reason).toMatch(/^not tested: step 1 \(latency api\) was skipped \(min-interval\): api had a fault \S+ ago; safety.minInterval is 1h/);
  });

  it('a dry run evaluates every guard: it says the real run would be stopped by the minimum interval', async () => {
    const harness = start();
    const lines = [...HEAD, 'method:', '  - latency: { group: api, toxic: { type: latency, latency: 100ms } }', '    duration: 1m'];
    const safety = { ...harness.deps.safety, minIntervalMs: HOUR };
    await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, safety }));
    const dry = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, safety, dryRun: true }));
    expect(dry.method.actions[0]?.decision).toMatchObject({ outcome: 'skipped', reason: 'min-interval' });
    expect(dry).toMatchObject({ status: 'not-tested', dryRun: true });
    expect(dry.reason).toContain('would be skipped (min-interval)');
    // Past the interval, the dry run says it would test.
    await harness.clock.advance(HOUR);
    const later = await drive(harness.clock, runExperiment(experiment(lines), { ...harness.deps, safety, dryRun: true }));
    expect(later).toMatchObject({ status: 'completed', dryRun: true });
    expect(later.method.actions[0]?.decision).toMatchObject({ outcome: 'skipped', reason: 'leashed' });
  });
});
