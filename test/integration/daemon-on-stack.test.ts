/**
 * `simian daemon` as the built binary against a real `small` stack, with viewers and the outage check on the
 * stack's home-latency SLO (direct scrapes): what issue 12 asks to be shown there. An on-demand fault through the
 * API with the token kills a real instance, and without the token nothing happens; of two daemons on one state
 * store only one leads and acts; the day's scheduled fault happens once, and a leader killed with SIGKILL leaves a
 * successor that re-rolls nothing and faults nothing twice; an invalid new config is refused and the old one stays;
 * with the SLO burning (800 ms on every recommendation answer, which the home page waits for: under the callers'
 * 1 s timeout, so a slowdown and not an outage to the blast radius), a scheduled fault is skipped with the outage
 * reason.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { runLoad } from '../../src/reference-stack/load/load-generator.js';
import { isGone, killAll, waitUntil } from '../support/processes.js';

const BIN = 'bin/simian.js';
const TOKEN = 'daemon-on-stack-test-token-0123456789';
const exec = promisify(execFile);

interface AdminInstance {
  id: string;
  service: string;
  pid: number;
  state: string;
}

interface PlanEntry {
  id: string;
  group: string;
  at: number;
  status: string;
  reason?: string;
}

interface Plan {
  key: string;
  seed: number;
  entries: PlanEntry[];
}

/** A running daemon process and what it said. */
interface DaemonProcess {
  child: ChildProcess;
  url: string;
  stderr: () => string;
}

/**
 * A zone and its wall time a minute from now, away from midnight (the plan is keyed by the zoned date: a test that
 * crossed it would see tomorrow's plan), so the one planned fault falls a minute or two after the daemons start.
 */
function soonIn(now: number): { timeZone: string; minute: (ahead: number) => { start: string; end: string } } {
  const utcHour = new Date(now).getUTCHours();
  const [timeZone, offsetHours] = utcHour >= 22 || utcHour < 1 ? ['Asia/Tokyo', 9] : ['UTC', 0];
  const fmt = (t: Date) => `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}`;
  const minute = (ahead: number) => {
    const start = new Date(now + offsetHours * 3_600_000 + ahead * 60_000);
    return { start: fmt(start), end: fmt(new Date(start.getTime() + 60_000)) };
  };
  return { timeZone, minute };
}

