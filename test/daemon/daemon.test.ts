/**
 * The daemon's loop over a real state store and the engine, with a `local`-named memory provider, a ManualClock
 * and a stand-in for leader election: the leader works through the day's plan once (a restart re-reads it and
 * faults nothing twice), a standby acts on nothing, a late entry is missed rather than run, an entry a dead daemon
 * left running is never retried, and the API needs its token before anything is injected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import type { SimianConfig } from '../../src/config/simian-config.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { startDaemon, type DaemonEvent, type RunningDaemon } from '../../src/daemon/daemon.js';
import type { RunAudit } from '../../src/daemon/audit-runner.js';
import type { Leadership } from '../../src/daemon/leadership.js';
import { storePlanBook } from '../../src/daemon/store-plan-book.js';
import type { ProviderRegistry } from '../../src/engine/provider-registry.js';
import { MemoryProvider, type ActuatorCall } from '../../src/providers/memory/memory-provider.js';
import { StateStore } from '../../src/state/state-store.js';
import { instance } from '../monkeys/safety/harness.js';

const TOKEN = 'a-daemon-token-of-some-length';
const MONDAY_0800 = Date.UTC(2026, 2, 9, 8, 0);
const dirs: string[] = [];
const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A stand-in elector: leads while `leading` says so. */
class FixedLeadership implements Leadership {
  constructor(public leading: boolean) {}
  isLeader = () => this.leading;
  fence = () => (this.leading ? { token: 1 } : undefined);
  holder = () => (this.leading ? 'this' : 'the other');
  stop = async () => undefined;
}

function configText(dir: string, extra = ''): string {
  return [
      `stateDir: ${dir}`,
      'leashed: false',
      'safety: { minInterval: 0, maxFaultsPerGroupPerDay: 100 }',
      'daemon: { port: 0, tick: 1s }',
      'schedule:',
      '  timeZone: UTC',
      "  hours: { start: '09:00', end: '12:00' }",
      '  runDays: [mon, tue, wed, thu, fri, sat, sun]',
      '  holidays: []',
      '  minInterval: 0',
      '  seed: 7',
      '  groups: [{ name: web, mtbk: 1h, maxPerDay: 10 }]',
    extra,
  ].join('\n');
}

function configIn(dir: string, extra = ''): SimianConfig {
  return parseConfig(configText(dir, extra), { baseDir: dir });
}

async function setup(options: { leading?: boolean; dir?: string; clock?: ManualClock; extra?: string; runAudit?: RunAudit } = {}) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'simian-daemon-'));
  if (options.dir === undefined) dirs.push(dir);
  const clock = options.clock ?? new ManualClock(MONDAY_0800);
  const config = configIn(dir, options.extra);
  const provider = new MemoryProvider({ name: 'local', instances: [0, 1, 2, 3, 4, 5].map((i) => instance(`web-${i}`, 'web')) });
  const providers: ProviderRegistry = { create: () => provider, forRevert: () => provider };
  const leadership = new FixedLeadership(options.leading ?? true);
  const events: DaemonEvent[] = [];
  const daemon: RunningDaemon = await startDaemon({
    config,
    providers,
    clock,
    random: new SeededRandom(3),
    pid: process.pid,
    token: TOKEN,
    elect: async () => leadership,
    planBook: storePlanBook,
    onEvent: (event) => events.push(event),
    ...(options.runAudit ? { runAudit: options.runAudit } : {}),
  });
  let stopped = false;
  const stop = async () => {
    if (!stopped) await daemon.stop();
    stopped = true;
  };
  stops.push(stop);
  const kills = () => provider.calls.filter((c): c is Extract<ActuatorCall, { method: 'terminate' }> => c.method === 'terminate' && c.ok);
  return { dir, clock, config, provider, leadership, events, daemon, stop, kills };
}

const statuses = (daemon: RunningDaemon) => daemon.control.plan().entries.map((e) => e.status);

