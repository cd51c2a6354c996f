/**
 * The monkeys of `simian monkey`, run as the built binary against a real `small` stack (one region, two zones):
 * what issue 4 asks to be shown. The load generator runs in this process against the front door.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSimian } from '../support/simian-binary.js';
import { runLoad } from '../../src/reference-stack/load/load-generator.js';
import { isRunning, killAll, waitUntil } from '../support/processes.js';

const BIN = 'bin/simian.js';
/** The tests hit several groups minutes apart: the hour between faults in a group is for production, not here. */
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'simian-monkeys-config-'));
writeFileSync(join(CONFIG_DIR, 'simian.yaml'), 'safety:\n  minInterval: 0\n  maxFaultsPerGroupPerDay: 100\n');
/** Every `simian` this file starts, by exec or spawn, reads that config. */
const SIMIAN_ENV = { ...process.env, SIMIAN_CONFIG: join(CONFIG_DIR, 'simian.yaml') };
const simian = (args: string[]) => runSimian(args, { env: SIMIAN_ENV });

interface AdminInstance {
  id: string;
  service: string;
  zone: string;
  pid: number;
  state: string;
  restarts: number;
}

interface StackJson {
  adminUrl: string;
  toxiproxyUrl: string;
  frontDoorUrl: string;
}