describe('simian daemon on the small stack (built binary)', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'simian-daemon-stack-'));
  const configFile = join(stateDir, 'simian.yaml');
  const env = { ...process.env, SIMIAN_DAEMON_TOKEN: TOKEN, SIMIAN_CONFIG: configFile };
  const daemons: DaemonProcess[] = [];
  let stackPids: number[] = [];
  let adminUrl = '';
  const simian = (args: string[]) =>
    exec(process.execPath, [BIN, ...args], { timeout: 120_000, env }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );
  const inventory = async (): Promise<AdminInstance[]> => ((await (await fetch(`${adminUrl}/inventory`)).json()) as { instances: AdminInstance[] }).instances;
  const api = (daemon: DaemonProcess, path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token = TOKEN, ...rest } = init;
    return fetch(`${daemon.url}${path}`, { ...rest, headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) } });
  };
  const plan = async (daemon: DaemonProcess): Promise<Plan> => (await (await api(daemon, '/v1/plan')).json()) as Plan;
  const terminations = async (group: string) => {
    const history = await simian(['history', '--json', '--state-dir', stateDir]);
    expect(history.code, history.stderr).toBe(0);
    return (JSON.parse(history.stdout) as Array<{ type: string; group?: string; decision?: string }>).filter((e) => e.type === 'termination' && e.group === group && e.decision === 'executed');
  };
  const startDaemon = async (): Promise<DaemonProcess> => {
    const child = spawn(process.execPath, [BIN, 'daemon', '--unleash', '--state-dir', stateDir], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const daemon: DaemonProcess = { child, url: '', stderr: () => err };
    daemons.push(daemon);
    await waitUntil(() => /API on (http:\/\/\S+);/.test(err) || child.exitCode !== null, () => `the daemon to listen; it said: ${err}`, { timeoutMs: 30_000 });
    const url = /API on (http:\/\/\S+);/.exec(err)?.[1];
    expect(url, err).toBeDefined();
    daemon.url = url!;
    return daemon;
  };
  const ready = async (daemon: DaemonProcess) => (await fetch(`${daemon.url}/readyz`)).status;

  const viewers = new AbortController();
  let configText = '';
  let playbackDue = '';

  beforeAll(async () => {
    // Two groups are hit minutes apart here: the production minimum interval between faults is not the point.
    const safety = ['safety:', '  minInterval: 0', '  maxFaultsPerGroupPerDay: 100'];
    writeFileSync(configFile, `${safety.join('\n')}\n`);
    const up = await simian(['stack', 'up', '--detach', '--state-dir', stateDir]);
    expect(up.code, up.stderr).toBe(0);
    const stack = JSON.parse(readFileSync(join(stateDir, 'stack.json'), 'utf8')) as { adminUrl: string; frontDoorUrl: string };
    adminUrl = stack.adminUrl;
    stackPids = (await inventory()).map((i) => i.pid);
    // The SLIs of the outage check are the viewers' requests: they play from now until the file ends.
    void runLoad({ target: stack.frontDoorUrl, durationMs: 600_000, ratePerSecond: 6, requestTimeoutMs: 10_000, signal: viewers.signal });
    // Planned from now, not from before the stack came up (however long that took): mtbk 1 is a coin that always
    // lands, so today's plan holds one fault of recommendation a minute from now and one of playback later,
    // once the test has had time to make the SLO burn.
    const soon = soonIn(systemClock.now());
    const first = soon.minute(1);
    const later = soon.minute(3);
    playbackDue = later.start;
    configText = [
      ...safety,
      'outageCheck:',
      `  slos: ${join(process.cwd(), 'dashboards/slos/reference-stack.yaml')}`,
      '  names: [home-latency]',
      '  window: 1m',
      '  observe: 5s',
      'daemon:',
      '  port: 0',
      '  tick: 1s',
      'schedule:',
      `  timeZone: ${soon.timeZone}`,
      `  hours: { start: '${first.start}', end: '${first.end}' }`,
      '  runDays: [mon, tue, wed, thu, fri, sat, sun]',
      '  holidays: []',
      '  minInterval: 0',
      '  maxActive: 5',
      '  groups:',
      '    - { name: recommendation, mtbk: 1 }',
      `    - { name: playback, mtbk: 1, hours: { start: '${later.start}', end: '${later.end}' } }`,
      '',
    ].join('\n');
    writeFileSync(configFile, configText);
  }, 120_000);

  afterAll(async () => {
    viewers.abort();
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    await simian(['revert', '--all', '--state-dir', stateDir]);
    await simian(['stack', 'down', '--state-dir', stateDir]);
    killAll([...stackPids, ...(await inventory().catch(() => [])).map((i) => i.pid)]);
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  let first: DaemonProcess;
  let second: DaemonProcess;

  it('of two daemons on one state store, one leads (ready) and the other stands by and refuses to act', async () => {
    first = await startDaemon();
    second = await startDaemon();
    expect(await ready(first)).toBe(200);
    expect(await ready(second)).toBe(503);
    const before = await inventory();
    const refused = await api(second, '/v1/chaos', { method: 'POST', body: JSON.stringify({ eventType: 'CHAOS_TERMINATION', groupType: 'ASG', groupName: 'catalog', chaosType: 'ShutdownInstance' }) });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toMatch(/stands by/);
    expect((await inventory()).map((i) => i.pid)).toEqual(before.map((i) => i.pid));
    // Both read the same stored plan: one fault for the group, today.
    const [a, b] = [await plan(first), await plan(second)];
    expect(b).toEqual(a);
    expect(a.entries.map((e) => e.group)).toEqual(['recommendation', 'playback']);
  }, 60_000);

  it('refuses an on-demand fault without the token or with a wrong one (401) and kills nothing', async () => {
    const before = (await inventory()).map((i) => i.pid);
    const body = JSON.stringify({ eventType: 'CHAOS_TERMINATION', groupType: 'ASG', groupName: 'catalog', chaosType: 'ShutdownInstance' });
    expect((await api(first, '/v1/chaos', { method: 'POST', body, token: null })).status).toBe(401);
    expect((await api(first, '/v1/chaos', { method: 'POST', body, token: `${TOKEN}x` })).status).toBe(401);
    expect((await api(first, '/v1/plan', { token: null })).status).toBe(401);
    expect((await inventory()).map((i) => i.pid)).toEqual(before);
    expect(await terminations('catalog')).toEqual([]);
  });

  it('kills a real instance on demand with the token, and the stack replaces it', async () => {
    const before = await inventory();
    const answer = await api(first, '/v1/chaos', { method: 'POST', body: JSON.stringify({ eventType: 'CHAOS_TERMINATION', groupType: 'ASG', groupName: 'catalog', chaosType: 'ShutdownInstance' }) });
    const event = (await answer.json()) as { eventId: string; groupName: string; fencingToken?: number };
    expect(answer.status, JSON.stringify(event)).toBe(200);
    expect(event.groupName).toBe('catalog');
    expect(event.fencingToken).toBe(0);
    const [hit] = await terminations('catalog');
    expect(hit).toBeDefined();
    const victim = before.find((i) => i.id === (hit as { instanceId?: string }).instanceId)!;
    expect(victim.service).toBe('catalog');
    await waitUntil(() => isGone(victim.pid), `instance ${victim.id} (pid ${victim.pid}) to be gone`, { timeoutMs: 10_000 });
    await waitUntil(async () => (await inventory()).some((i) => i.id === victim.id && i.pid !== victim.pid && i.state === 'running'), `${victim.id} to be replaced`, {
      timeoutMs: 60_000,
      intervalMs: 200,
    });
    stackPids.push(...(await inventory()).map((i) => i.pid));
  }, 60_000);

  it('runs the scheduled fault once; a leader killed with SIGKILL leaves a successor that re-rolls nothing and faults nothing twice', async () => {
    const planned = (await plan(first)).entries[0]!;
    expect(planned.group).toBe('recommendation');
    await waitUntil(async () => (await plan(first)).entries[0]!.status === 'done', () => `the planned fault at ${new Date(planned.at).toISOString()} to be done`, {
      timeoutMs: 180_000,
      intervalMs: 500,
    });
    expect(await terminations('recommendation')).toHaveLength(1);
    const before = await plan(first);
    first.child.kill('SIGKILL');
    await waitUntil(() => first.child.exitCode !== null || first.child.signalCode !== null, 'the first daemon to die');
    // The lease is not released by a killed process: the standby takes it once it has gone a lease unrenewed.
    await waitUntil(async () => (await ready(second)) === 200, () => `the standby to lead; it said: ${second.stderr()}`, { timeoutMs: 40_000, intervalMs: 250 });
    const third = await startDaemon();
    expect(await ready(third)).toBe(503);
    // A few ticks of the new leader: nothing is faulted again and the plan is the one stored, not a new roll.
    const leaderTicks = async () => Number(/^simian_daemon_ticks_total\{role="leader"\} (\d+)/m.exec(await (await api(second, '/metrics')).text())?.[1] ?? 0);
    const ticksAtTakeOver = await leaderTicks();
    await waitUntil(async () => (await leaderTicks()) >= ticksAtTakeOver + 3, 'three ticks of the new leader', { timeoutMs: 20_000, intervalMs: 250 });
    expect(await plan(second)).toEqual(before);
    expect(await plan(third)).toEqual(before);
    expect(await terminations('recommendation')).toHaveLength(1);
    expect(second.stderr()).toMatch(/leader: this daemon leads now and acts/);
  }, 300_000);

  it('refuses an invalid new config with its file:line: field, and keeps the old one', async () => {
    writeFileSync(configFile, configText.replace('  tick: 1s', '  tick: soon'));
    second.child.kill('SIGHUP');
    await waitUntil(() => /refused, the old one stays: .*simian\.yaml:\d+: daemon\.tick/.test(second.stderr()), () => `the refusal; it said: ${second.stderr()}`, { timeoutMs: 10_000 });
    writeFileSync(configFile, configText);
    expect(await ready(second)).toBe(200);
  });

  it('skips a scheduled fault with the outage reason while the home page burns its latency budget', async () => {
    const latency = await simian(['monkey', 'latency', '--provider', 'local', '--group', 'recommendation', '--latency', '800ms', '--unleash', '--detach', '--duration', '5m', '--json', '--state-dir', stateDir]);
    expect(latency.code, latency.stderr).toBe(0);
    expect((JSON.parse(latency.stdout) as { decision: { outcome: string } }).decision.outcome, latency.stdout).toBe('executed');
    const before = (await inventory()).filter((i) => i.service === 'playback').map((i) => i.pid);
    await waitUntil(async () => ['done', 'skipped', 'missed'].includes((await plan(second)).entries[1]!.status), () => `the playback fault due at ${playbackDue} to be decided`, { timeoutMs: 240_000, intervalMs: 500 });
    const entry = (await plan(second)).entries[1]!;
    expect(entry.group).toBe('playback');
    expect(entry.status, entry.reason).toBe('skipped');
    expect(entry.reason).toMatch(/^outage: .*home-latency/);
    expect((await inventory()).filter((i) => i.service === 'playback').map((i) => i.pid)).toEqual(before);
    expect(await terminations('playback')).toEqual([]);
    const reverted = await simian(['revert', '--all', '--state-dir', stateDir]);
    expect(reverted.code, reverted.stderr).toBe(0);
  }, 300_000);
});
