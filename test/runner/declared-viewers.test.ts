/**
 * The viewers an experiment's `load` declares, through the runner's `viewers` seam (a fake here): started before
 * the steady state before, so that its SLOs have events to score, and stopped after the last check, however the
 * run ends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadSpec } from '../../src/runner/experiment.js';
import { runExperiment } from '../../src/runner/experiment-runner.js';
import type { LoadSummary, StartViewers } from '../../src/runner/runner-deps.js';
import { HEAD, advanceUntil, drive, experiment, runnerHarness } from './harness.js';

type Harness = ReturnType<typeof runnerHarness>;

/** What the fake saw of one start and its stop, with how many checks had run by then. */
interface Seen {
  spec: LoadSpec;
  signal: AbortSignal;
  startedAt: number;
  sliCallsAtStart: number;
  webCallsAtStart: number;
  stoppedAt?: number;
  sliCallsAtStop?: number;
  webCallsAtStop?: number;
  abortedAtStop?: boolean;
}

const SUMMARY: LoadSummary = { sessions: 120, requests: 960, failures: 1, successRatio: 959 / 960 };

/** A viewers seam that records when it was started and stopped; `stop` answers with `answer`. */
function fakeViewers(h: Harness, answer: () => Promise<LoadSummary | undefined> = async () => SUMMARY) {
  const seen: Seen[] = [];
  const viewers: StartViewers = (spec, signal) => {
    const entry: Seen = { spec, signal, startedAt: h.clock.now(), sliCallsAtStart: h.sli.calls.length, webCallsAtStart: h.web.calls.length };
    seen.push(entry);
    return {
      stop: async () => {
        Object.assign(entry, { stoppedAt: h.clock.now(), sliCallsAtStop: h.sli.calls.length, webCallsAtStop: h.web.calls.length, abortedAtStop: signal.aborted });
        return answer();
      },
    };
  };
  return { viewers, seen };
}

const LOAD = 'load: { rate: 6 }';
const SLOW_API = ['method:', '  - latency: { group: api, toxic: { type: latency, latency: 500ms } }', '    duration: 30s', 'recovery: { timeout: 1m, interval: 5s }'];

