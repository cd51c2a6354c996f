import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimian } from '../support/simian-binary.js';
import { killAll, processesMentioning, waitUntil } from '../support/processes.js';

/** Runs the built binary as a user would (npm install builds dist/ through "prepare"). */
const simian = (args: string[]) => runSimian(args);

describe('simian stack (the built binary)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'simian-cli-stack-'));
  let pids: number[] = [];

  afterAll(async () => {
    await simian(['stack', 'down', '--state-dir', stateDir]);
    killAll(pids); // only matters if down failed
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('refuses a bad topology with exit code 2, naming the line and field, and starts nothing', async () => {
    const file = join(stateDir, 'bad.yaml');
    writeFileSync(file, 'regions:\n  - name: us-east\n    zones: [a]\nservices:\n  catalog: { instancesPerZone: -1 }\n');
    const result = await simian(['stack', 'up', '--topology', file, '--state-dir', stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bad.yaml:5: services.catalog.instancesPerZone');
    const status = await simian(['stack', 'status', '--state-dir', stateDir]);
    expect(status.code).toBe(1);
    expect(status.stderr).toContain('no stack is running');
  });

  it('starts the small stack in the background, reports it, and stops every process it started', async () => {
    const up = await simian(['stack', 'up', '--detach', '--state-dir', stateDir]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/front door {2}http:\/\/127\.0\.0\.1:\d+/);
    const status = await simian(['stack', 'status', '--json', '--state-dir', stateDir]);
    const { instances, frontDoorUrl } = JSON.parse(status.stdout) as { instances: Array<{ pid: number; state: string }>; frontDoorUrl: string };
    pids = instances.map((i) => i.pid);
    expect(instances).toHaveLength(20);
    expect(instances.every((i) => i.state === 'running')).toBe(true);
    expect((await fetch(`${frontDoorUrl}/health`)).status).toBe(200);
    const down = await simian(['stack', 'down', '--state-dir', stateDir]);
    expect(down.stdout).toContain('stack stopped');
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 150_000);
});

describe('one stack per state directory (the built binary)', () => {
  const root = mkdtempSync(join(tmpdir(), 'simian-cli-stack-lock-'));
  // Not there yet: the stack creates it.
  const stateDir = join(root, 'state');

  afterAll(async () => {
    await simian(['stack', 'down', '--state-dir', stateDir]);
    killAll(processesMentioning(stateDir)); // only matters if down failed
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('two stack up --detach started at the same moment: one runs, the other exits 2 naming it, and down leaves no process of either', async () => {
    const up = ['stack', 'up', '--detach', '--topology', 'small', '--state-dir', stateDir];
    const results = await Promise.all([simian(up), simian(up)]);
    const winners = results.filter((r) => r.code === 0);
    const losers = results.filter((r) => r.code !== 0);
    expect(winners, JSON.stringify(results)).toHaveLength(1);
    expect(losers.map((r) => r.code)).toEqual([2]);
    const state = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { pid: number };
    expect(winners[0]!.stdout).toContain(`pid ${state.pid}`);
    expect(losers[0]!.stderr).toContain(`a stack is already running from ${stateDir} (pid ${state.pid}); "simian stack down --state-dir ${stateDir}" stops it`);

    // Owner-only: the state directory and everything the stack keeps there.
    const mode = (name: string) => [name, statSync(join(stateDir, name)).mode & 0o777];
    expect([mode('.'), mode('data')]).toEqual([
      ['.', 0o700],
      ['data', 0o700],
    ]);
    const files = ['stack.json', 'stack.token', 'stack.lock', 'stack.owner', 'stack.log', 'simian.db', 'simian.db-wal', 'simian.db-shm'];
    expect(files.map(mode)).toEqual(files.map((name) => [name, 0o600]));

    // A third, in the foreground, stops before starting anything too.
    const third = await simian(['stack', 'up', '--topology', 'small', '--state-dir', stateDir]);
    expect(third.code).toBe(2);
    expect(third.stderr).toContain(`(pid ${state.pid})`);

    // Of both starts, only the winner's stack runs: its process and its 20 instances, nothing else.
    const status = await simian(['stack', 'status', '--json', '--state-dir', stateDir]);
    const { instances } = JSON.parse(status.stdout) as { instances: Array<{ pid: number; state: string }> };
    expect(instances).toHaveLength(20);
    expect(new Set(processesMentioning(stateDir))).toEqual(new Set([state.pid, ...instances.map((i) => i.pid)]));

    const down = await simian(['stack', 'down', '--state-dir', stateDir]);
    expect(down.stdout).toContain('stack stopped');
    await waitUntil(() => processesMentioning(stateDir).length === 0, 'no process of either stack is left', { timeoutMs: 10_000, intervalMs: 100 });
    expect(() => statSync(join(stateDir, 'stack.json'))).toThrow();
    expect(() => statSync(join(stateDir, 'stack.token'))).toThrow();
  }, 180_000);
});