describe('simian daemon', () => {
  it('the leader faults each planned entry once, when it is due, through the safety pipeline', async () => {
    const h = await setup();
    const plan = h.daemon.control.plan();
    expect(plan.entries.length).toBeGreaterThanOrEqual(2);
    expect(plan).toMatchObject({ date: '2026-03-09', timeZone: 'UTC', seed: 7 });
    await h.daemon.tick();
    expect(h.kills()).toHaveLength(0);

    // Past the first entry, but not the second: one kill.
    const [first, second] = plan.entries;
    await h.clock.advance(first!.at - h.clock.now());
    await h.daemon.tick();
    expect(h.kills()).toHaveLength(1);
    expect(h.daemon.control.plan().entries[0]).toMatchObject({ id: first!.id, status: 'done' });
    expect(h.daemon.control.plan().entries[1]).toMatchObject({ id: second!.id, status: 'planned' });
    // The same tick again does not fault it twice.
    await h.daemon.tick();
    expect(h.kills()).toHaveLength(1);
    expect(h.daemon.control.chaosEvents(0)).toMatchObject([{ monkeyType: 'CHAOS', groupName: 'web', chaosType: 'ShutdownInstance', instanceId: h.kills()[0]!.instanceId }]);
    expect(h.events.filter((e) => e.kind === 'plan')).toMatchObject([{ kind: 'plan', status: 'done', entry: { id: first!.id } }]);
  });

  it('a restarted daemon reads the same plan back: what was done stays done and is not faulted again', async () => {
    const clock = new ManualClock(MONDAY_0800);
    const a = await setup({ clock });
    const planned = a.daemon.control.plan();
    await clock.advance(planned.entries[0]!.at - clock.now());
    await a.daemon.tick();
    expect(a.kills()).toHaveLength(1);
    await a.stop();

    const b = await setup({ clock, dir: a.dir });
    expect(b.daemon.control.plan().entries.map((e) => [e.id, e.at])).toEqual(planned.entries.map((e) => [e.id, e.at]));
    expect(statuses(b.daemon)[0]).toBe('done');
    await b.daemon.tick();
    expect(b.kills()).toHaveLength(0);
  });

  it('a standby daemon faults nothing and is not ready; it still answers reads', async () => {
    const h = await setup({ leading: false });
    const plan = h.daemon.control.plan();
    await h.clock.advance(plan.entries.at(-1)!.at - h.clock.now());
    await h.daemon.tick();
    expect(h.kills()).toHaveLength(0);
    expect(statuses(h.daemon).every((s) => s === 'planned')).toBe(true);
    expect((await fetch(`${h.daemon.url}/readyz`)).status).toBe(503);
    const answer = await fetch(`${h.daemon.url}/v1/chaos`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ eventType: 'CHAOS_TERMINATION', groupType: 'group', groupName: 'web' }) });
    expect(answer.status).toBe(503);
    expect(h.kills()).toHaveLength(0);
  });

  it('an entry due long before any daemon looked is missed, not run late', async () => {
    const clock = new ManualClock(MONDAY_0800);
    const dir = mkdtempSync(join(tmpdir(), 'simian-daemon-'));
    dirs.push(dir);
    const store = StateStore.open(configIn(dir).stateStorePath, { clock });
    const [first, second] = storePlanBook(store, configIn(dir)).today(clock.now()).entries;
    store.close();
    // No daemon ran until well past the catch-up window of the first entry (the second is later still).
    expect(second!.at - first!.at).toBeGreaterThan(6 * 60_000);
    await clock.advance(first!.at + 6 * 60_000 - clock.now());
    const h = await setup({ clock, dir });
    await h.daemon.tick();
    expect(h.daemon.control.plan().entries[0]).toMatchObject({ status: 'missed', reason: expect.stringContaining('no daemon led then') });
    expect(h.kills()).toHaveLength(0);
  });

  it('an entry left running by a daemon that died is skipped as interrupted, never retried', async () => {
    const clock = new ManualClock(MONDAY_0800);
    const dir = mkdtempSync(join(tmpdir(), 'simian-daemon-'));
    dirs.push(dir);
    const config = configIn(dir);
    const store = StateStore.open(config.stateStorePath, { clock });
    const book = storePlanBook(store, config);
    const [first] = book.today(clock.now()).entries;
    await clock.advance(first!.at - clock.now());
    expect(book.claim(first!, clock.now())).toEqual({ claimed: true });
    store.close();

    await clock.advance(11 * 60_000);
    const h = await setup({ clock, dir });
    await h.daemon.tick();
    expect(h.daemon.control.plan().entries[0]).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^interrupted/) });
    expect(h.kills().filter((k) => k.instanceId === first!.id)).toHaveLength(0);
  });

  it('leashed, a due entry is a dry run: skipped with the leash as its reason, and nothing is killed', async () => {
    const h = await setup();
    await h.daemon.reload(parseConfig(configText(h.dir).replace('leashed: false', 'leashed: true'), { baseDir: h.dir }));
    const [first] = h.daemon.control.plan().entries;
    await h.clock.advance(first!.at - h.clock.now());
    await h.daemon.tick();
    expect(h.kills()).toHaveLength(0);
    expect(h.daemon.control.plan().entries[0]).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/^leashed/) });
  });

  it('the API refuses a request without the token (401, nothing injected); with it, one instance of the group is killed', async () => {
    const h = await setup();
    const body = JSON.stringify({ eventType: 'CHAOS_TERMINATION', groupType: 'group', groupName: 'web', chaosType: 'ShutdownInstance' });
    const headers = { 'content-type': 'application/json' };
    const refused = await fetch(`${h.daemon.url}/v1/chaos`, { method: 'POST', headers, body });
    expect(refused.status).toBe(401);
    expect(h.kills()).toHaveLength(0);
    const accepted = await fetch(`${h.daemon.url}/v1/chaos`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${TOKEN}` }, body });
    expect(accepted.status).toBe(200);
    expect(h.kills()).toMatchObject([{ method: 'terminate', signal: 'SIGKILL' }]);
    const unknown = await fetch(`${h.daemon.url}/v1/chaos`, { method: 'POST', headers: { ...headers, authorization: `Bearer ${TOKEN}` }, body: body.replace('"web"', '"nope"') });
    expect(unknown.status).toBe(404);
  });

  it('a leader whose store lease changed hands before it noticed is refused the record by the store, so nothing is killed', async () => {
    const h = await setup();
    h.leadership.fence = () => ({ token: 1, lease: 'simian-daemon' });
    const other = StateStore.open(h.config.stateStorePath, { clock: h.clock });
    try {
      // Another daemon took the lease (transition 2) while this one still believes it leads with token 1.
      other.createLease('simian-daemon', { holder: 'host/2', durationMs: 15_000, acquiredAt: MONDAY_0800, renewedAt: MONDAY_0800, transitions: 2 });
    } finally {
      other.close();
    }
    const answer = await h.daemon.control.chaos({ groupType: 'group', groupName: 'web', chaosType: 'ShutdownInstance' });
    expect(answer.outcome).not.toBe('executed');
    expect(answer, JSON.stringify(answer)).toMatchObject({ outcome: 'refused' });
    expect(JSON.stringify(answer)).toMatch(/fenced: lease \\"simian-daemon\\" has changed hands/);
    expect(h.kills()).toEqual([]);
  });

  /** A stand-in audit that finds one high-severity listener, and the times it ran. */
  const fakeAudit = (clock: ManualClock) => {
    const runs: string[] = [];
    const runAudit: RunAudit = async (monkey) => {
      runs.push(`${monkey} ${new Date(clock.now()).toISOString().slice(11, 16)}`);
      const finding = { monkey: 'security' as const, rule: 'security.all-interfaces', severity: 'high' as const, resource: 'web-0', why: 'listens on 0.0.0.0:8080' };
      return { monkey, provider: 'local', takenAt: clock.now(), rules: { evaluated: ['security.all-interfaces'], disabled: [] }, findings: [finding] };
    };
    return { runs, runAudit };
  };
  const AUDIT_AT_0830 = 'audit:\n  cron: { security: "30 8 * * *" }';

  it('runs a scheduled audit on the leader at its cron time, once: simian_findings on /metrics, and the findings told', async () => {
    const clock = new ManualClock(MONDAY_0800);
    const audit = fakeAudit(clock);
    const { daemon, events } = await setup({ clock, extra: AUDIT_AT_0830, runAudit: audit.runAudit });
    expect(await daemon.control.metrics()).toMatch(/^simian_findings\{[^}]*rule="security\.all-interfaces"[^}]*\} 0$/m);
    await daemon.tick();
    expect(audit.runs).toEqual([]);
    await clock.advance(31 * 60_000);
    await daemon.tick();
    expect(audit.runs).toEqual(['security 08:30']);
    expect(await daemon.control.metrics()).toMatch(/^simian_findings\{[^}]*rule="security\.all-interfaces"[^}]*\} 1$/m);
    const told = events.filter((e) => e.kind === 'findings');
    expect(told).toHaveLength(1);
    await clock.advance(60 * 60_000);
    await daemon.tick();
    expect(audit.runs).toEqual(['security 08:30']);
  });

  it('a standby runs no scheduled audit', async () => {
    const clock = new ManualClock(MONDAY_0800);
    const audit = fakeAudit(clock);
    const { daemon } = await setup({ clock, leading: false, extra: AUDIT_AT_0830, runAudit: audit.runAudit });
    await clock.advance(60 * 60_000);
    await daemon.tick();
    expect(audit.runs).toEqual([]);
  });
});