describe('the monkeys against the small stack (built binary)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'simian-monkeys-'));
  const children: ChildProcess[] = [];
  let pids: number[] = [];
  let stack: StackJson;
  const inventory = async (): Promise<AdminInstance[]> =>
    ((await (await fetch(`${stack.adminUrl}/inventory`)).json()) as { instances: AdminInstance[] }).instances;
  /** Every toxic on every proxy, and the proxies that are down, as `proxy:toxic` and `proxy:down`. */
  const faultsOnProxies = async (): Promise<string[]> => {
    // Toxiproxy's own listing: each proxy with its toxics, as a real Toxiproxy answers GET /proxies.
    const proxies = (await (await fetch(`${stack.toxiproxyUrl}/proxies`)).json()) as Record<string, { enabled: boolean; toxics: Array<{ name: string }> }>;
    const found: string[] = [];
    for (const [name, proxy] of Object.entries(proxies)) {
      if (!proxy.enabled) found.push(`${name}:down`);
      for (const toxic of proxy.toxics) found.push(`${name}:${toxic.name}`);
    }
    return found.sort();
  };
  const historyOf = async (faultId: string) => {
    const history = await simian(['history', '--json', '--state-dir', stateDir]);
    return (JSON.parse(history.stdout) as Array<{ id?: string; revert?: { outcome: string; trigger: string } }>).find((e) => e.id === faultId);
  };

  beforeAll(async () => {
    const up = await simian(['stack', 'up', '--detach', '--state-dir', stateDir]);
    expect(up.code, up.stderr).toBe(0);
    stack = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as StackJson;
    pids = (await inventory()).map((i) => i.pid);
  }, 120_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await simian(['stack', 'down', '--state-dir', stateDir]);
    killAll([...pids, ...(await inventory().catch(() => [])).map((i) => i.pid)]);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(CONFIG_DIR, { recursive: true, force: true });
  }, 60_000);

  it('inventory lists every instance with its zone, opted in', async () => {
    const result = await simian(['inventory', '--provider', 'local', '--json', '--state-dir', stateDir]);
    expect(result.code, result.stderr).toBe(0);
    const listed = JSON.parse(result.stdout) as { zones: Array<{ name: string }>; groups: Array<{ name: string; instances: Array<{ id: string; tags: Record<string, string> }> }> };
    expect(listed.groups.flatMap((g) => g.instances.map((i) => i.id)).sort()).toEqual((await inventory()).map((i) => i.id).sort());
    expect(listed.zones.map((z) => z.name)).toEqual(expect.arrayContaining(['us-east-1a', 'us-east-1b']));
    expect(listed.groups.every((g) => g.instances.every((i) => i.tags['simian/opt-in'] === 'true'))).toBe(true);
  });

  it('chaos --unleash kills exactly one instance while viewers stay at 99.9% or better', async () => {
    const before = await inventory();
    const stop = new AbortController();
    const load = runLoad({ target: stack.frontDoorUrl, durationMs: 60_000, ratePerSecond: 6, requestTimeoutMs: 10_000, signal: stop.signal });
    let victimId = '';
    try {
      const result = await simian(['monkey', 'chaos', '--provider', 'local', '--unleash', '--json', '--state-dir', stateDir]);
      expect(result.code, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as { decision: { outcome: string; fault: { targets: string[] } } };
      expect(report.decision.outcome).toBe('executed');
      expect(report.decision.fault.targets).toHaveLength(1);
      victimId = report.decision.fault.targets[0]!;
      const victim = before.find((i) => i.id === victimId)!;
      await waitUntil(
        async () => (await inventory()).some((i) => i.id === victimId && i.state === 'running' && i.pid !== victim.pid),
        `${victimId} is replaced`,
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      pids.push(...(await inventory()).map((i) => i.pid));
      // A few more seconds of traffic on the replacement.
      await new Promise((done) => setTimeout(done, 3000));
    } finally {
      stop.abort();
    }
    const stats = await load;
    expect(stats.successRatio, JSON.stringify(stats, null, 1)).toBeGreaterThanOrEqual(0.999);
    expect(stats.requests).toBeGreaterThan(50);
    const after = await inventory();
    const changed = after.filter((i) => before.find((b) => b.id === i.id)!.pid !== i.pid);
    expect(changed.map((i) => i.id)).toEqual([victimId]);
    expect(before.filter((i) => i.id !== victimId).every((i) => isRunning(i.pid))).toBe(true);
    // The stack serves what the run decided, from the state store's decision log.
    const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/^simian_faults_total\{monkey="chaos",provider="local",outcome="executed"\} 1$/m);
    expect(metrics).toMatch(/^simian_active_faults 0$/m);
  }, 120_000);

  it('gorilla takes zone us-east-1b down and the home page keeps answering; revert brings every proxy back', async () => {
    const result = await simian(['monkey', 'gorilla', '--provider', 'local', '--zone', 'us-east-1b', '--unleash', '--detach', '--duration', '5m', '--json', '--state-dir', stateDir]);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { decision: { outcome: string; fault: { id: string } } };
    expect(report.decision.outcome).toBe('executed');
    const zoneB = (await inventory()).filter((i) => i.zone === 'us-east-1b').map((i) => `${i.id}:down`).sort();
    expect(zoneB.length).toBeGreaterThan(5);
    expect(await faultsOnProxies()).toEqual(zoneB);

    const stats = await runLoad({ target: stack.frontDoorUrl, durationMs: 10_000, ratePerSecond: 4, requestTimeoutMs: 10_000 });
    expect(stats.successRatio, JSON.stringify(stats, null, 1)).toBeGreaterThanOrEqual(0.99);
    expect(stats.requests).toBeGreaterThan(20);

    // An instance that dies inside the cut-off zone is replaced there, and the replacement stays cut off too.
    const victim = (await inventory()).find((i) => i.zone === 'us-east-1b' && i.service === 'catalog')!;
    process.kill(victim.pid, 'SIGKILL');
    await waitUntil(async () => (await inventory()).some((i) => i.id === victim.id && i.state === 'running' && i.pid !== victim.pid), `${victim.id} is replaced`, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    pids.push(...(await inventory()).map((i) => i.pid));
    expect(await faultsOnProxies()).toEqual(zoneB);

    // Faults see each other: a second Gorilla may not take the region's other zone, whoever runs it.
    const second = await simian(['monkey', 'gorilla', '--provider', 'local', '--zone', 'us-east-1a', '--unleash', '--json', '--state-dir', stateDir]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ decision: { outcome: 'skipped', reason: 'blast-radius', detail: expect.stringContaining('0 zone(s) with healthy instances') } });
    // Doctor probes the proxied addresses, so the whole zone looks sick: it must leave what Gorilla hurts alone.
    const doctor = await simian(['monkey', 'doctor', '--provider', 'local', '--unleash', '--json', '--state-dir', stateDir]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(doctor.stderr).toContain('under an active fault');
    const examined = (JSON.parse(doctor.stdout) as { report: { instances: Array<{ id: string }> } }).report.instances.map((i) => i.id);
    expect(examined.filter((id) => id.includes('us-east-1b'))).toEqual([]);
    expect(await faultsOnProxies()).toEqual(zoneB);

    const revert = await simian(['revert', '--all', '--state-dir', stateDir]);
    expect(revert.code, revert.stderr).toBe(0);
    expect(await faultsOnProxies()).toEqual([]);
    expect((await historyOf(report.decision.fault.id))?.revert).toMatchObject({ outcome: 'reverted', trigger: 'manual' });
  }, 120_000);

  it('kong on the only region is refused by the blast radius, and --force evacuates and restores it', async () => {
    const refused = await simian(['monkey', 'kong', '--provider', 'local', '--region', 'us-east', '--unleash', '--json', '--state-dir', stateDir]);
    expect(refused.code, refused.stderr).toBe(0);
    expect(JSON.parse(refused.stdout)).toMatchObject({ decision: { outcome: 'skipped', reason: 'blast-radius' } });
    const regions = async () => ((await (await fetch(`${stack.frontDoorUrl}/admin/regions`)).json()) as { regions: Array<{ name: string; evacuated: boolean }> }).regions;
    expect(await regions()).toEqual([{ name: 'us-east', evacuated: false }]);

    const forced = await simian(['monkey', 'kong', '--provider', 'local', '--region', 'us-east', '--unleash', '--force', '--detach', '--duration', '2m', '--json', '--state-dir', stateDir]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ decision: { outcome: 'executed' } });
    expect(await regions()).toEqual([{ name: 'us-east', evacuated: true }]);
    expect((await simian(['revert', '--all', '--state-dir', stateDir])).code).toBe(0);
    expect(await regions()).toEqual([{ name: 'us-east', evacuated: false }]);
  }, 60_000);

  it('latency past the callers\' timeout on every recommendation is refused unless forced; then simian revert leaves no toxic', async () => {
    const args = ['monkey', 'latency', '--provider', 'local', '--group', 'recommendation', '--latency', '2s', '--jitter', '100ms', '--unleash', '--detach', '--duration', '10m', '--json', '--state-dir', stateDir];
    // 2 s is past the callers' 1 s timeout: every call times out, as if the group were down.
    const refused = await simian(args);
    expect(refused.code, refused.stderr).toBe(0);
    expect(JSON.parse(refused.stdout)).toMatchObject({ decision: { outcome: 'skipped', reason: 'blast-radius', detail: expect.stringContaining('takes its instances out of service') } });
    expect(await faultsOnProxies()).toEqual([]);
    const result = await simian([...args, '--force']);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as { decision: { outcome: string; fault: { id: string; targets: string[] } } };
    expect(report.decision.outcome).toBe('executed');
    expect(report.decision.fault.targets).toHaveLength(2);
    const toxics = await faultsOnProxies();
    expect(toxics).toHaveLength(2);
    expect(toxics.every((t) => t.startsWith('recommendation-'))).toBe(true);

    // The home page still answers, from the fallback if it must.
    const home = await runLoad({ target: stack.frontDoorUrl, durationMs: 5_000, ratePerSecond: 2, requestTimeoutMs: 10_000 });
    expect(home.successRatio, JSON.stringify(home, null, 1)).toBeGreaterThanOrEqual(0.99);

    const revert = await simian(['revert', '--all', '--json', '--state-dir', stateDir]);
    expect(revert.code, revert.stderr).toBe(0);
    expect(JSON.parse(revert.stdout)).toMatchObject({ reverted: [{ faultId: report.decision.fault.id, outcome: 'reverted' }], stillActive: [] });
    expect(await faultsOnProxies()).toEqual([]);
  }, 60_000);

  /** Starts an attended latency fault and resolves once it is injected. */
  async function attendedLatency(group: string): Promise<{ child: ChildProcess; faultId: string }> {
    const child = spawn(process.execPath, [BIN, 'monkey', 'latency', '--provider', 'local', '--group', group, '--latency', '500ms', '--unleash', '--duration', '10m', '--state-dir', stateDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: SIMIAN_ENV,
    });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    await waitUntil(() => /^executed: .*\[(latency-[^\]]+)\]/m.test(out) || child.exitCode !== null, 'the latency fault is injected', { timeoutMs: 30_000 });
    const match = /\[(latency-[^\]]+)\]/.exec(out);
    if (!match) throw new Error(`no fault injected: ${out}${err}`);
    return { child, faultId: match[1]! };
  }

  it('Ctrl-C (SIGTERM) on an attended latency fault reverts it before exiting', async () => {
    const { child, faultId } = await attendedLatency('edge');
    expect((await faultsOnProxies()).filter((t) => t.startsWith('edge-'))).toHaveLength(2);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(await faultsOnProxies()).toEqual([]);
    expect((await historyOf(faultId))?.revert).toMatchObject({ outcome: 'reverted', trigger: 'signal' });
  }, 60_000);

  it('engaging the kill switch ends an attended fault within seconds, and stops new ones until released', async () => {
    const { child, faultId } = await attendedLatency('playback');
    expect((await faultsOnProxies()).filter((t) => t.startsWith('playback-'))).toHaveLength(2);
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const engaged = await simian(['kill-switch', 'engage', '--state-dir', stateDir]);
    expect(engaged.code, engaged.stderr).toBe(0);
    expect(await exited).toBe(0);
    expect(await faultsOnProxies()).toEqual([]);
    expect((await historyOf(faultId))?.revert?.trigger).toMatch(/^kill-switch$/);
    const refused = await simian(['monkey', 'chaos', '--provider', 'local', '--group', 'catalog', '--unleash', '--json', '--state-dir', stateDir]);
    expect(JSON.parse(refused.stdout)).toMatchObject({ decision: { outcome: 'skipped', reason: 'kill-switch' } });
    expect((await simian(['kill-switch', 'release', '--state-dir', stateDir])).code).toBe(0);
  }, 60_000);

  it('an outage check that cannot see (Prometheus down) skips the fault with its own reason', async () => {
    const config = join(CONFIG_DIR, 'blind.yaml');
    writeFileSync(config, 'safety:\n  minInterval: 0\noutageCheck:\n  slos: ' + join(process.cwd(), 'dashboards/slos/reference-stack.yaml') + '\n  prometheus: http://127.0.0.1:9\n');
    const result = await simian(['monkey', 'chaos', '--provider', 'local', '--group', 'catalog', '--unleash', '--json', '--config', config, '--state-dir', stateDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ decision: { outcome: 'skipped', reason: 'outage-unknown' } });
  }, 60_000);

  it('a simian killed mid-fault leaves the toxic, and the next simian start reverts it', async () => {
    const { child, faultId } = await attendedLatency('user');
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGKILL');
    await exited;
    // Nobody reverted it: its owner died without a chance to.
    expect((await faultsOnProxies()).filter((t) => t.startsWith('user-'))).toHaveLength(2);

    const next = await simian(['monkey', 'chaos', '--provider', 'local', '--group', 'origin', '--json', '--state-dir', stateDir]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain(`leftover fault ${faultId} reverted`);
    expect(await faultsOnProxies()).toEqual([]);
    expect((await historyOf(faultId))?.revert).toMatchObject({ outcome: 'reverted', trigger: 'restart' });
  }, 60_000);

  it('the stack passes its own Conformity Monkey; Security finds only what the README explains; the Janitor marks what is left behind, leashed', async () => {
    const conformity = await simian(['conformity', '--provider', 'local', '--json', '--state-dir', stateDir]);
    expect(conformity.code, conformity.stdout).toBe(0);
    const security = await simian(['security', '--provider', 'local', '--json', '--state-dir', stateDir]);
    const high = (JSON.parse(security.stdout) as { findings: Array<{ severity: string; rule: string; resource: string; why: string }> }).findings.filter((f) => f.severity === 'high');
    // The README's one: Toxiproxy's API takes no credentials, as the real one. Billing's writes need the stack token.
    expect(high.map((f) => f.rule), JSON.stringify(high)).toEqual(['security.unauthenticated-write']);
    expect(high[0]!.why).toContain('/proxies/simian-audit-probe/toxics');

    // Left behind: a ledger of an old stack layout nobody reads, and a toxic no recorded fault owns.
    writeFileSync(join(stateDir, 'data', 'billing-eu-west.db'), '');
    const catalog = (await inventory()).find((i) => i.service === 'catalog')!;
    const stray = await fetch(`${stack.toxiproxyUrl}/proxies/${catalog.id}/toxics`, {
      method: 'POST',
      body: JSON.stringify({ name: 'stray', type: 'latency', stream: 'downstream', attributes: { latency: 1 } }),
    });
    expect(stray.status).toBe(200);
    try {
      const janitor = await simian(['janitor', '--provider', 'local', '--json', '--state-dir', stateDir]);
      expect(janitor.code, janitor.stderr).toBe(0);
      const run = JSON.parse(janitor.stdout) as { janitor: { marked: Array<{ resource: string }>; cleaned: unknown[] } };
      expect(run.janitor.marked.map((m) => m.resource).sort()).toEqual(['data/data/billing-eu-west.db', `toxic/${catalog.id}/stray`]);
      expect(run.janitor.cleaned).toEqual([]);
      const marks = await simian(['janitor', 'marks', '--provider', 'local', '--state-dir', stateDir]);
      expect(marks.stdout).toContain(`toxic/${catalog.id}/stray`);
      // Leashed: both are still there.
      expect(await faultsOnProxies()).toEqual([`${catalog.id}:stray`]);
      expect(readFileSync(join(stateDir, 'data', 'billing-eu-west.db'), 'utf8')).toBe('');
    } finally {
      await fetch(`${stack.toxiproxyUrl}/proxies/${catalog.id}/toxics/stray`, { method: 'DELETE' });
    }
  }, 60_000);
});
