import { afterEach, describe, expect, it } from 'vitest';
import { InvalidInputError, isSimianError } from '../../src/core/errors.js';
import { runExperiment } from '../../src/runner/experiment-runner.js';
import { HEAD, advanceUntil, drive, experiment, runnerHarness } from './harness.js';

type Harness = ReturnType<typeof runnerHarness>;

describe('runExperiment', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  const start = (lines: string[], options: Parameters<typeof runnerHarness>[0] = {}) => {
    h = runnerHarness(options);
    return h;
  };

  it('completes a Chaos Monkey experiment: steady state met before, during and after, one instance terminated', async () => {
    const harness = start([]);
    const run = runExperiment(
      experiment([...HEAD, 'method:', '  - chaos: { group: api, count: 1 }', '    pauses: { after: 12s }', 'rollbacks:', '  - http: { url: "${app}/restore", method: POST, status: 204 }']),
      harness.deps,
    );
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(false);
    expect(journal.steadyStates.before?.met).toBe(true);
    expect(journal.steadyStates.after?.met).toBe(true);
    expect(journal.steadyStates.during).toHaveLength(2);
    expect(journal.method.actions).toHaveLength(1);
    expect(journal.method.actions[0]).toMatchObject({ step: '1', kind: 'chaos', provider: 'memory', outcome: 'executed', decision: { outcome: 'executed', fault: { kind: 'terminate' } } });
    expect(harness.memory.calls.filter((c) => c.method === 'terminate')).toHaveLength(1);
    expect(journal.rollbacks.activities).toEqual([expect.objectContaining({ name: 'POST ${app}/restore', detail: 'POST http://app.test/restore: status 204', ok: true, status: 204 })]);
    expect(journal.recovery).toMatchObject({ recovered: true, timeToDetectMs: null, detail: expect.stringContaining('nothing to recover') });
    expect(journal.errorBudget).toEqual([expect.objectContaining({ slo: 'api-availability', errorRatio: 0, budgetConsumed: 0 })]);
    // The SLO was scored before the method over the 5 minutes before it.
    expect(harness.sli.calls[0]!.window.end - harness.sli.calls[0]!.window.start).toBe(300_000);
    expect(harness.loadSlos.paths).toEqual(['/experiments/slos.yaml']);
  });

  it('is deviated when a latency fault breaks the SLO; detects it, reverts on time and measures recovery', async () => {
    const harness = start([]);
    const run = runExperiment(
      experiment([...HEAD, 'method:', '  - latency: { group: api, toxic: { type: latency, latency: 500ms } }', '    duration: 30s', 'recovery: { timeout: 1m, interval: 5s }']),
      harness.deps,
    );
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(true);
    expect(journal.reason).toContain('did not hold after the method');
    expect(journal.steadyStates.after?.checks.find((c) => c.kind === 'slo')).toMatchObject({ met: false, errorRatio: 0.5 });
    expect(journal.method.actions[0]!.decision?.fault?.targets).toEqual(['api-0', 'api-1', 'api-2', 'api-3']);
    // The method held the fault for its whole duration, then the TTL reverted it.
    expect(Date.parse(journal.method.endedAt!) - Date.parse(journal.method.startedAt!)).toBe(30_000);
    expect(harness.memory.activeActions()).toEqual([]);
    expect(journal.rollbacks.faults).toEqual([expect.objectContaining({ outcome: 'already-reverted', trigger: 'ttl' })]);
    expect(journal.recovery).toMatchObject({ timeToDetectMs: 5000, recovered: true, timeToRecoverMs: 5000 });
    expect(journal.recovery.detectedBy).toContain('api-availability');
    expect(journal.errorBudget[0]).toMatchObject({ burnRate: expect.any(Number) });
    expect(journal.errorBudget[0]!.burnRate!).toBeGreaterThan(1);
  });

  it('aborts on a burn-rate stop condition, reverts the fault and still runs the rollbacks', async () => {
    const harness = start([]);
    const run = runExperiment(
      experiment([
        ...HEAD,
        'method:',
        '  - latency: { group: api, toxic: { type: latency, latency: 500ms } }',
        '    duration: 5m',
        '    pauses: { after: 1m }',
        '  - chaos: { group: db }',
        'rollbacks:',
        '  - http: { url: "${app}/restore", method: POST }',
        'stop-conditions:',
        '  interval: 5s',
        '  conditions:',
        '    - name: fast burn',
        '      burnRate: { slo: api-availability, window: 1m, above: 2 }',
      ]),
      harness.deps,
    );
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('aborted');
    expect(journal.stopConditions.hit).toMatchObject({ name: 'fast burn', kind: 'burnRate', hit: true });
    expect(journal.reason).toContain('stop condition "fast burn" hit');
    // Aborted five seconds in, not after the five-minute fault; the chaos step never ran.
    expect(Date.parse(journal.method.endedAt!) - Date.parse(journal.method.startedAt!)).toBe(5000);
    expect(journal.method.actions.map((a) => a.kind)).toEqual(['latency']);
    expect(harness.memory.calls.some((c) => c.method === 'terminate')).toBe(false);
    expect(harness.memory.activeActions()).toEqual([]);
    expect(journal.rollbacks.faults).toEqual([expect.objectContaining({ outcome: 'reverted', trigger: 'abort' })]);
    expect(harness.web.calls.filter((c) => c.url === 'http://app.test/restore')).toHaveLength(1);
    expect(harness.store.activeFaults()).toEqual([]);
    expect(journal.recovery.timeToDetectMs).toBe(5000);
  });

  it('aborts on a failing HTTP stop condition', async () => {
    let healthy = true;
    const harness = start([], { handlers: { 'http://app.test/canary': () => new Response(null, { status: healthy ? 200 : 503 }) } });
    const run = runExperiment(
      experiment([
        'title: canary guard',
        'target: { provider: memory }',
        'method:',
        '  - gorilla: { zone: zone-a }',
        '    duration: 10m',
        'stop-conditions:',
        '  interval: 2s',
        '  conditions:',
        '    - http: { url: "${app}/canary", status: 200 }',
      ]),
      harness.deps,
    );
    await advanceUntil(harness.clock, () => harness.memory.activeActions().length > 0);
    healthy = false;
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('aborted');
    expect(journal.stopConditions.hit?.detail).toContain('status 503');
    expect(harness.memory.activeActions()).toEqual([]);
  });

  it('fails the run when a rollback fails, after reverting the faults', async () => {
    const harness = start([], { handlers: { 'http://app.test/restore': () => new Response('nope', { status: 500 }) } });
    const run = runExperiment(
      experiment([...HEAD, 'method:', '  - kong: { region: region-1, force: true }', '    duration: 10s', 'rollbacks:', '  - name: restore', '    http: { url: "${app}/restore", method: POST }']),
      { ...harness.deps, safety: { ...harness.deps.safety, minHealthyRegions: 0 } },
    );
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('failed');
    expect(journal.reason).toContain('rollback "restore" failed');
    expect(journal.rollbacks.activities[0]).toMatchObject({ ok: false, status: 500 });
    expect(harness.memory.activeActions()).toEqual([]);
  });

  it('an interrupt (abort signal) stops the method, reverts the faults, runs the rollbacks and says interrupted', async () => {
    const harness = start([]);
    const controller = new AbortController();
    const run = runExperiment(
      experiment([...HEAD, 'method:', '  - latency: { zone: zone-b, toxic: { type: timeout } }', '    duration: 5m', 'rollbacks:', '  - http: { url: "${app}/restore", method: POST }']),
      { ...harness.deps, signal: controller.signal },
    );
    await advanceUntil(harness.clock, () => harness.memory.activeActions().length > 0);
    controller.abort(new Error('SIGINT'));
    const journal = await drive(harness.clock, run);
    expect(journal.status).toBe('interrupted');
    expect(journal.reason).toContain('SIGINT');
    expect(harness.memory.activeActions()).toEqual([]);
    expect(journal.rollbacks.faults).toEqual([expect.objectContaining({ outcome: 'reverted', trigger: 'signal' })]);
    expect(harness.web.calls.filter((c) => c.url === 'http://app.test/restore')).toHaveLength(1);
    expect(journal.steadyStates.after).toBeNull();
    expect(journal.recovery.detail).toContain('interrupted');
  });

  it('an interrupt before the run starts still runs the rollbacks and injects nothing', async () => {
    const harness = start([]);
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    const journal = await drive(
      harness.clock,
      runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', 'rollbacks:', '  - http: { url: "${app}/restore" , method: POST }']), { ...harness.deps, signal: controller.signal }),
    );
    expect(journal.status).toBe('interrupted');
    expect(harness.memory.calls).toEqual([]);
    expect(journal.rollbacks.activities).toHaveLength(1);
  });

  it('--dry-run asks the pipeline leashed: decisions say what would happen, no actuator, probe or rollback is called', async () => {
    const harness = start([]);
    const journal = await drive(
      harness.clock,
      runExperiment(
        experiment([
          ...HEAD,
          'method:',
          '  - chaos: { group: api, count: 2 }',
          '    pauses: { before: 1h, after: 1h }',
          '  - parallel:',
          '      - gorilla: { zone: zone-a }',
          '        duration: 1m',
          '      - http: { url: "${app}/health" }',
          'rollbacks:',
          '  - http: { url: "${app}/restore", method: POST }',
        ]),
        { ...harness.deps, dryRun: true },
      ),
    );
    expect(journal.status).toBe('completed');
    expect(journal.dryRun).toBe(true);
    expect(harness.memory.calls).toEqual([]);
    expect(harness.web.calls).toEqual([]);
    expect(journal.method.actions.map((a) => [a.step, a.outcome, a.decision?.reason])).toEqual([
      ['1', 'skipped', 'leashed'],
      ['2.1', 'skipped', 'leashed'],
      ['2.2', 'skipped', undefined],
    ]);
    expect(journal.method.actions[0]!.decision?.fault?.targets).toHaveLength(2);
    expect(journal.method.actions[1]!.decision?.fault?.targets).toEqual(['region-1/zone-a']);
    expect(journal.steadyStates.before).toBeNull();
    expect(journal.rollbacks.skipped).toBe(true);
    // Nothing was injected or terminated; the history keeps only the leashed decisions.
    const history = harness.store.history();
    expect(history.filter((e) => e.type !== 'decision')).toEqual([]);
    expect(history.map((e) => [e.type, e.decision, e.type === 'decision' ? e.reason : undefined])).toEqual([
      ['decision', 'skipped', 'leashed'],
      ['decision', 'skipped', 'leashed'],
    ]);
  });

  it('a kill switch skips the fault and aborts the run; nothing is touched', async () => {
    const harness = start([]);
    const journal = await drive(
      harness.clock,
      runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', '  - chaos: { group: db }']), { ...harness.deps, safety: { ...harness.deps.safety, killSwitch: true } }),
    );
    expect(journal.status).toBe('aborted');
    expect(journal.reason).toContain('kill switch');
    expect(journal.method.actions).toHaveLength(1);
    expect(journal.method.actions[0]).toMatchObject({ outcome: 'skipped', decision: { reason: 'kill-switch' } });
    expect(harness.memory.calls).toEqual([]);
  });

  it('records a skipped decision (blast radius) and carries on', async () => {
    const harness = start([]);
    const journal = await drive(
      harness.clock,
      runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: db, count: 2 }', '  - chaos: { group: api }', 'blast-radius: { maxGroupShare: 0.25 }']), harness.deps),
    );
    // A fault the method meant to inject was skipped: whatever the steady state did, the hypothesis was not tested.
    expect(journal.status).toBe('not-tested');
    expect(journal.reason).toMatch(/^not tested: step 1 \(chaos db\) was skipped \(blast-radius\): 2 victim\(s\) in group db exceed the blast radius/);
    expect(journal.method.actions.map((a) => a.decision?.reason ?? a.outcome)).toEqual(['blast-radius', 'executed']);
    expect(harness.memory.calls.filter((c) => c.method === 'terminate')).toHaveLength(1);
    // The method took no time, but the SLO after it is scored over one polling interval, not over nothing.
    const after = journal.steadyStates.after!.checks.find((c) => c.kind === 'slo');
    expect(after?.kind === 'slo' && Date.parse(after.window.end) - Date.parse(after.window.start)).toBe(5000);
  });

  it("logs every decision, skipped ones included, to the state store's decision log that /metrics counts", async () => {
    const harness = start([]);
    await drive(
      harness.clock,
      runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: db, count: 2 }', '  - chaos: { group: api }', 'blast-radius: { maxGroupShare: 0.25 }']), harness.deps),
    );
    expect(harness.store.decisionCounts()).toEqual({
      byOutcome: [
        { monkey: 'chaos', provider: 'memory', outcome: 'executed', count: 1 },
        { monkey: 'chaos', provider: 'memory', outcome: 'skipped', count: 1 },
      ],
      skippedByReason: [{ reason: 'blast-radius', count: 1 }],
    });
  });

  it("with baseline 'observe' (an SLI source without history), watches the SLO window before the method", async () => {
    const harness = start([]);
    const journal = await drive(harness.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }']), { ...harness.deps, baseline: 'observe' }));
    const before = journal.steadyStates.before!.checks.find((c) => c.kind === 'slo');
    expect(before?.kind === 'slo' && before.window).toEqual({ start: journal.startedAt, end: new Date(Date.parse(journal.startedAt) + 300_000).toISOString() });
    expect(Date.parse(journal.method.startedAt!) - Date.parse(journal.startedAt)).toBe(300_000);
  });

  it('fails without injecting anything when the steady state does not hold before the method', async () => {
    const harness = start([], { handlers: { 'http://app.test/health': () => new Response('down', { status: 503 }) } });
    const journal = await drive(
      harness.clock,
      runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', 'rollbacks:', '  - http: { url: "${app}/restore", method: POST }']), harness.deps),
    );
    expect(journal.status).toBe('failed');
    expect(journal.reason).toContain('did not hold before the method');
    expect(journal.steadyStates.before?.checks.find((c) => c.kind === 'probe')).toMatchObject({ met: false, detail: expect.stringContaining('status 503') });
    expect(harness.memory.calls).toEqual([]);
    expect(journal.method.startedAt).toBeNull();
    expect(journal.rollbacks.activities).toHaveLength(1);
  });

  it('refuses a target that does not exist as bad input (exit 2), naming the line, the names there are and the likely one', async () => {
    const harness = start([]);
    const error = await drive(harness.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: apii }', '  - gorilla: { zone: zone-z }', '    duration: 1m']), harness.deps)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error).toMatchObject({ code: 'experiment.unknownTarget', exitCode: 2 });
    expect((error as Error).message).toBe(
      [
        'test.yaml:10: method[0].chaos.group: step 1 (chaos apii): no group "apii"; did you mean "api"? (known: api, db) in provider memory',
        'test.yaml:11: method[1].gorilla.zone: step 2 (gorilla zone-z): no zone "zone-z"; did you mean "zone-a"? (known: zone-a, zone-b) in provider memory',
      ].join('\n'),
    );
    expect(harness.sli.calls).toEqual([]);
    expect(harness.memory.calls).toEqual([]);
  });

  it('control versus experiment: faults only the experiment group and judges by the difference of the groups', async () => {
    const harness = start([], {
      // The experiment group's series see the fault; the control group's do not.
      forQuery: (query, ratio) => (query.includes('zone=~"zone-a"') ? ratio : 0),
    });
    const journal = await drive(
      harness.clock,
      runExperiment(
        experiment([
          ...HEAD,
          'method:',
          '  - latency: { group: api, toxic: { type: latency, latency: 500ms } }',
          '    duration: 20s',
          '  - chaos: { group: api }',
          'control: { by: zone, control: [zone-b], experiment: [zone-a], maxDelta: 0.05 }',
        ]),
        harness.deps,
      ),
    );
    const toxicTargets = harness.memory.calls.flatMap((c) => (c.method === 'addToxic' ? [c.target] : []));
    expect(toxicTargets).toEqual(['api-0', 'api-1']);
    const terminated = harness.memory.calls.flatMap((c) => (c.method === 'terminate' ? [c.instanceId] : []));
    expect(terminated).toHaveLength(1);
    expect(['api-0', 'api-1']).toContain(terminated[0]);
    expect(journal.control).toMatchObject({ by: 'zone', label: 'zone', met: false });
    expect(journal.control!.comparisons[0]).toMatchObject({ slo: 'api-availability', control: { errorRatio: 0 }, delta: 0.5, maxDelta: 0.05, met: false });
    expect(journal.deviated).toBe(true);
    expect(harness.sli.calls.some((c) => c.query.includes('code=~"5..",zone=~"zone-b"'))).toBe(true);
  });

  it('checks PromQL steady-state queries with the injected instant query', async () => {
    const harness = start([]);
    const queries: string[] = [];
    const journal = await drive(
      harness.clock,
      runExperiment(
        experiment(['title: q', 'steady-state:', '  queries:', '    - { name: errors, expr: "sum(rate(errors_total[1m]))", comparator: "<", threshold: 1 }', 'method:', '  - http: { url: "${app}/health" }']),
        {
          ...harness.deps,
          prometheus: async (expr) => {
            queries.push(expr);
            return [{ labels: {}, value: queries.length === 1 ? 0.2 : 3 }];
          },
        },
      ),
    );
    expect(journal.steadyStates.before?.met).toBe(true);
    expect(journal.steadyStates.after?.checks[0]).toMatchObject({ kind: 'query', met: false, values: [3] });
    expect(journal.deviated).toBe(true);
  });

  it('refuses bad input before doing anything: unknown variables (with their line), unknown SLOs, queries without Prometheus', async () => {
    const harness = start([]);
    const unknownVariable = runExperiment(experiment(['title: t', 'method:', '  - http: { url: "${nowhere}/x" }']), harness.deps);
    await expect(unknownVariable).rejects.toThrow(/test\.yaml:3: method\[0\]\.http\.url: unknown variable \$\{nowhere\}/);
    await expect(unknownVariable).rejects.toBeInstanceOf(InvalidInputError);

    const unknownSlo = runExperiment(experiment(['title: t', 'steady-state:', '  slos:', '    - { file: slos.yaml, names: [nope], window: 1m }', 'method:', '  - chaos: { group: api }']), harness.deps);
    await expect(unknownSlo).rejects.toThrow(/test\.yaml:4: steady-state\.slos\[0\]\.names\[0\]: no SLO "nope" in slos\.yaml \(it has: api-availability\)/);

    const noPrometheus = runExperiment(experiment(['title: t', 'steady-state:', '  queries: [{ expr: up, comparator: "==", threshold: 1 }]', 'method:', '  - chaos: { group: api }']), harness.deps);
    await expect(noPrometheus).rejects.toSatisfy((e: unknown) => isSimianError(e, 'experiment.prometheusUnavailable') && e.exitCode === 2);

    const { sli: _sli, ...noSli } = harness.deps;
    await expect(runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }']), noSli)).rejects.toSatisfy((e: unknown) => isSimianError(e, 'experiment.sloUnavailable'));
    expect(harness.memory.calls).toEqual([]);
  });
});
