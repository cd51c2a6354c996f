/**
 * An experiment that declares `load` plays its own viewers: on a freshly started `small` stack with nobody else
 * sending traffic (`simian stack up --detach`, SLIs from direct scrapes), its SLO steady state has events to score
 * and passes; the same experiment without `load` has none, and does not pass.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimian } from '../support/simian-binary.js';
import { killAll } from '../support/processes.js';

const SLOS = resolve('dashboards/slos/reference-stack.yaml');
const simian = (args: string[]) => runSimian(args);

interface SloCheck {
  kind: string;
  met: boolean;
  inconclusive?: true;
  detail: string;
  events?: { errors: number; total: number };
}
interface Journal {
  status: string;
  deviated: boolean;
  reason?: string;
  steadyStates: { before: { met: boolean; checks: SloCheck[] } | null };
  load: { summary: { sessions: number; requests: number; successRatio: number } | null } | null;
}

/** Home pages within the SLO over a short window: only viewers ask for them (`GET /api/home`). */
const experimentYaml = (load: string) => `title: the home page, scored over what viewers asked
steady-state:
  slos: [{ file: ${SLOS}, names: [home-latency], window: 5s }]
method:
  - { name: the front door answers, http: { url: "\${frontDoor}/health", status: 200, timeout: 2s } }
stop-conditions: { interval: 2s }
${load}
`;

describe('an experiment that declares load, on a freshly started small stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simian-declared-load-'));
  let pids: number[] = [];

  /** Writes the experiment and runs it on the stack; returns the exit code and the journal. */
  const run = async (name: string, load: string): Promise<{ code: number; stderr: string; journal: Journal }> => {
    const file = join(dir, `${name}.yaml`);
    const journalPath = join(dir, `${name}.json`);
    writeFileSync(file, experimentYaml(load));
    const result = await simian(['experiment', 'run', file, '--unleash', '--journal', journalPath, '--state-dir', dir]);
    return { code: result.code, stderr: result.stderr, journal: JSON.parse(readFileSync(journalPath, 'utf8')) as Journal };
  };

  beforeAll(async () => {
    const up = await simian(['stack', 'up', '--detach', '--state-dir', dir]);
    expect(up.code, up.stderr).toBe(0);
    const stack = JSON.parse(readFileSync(join(dir, 'stack.json'), 'utf8')) as { adminUrl: string; prometheusUrl?: string };
    // Direct scrapes: the baseline is watched, the case where the viewers must already be playing.
    expect(stack.prometheusUrl).toBeUndefined();
    pids = ((await (await fetch(`${stack.adminUrl}/inventory`)).json()) as { instances: Array<{ pid: number }> }).instances.map((i) => i.pid);
  }, 120_000);

  afterAll(async () => {
    await simian(['stack', 'down', '--state-dir', dir]);
    killAll(pids);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('without load, the SLO has no events to score: inconclusive, and the run fails', async () => {
    const { code, journal } = await run('no-load', '');
    expect(journal.status, JSON.stringify(journal, null, 1)).toBe('failed');
    expect(journal.steadyStates.before?.checks[0]).toMatchObject({ kind: 'slo', met: false, inconclusive: true });
    expect(journal.load).toBeNull();
    expect(code).toBe(1);
  }, 60_000);

  it('with load, its own viewers give the SLO events, and the run passes', async () => {
    const { code, journal, stderr } = await run('load', 'load: { rate: 5 }');
    expect(journal.status, `${stderr}\n${JSON.stringify(journal, null, 1)}`).toBe('completed');
    expect(journal.deviated, journal.reason).toBe(false);
    const before = journal.steadyStates.before?.checks[0];
    expect(before).toMatchObject({ kind: 'slo', met: true });
    expect(before?.events?.total).toBeGreaterThan(0);
    expect(journal.load?.summary?.sessions).toBeGreaterThan(0);
    expect(journal.load?.summary?.requests).toBeGreaterThan(0);
    expect(stderr).toMatch(/viewers: starting 5 viewers per second/);
    expect(stderr).toMatch(/viewers: stopped: \d+ sessions, \d+ requests, [\d.]+% succeeded/);
    expect(code).toBe(0);
  }, 60_000);
});
