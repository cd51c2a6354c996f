import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimian } from '../support/simian-binary.js';
import { isRunning, killAll, waitUntil } from '../support/processes.js';

// Needs `monkeyCommand` and `historyCommand` registered in src/cli/program.ts, and `npm run build` first.
// SIMIAN_BIN may point at another entry point (a script that registers them) until they are.
/** Runs the built binary as a user would. */
const simian = (args: string[]) => runSimian(args);

interface AdminInstance {
  id: string;
  service: string;
  pid: number;
  state: string;
  restarts: number;
}

describe('simian monkey chaos --provider local (the built binary, against the small stack)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'simian-cli-monkey-'));
  let pids: number[] = [];
  let adminUrl = '';
  const inventory = async (): Promise<AdminInstance[]> =>
    ((await (await fetch(`${adminUrl}/inventory`)).json()) as { instances: AdminInstance[] }).instances;

  beforeAll(async () => {
    const up = await simian(['stack', 'up', '--detach', '--state-dir', stateDir]);
    expect(up.code, up.stderr).toBe(0);
    adminUrl = (JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { adminUrl: string }).adminUrl;
    pids = (await inventory()).map((i) => i.pid);
  }, 120_000);

  afterAll(async () => {
    await simian(['stack', 'down', '--state-dir', stateDir]);
    // Only matters if down failed: the first processes and any replacement.
    killAll(pids);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('exits 1 when no stack is running', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'simian-cli-monkey-empty-'));
    try {
      const result = await simian(['monkey', 'chaos', '--provider', 'local', '--state-dir', empty]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('no stack is running');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses an unknown provider with exit code 2, naming --provider', async () => {
    const result = await simian(['monkey', 'chaos', '--provider', 'nope', '--state-dir', stateDir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--provider');
  });

  it('is leashed by default: decides, reports "leashed", and kills nothing', async () => {
    const before = await inventory();
    const result = await simian(['monkey', 'chaos', '--provider', 'local', '--json', '--state-dir', stateDir]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { leashed: boolean; decision: { outcome: string; reason: string; fault: { targets: string[] } } };
    expect(report.leashed).toBe(true);
    expect(report.decision).toMatchObject({ outcome: 'skipped', reason: 'leashed' });
    expect(report.decision.fault.targets).toHaveLength(1);
    expect(before.every((i) => isRunning(i.pid))).toBe(true);
    expect((await inventory()).map((i) => [i.id, i.pid, i.restarts])).toEqual(before.map((i) => [i.id, i.pid, i.restarts]));
  });

  it('--unleash --group catalog kills exactly one catalog process, the supervisor replaces it, and history lists it', async () => {
    const before = await inventory();
    const result = await simian(['monkey', 'chaos', '--provider', 'local', '--unleash', '--group', 'catalog', '--state-dir', stateDir]);
    expect(result.code, result.stderr).toBe(0);
    const match = /^executed: terminated (\S+) \(pid (\d+)\) \[catalog\]/.exec(result.stdout);
    expect(match, result.stdout).not.toBeNull();
    const [, victimId, victimPid] = match!;
    const victim = before.find((i) => i.id === victimId)!;
    expect(victim.service).toBe('catalog');
    expect(victim.pid).toBe(Number(victimPid));

    await waitUntil(() => !isRunning(victim.pid), 'the victim has exited', { timeoutMs: 10_000 });
    expect(before.filter((i) => i.id !== victimId).every((i) => isRunning(i.pid))).toBe(true);

    let replacement: AdminInstance | undefined;
    const deadline = performance.now() + 30_000;
    while (!replacement) {
      const slot = (await inventory()).find((i) => i.id === victimId);
      if (slot && slot.state === 'running' && slot.pid !== victim.pid) replacement = slot;
      else if (performance.now() > deadline) throw new Error(`no replacement for ${victimId}: ${JSON.stringify(slot)}`);
      else await new Promise((done) => setTimeout(done, 50));
    }
    pids.push(replacement.pid);
    expect(replacement.restarts).toBe(victim.restarts + 1);
    expect(isRunning(replacement.pid)).toBe(true);

    const history = await simian(['history', '--json', '--state-dir', stateDir]);
    expect(history.code, history.stderr).toBe(0);
    const entries = JSON.parse(history.stdout) as Array<{ type: string; decision: string; group: string; instanceId: string; monkey: string; provider: string }>;
    expect(entries[0]).toMatchObject({ type: 'termination', decision: 'executed', group: 'catalog', instanceId: victimId, monkey: 'chaos', provider: 'local' });
    expect(entries.filter((e) => e.decision === 'executed')).toHaveLength(1);
    // The leashed run before is history too, as a dry run.
    expect(entries.filter((e) => e.decision === 'dry-run')).toHaveLength(1);

    const limited = await simian(['history', '--limit', '1', '--state-dir', stateDir]);
    expect(limited.stdout).toContain(victimId);
    expect(limited.stdout.trim().split('\n')).toHaveLength(2);
  }, 60_000);

  it('skips a second unleashed run in the same group: the minimum interval comes from the state store', async () => {
    const before = await inventory();
    const result = await simian(['monkey', 'chaos', '--provider', 'local', '--unleash', '--group', 'catalog', '--json', '--state-dir', stateDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: { outcome: 'skipped', reason: 'min-interval' } });
    // The skip names the setting, its value and units, and how to go further.
    expect((JSON.parse(result.stdout) as { decision: { detail: string } }).decision.detail).toMatch(/^catalog had a fault \d+s ago; safety.minInterval is 1h /);
    expect(before.every((i) => isRunning(i.pid))).toBe(true);
  });

  it('refuses a group or a zone that does not exist with exit code 2, the names there are and the likely one', async () => {
    const group = await simian(['monkey', 'chaos', '--provider', 'local', '--group', 'catalg', '--state-dir', stateDir]);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('no group "catalg"; did you mean "catalog"?');
    const zone = await simian(['monkey', 'gorilla', '--provider', 'local', '--zone', 'us-east-1c', '--unleash', '--state-dir', stateDir]);
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/no zone "us-east-1c"; did you mean "us-east-1[ab]"\? \(known: us-east-1a, us-east-1b\)/);
    const latency = await simian(['monkey', 'latency', '--provider', 'local', '--group', 'recomendation', '--latency', '100ms', '--state-dir', stateDir]);
    expect(latency.code).toBe(2);
    expect(latency.stderr).toContain('did you mean "recommendation"?');
    const kong = await simian(['monkey', 'kong', '--provider', 'local', '--region', 'us-west', '--state-dir', stateDir]);
    expect(kong.code).toBe(2);
    expect(kong.stderr).toContain('no region "us-west"');
    // Four built-binary runs, each a Node start and a read of the stack: 10 s on an idle machine, and twice that
    // while the other test files load the two cores.
  }, 60_000);
});