describe('the viewers a file declares', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('start before the steady state before and stop after the last check (recovery), their summary in the log and the journal', async () => {
    h = runnerHarness();
    const fake = fakeViewers(h);
    const lines: string[] = [];
    const journal = await drive(h.clock, runExperiment(experiment([...HEAD, ...SLOW_API, LOAD]), { ...h.deps, viewers: fake.viewers, log: (line) => lines.push(line) }));
    expect(journal.deviated).toBe(true);
    expect(journal.recovery.checks.length).toBeGreaterThan(0);
    expect(fake.seen).toHaveLength(1);
    const [seen] = fake.seen;
    expect(seen!.spec).toEqual({ rate: 6, segments: 4, subscribe: 0.2 });
    // Nothing was checked yet when they started; every check had been when they stopped. Only the error budget
    // (one SLI call over the run's past window, not a check) comes after.
    expect(seen).toMatchObject({ sliCallsAtStart: 0, webCallsAtStart: 0, sliCallsAtStop: h.sli.calls.length - 1, webCallsAtStop: h.web.calls.length, abortedAtStop: true });
    expect(seen!.stoppedAt).toBe(Date.parse(journal.recovery.checks.at(-1)!.at));
    expect(journal.load).toEqual({
      startedAt: journal.startedAt,
      stoppedAt: new Date(seen!.stoppedAt!).toISOString(),
      summary: SUMMARY,
      detail: expect.stringMatching(/^120 sessions, 960 requests, 99\.90% succeeded in \d+ s$/),
    });
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(lines[at('viewers: starting')]).toBe('viewers: starting 6 viewers per second (4 segments each, 20% subscribe), until the last check');
    expect(at('viewers: starting')).toBeLessThan(at('steady state before'));
    expect(at('viewers: stopped: 120 sessions, 960 requests, 99.90% succeeded')).toBeGreaterThan(at('recovery:'));
  });

  it('are watched for the SLO window before it is scored, even with an SLI source that keeps history: what came before them is not theirs', async () => {
    h = runnerHarness();
    const fake = fakeViewers(h);
    const journal = await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, baseline: 'history', viewers: fake.viewers }));
    const before = journal.steadyStates.before!.checks.find((c) => c.kind === 'slo');
    expect(before?.kind === 'slo' && before.window).toEqual({ start: journal.startedAt, end: new Date(Date.parse(journal.startedAt) + 300_000).toISOString() });
    expect(Date.parse(journal.method.startedAt!) - fake.seen[0]!.startedAt).toBe(300_000);
  });

  it('stop when a stop condition aborts the run, after its recovery', async () => {
    h = runnerHarness();
    const fake = fakeViewers(h);
    const journal = await drive(
      h.clock,
      runExperiment(
        experiment([
          ...HEAD,
          'method:',
          '  - latency: { group: api, toxic: { type: latency, latency: 500ms } }',
          '    duration: 5m',
          'stop-conditions:',
          '  interval: 5s',
          '  conditions:',
          '    - burnRate: { slo: api-availability, window: 1m, above: 2 }',
          LOAD,
        ]),
        { ...h.deps, viewers: fake.viewers },
      ),
    );
    expect(journal.status).toBe('aborted');
    expect(fake.seen[0]).toMatchObject({ sliCallsAtStart: 0, sliCallsAtStop: h.sli.calls.length - 1, abortedAtStop: true });
    expect(journal.load?.summary).toEqual(SUMMARY);
  });

  it('stop when the steady state does not hold before the method (the run fails)', async () => {
    h = runnerHarness({ handlers: { 'http://app.test/health': () => new Response('down', { status: 503 }) } });
    const fake = fakeViewers(h);
    const journal = await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, viewers: fake.viewers }));
    expect(journal.status).toBe('failed');
    expect(h.memory.calls).toEqual([]);
    expect(fake.seen[0]).toMatchObject({ webCallsAtStart: 0, webCallsAtStop: h.web.calls.length, abortedAtStop: true });
    expect(journal.load?.summary).toEqual(SUMMARY);
  });

  it('stop at once on an interrupt, and are still asked for what they saw', async () => {
    h = runnerHarness();
    const harness = h;
    const fake = fakeViewers(h);
    const controller = new AbortController();
    const run = runExperiment(experiment([...HEAD, 'method:', '  - latency: { zone: zone-b, toxic: { type: timeout } }', '    duration: 5m', LOAD]), {
      ...h.deps,
      viewers: fake.viewers,
      signal: controller.signal,
    });
    await advanceUntil(h.clock, () => harness.memory.activeActions().length > 0);
    expect(fake.seen[0]!.signal.aborted).toBe(false);
    controller.abort(new Error('SIGINT'));
    expect(fake.seen[0]!.signal.aborted).toBe(true);
    const journal = await drive(h.clock, run);
    expect(journal.status).toBe('interrupted');
    expect(fake.seen[0]!.stoppedAt).toBeDefined();
    expect(journal.load?.summary).toEqual(SUMMARY);
  });

  it('stop when the run throws part-way (a seam misbehaving), and the error is the one the run threw', async () => {
    h = runnerHarness();
    const fake = fakeViewers(h);
    const log = (line: string) => {
      if (line.startsWith('steady state after')) throw new Error('the log broke');
    };
    const run = runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, viewers: fake.viewers, log });
    await expect(drive(h.clock, run)).rejects.toThrow('the log broke');
    expect(fake.seen[0]).toMatchObject({ sliCallsAtStart: 0, abortedAtStop: true });
    expect(fake.seen[0]!.stoppedAt).toBeDefined();
  });

  it('that cannot tell what they saw leave no summary, and the run goes on', async () => {
    h = runnerHarness();
    const fake = fakeViewers(h, () => Promise.reject(new Error('front door gone')));
    const journal = await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, viewers: fake.viewers }));
    expect(journal.status).toBe('completed');
    expect(journal.load).toMatchObject({ summary: null, detail: 'failed: front door gone' });
  });

  it('are not started without load, in a dry run, or when the run could not start; without a seam the run says it starts none', async () => {
    h = runnerHarness();
    const fake = fakeViewers(h);
    const plain = await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }']), { ...h.deps, viewers: fake.viewers }));
    expect(plain.load).toBeNull();
    const dry = await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, viewers: fake.viewers, dryRun: true }));
    expect(dry.load).toBeNull();
    const interrupted = new AbortController();
    interrupted.abort(new Error('SIGTERM'));
    await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, viewers: fake.viewers, signal: interrupted.signal }));
    expect(fake.seen).toEqual([]);

    const lines: string[] = [];
    const unseamed = await drive(h.clock, runExperiment(experiment([...HEAD, 'method:', '  - chaos: { group: api }', LOAD]), { ...h.deps, log: (line) => lines.push(line) }));
    expect(unseamed.load).toBeNull();
    expect(lines).toContain('viewers: the file asks for 6 viewers per second (4 segments each, 20% subscribe); this run starts none (its caller drives the traffic)');
  });
});
