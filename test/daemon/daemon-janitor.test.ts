/**
 * The Janitor on the daemon's cron, over a real state store and the real EC2 SDK against the loopback fake EC2
 * endpoint: the leader marks at the cron time and tells owners (`janitor` events, what the webhook sends), the
 * findings reach `simian_findings`, the API's opt-out keeps a resource from being marked, and a cleanup recorded
 * with a deposed leader's token is refused, so nothing is deleted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { startDaemon, type DaemonEvent } from '../../src/daemon/daemon.js';
import type { Leadership } from '../../src/daemon/leadership.js';
import { storePlanBook } from '../../src/daemon/store-plan-book.js';
import type { ProviderRegistry } from '../../src/engine/provider-registry.js';
import { MemoryProvider } from '../../src/providers/memory/memory-provider.js';
import { FakeEc2Endpoint, fakeInstanceId } from '../support/fake-ec2-endpoint.js';

const TOKEN = 'a-daemon-token-of-some-length';
// Monday 2026-03-09 08:00 UTC; the Janitor runs at 09:30, in business hours (09:00–15:00 by default).
const MONDAY_0800 = Date.UTC(2026, 2, 9, 8, 0);
const DAY = 86_400_000;
const ago = (days: number) => new Date(MONDAY_0800 - days * DAY).toISOString();

let dir: string;
let fake: FakeEc2Endpoint;
const stops: Array<() => Promise<void>> = [];
const savedEnv = { ...process.env };

class Lead implements Leadership {
  token = 1;
  leading = true;
  isLeader = () => this.leading;
  fence = () => (this.leading ? { token: this.token } : undefined);
  holder = () => 'this';
  stop = async () => undefined;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'simian-daemon-janitor-'));
  process.env.AWS_ACCESS_KEY_ID = 'AKIDTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'x';
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  fake = await FakeEc2Endpoint.start({
    accessKeyId: 'AKIDTEST',
    instances: [{ id: fakeInstanceId(1), zone: 'us-east-1a', tags: { 'aws:autoscaling:groupName': 'web' }, launchTime: ago(1) }],
    volumes: [
      { id: 'vol-00000001', createTime: ago(60), tags: { owner: 'video' } },
      { id: 'vol-00000002', createTime: ago(60), tags: { owner: 'billing' } },
    ],
  });
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  await fake.close();
  process.env = { ...savedEnv };
  rmSync(dir, { recursive: true, force: true });
});

async function daemonWith(lead: Lead, clock: ManualClock) {
  const config = parseConfig(
    [
      `stateDir: ${dir}`,
      'leashed: false',
      // A tick of 10 minutes: the manual clock then steps through a day in 144 ticks, not 86,400.
      'daemon: { port: 0, tick: 10m, provider: aws }',
      `providers: { aws: { region: us-east-1, endpoint: "${fake.url}" } }`,
      'schedule: { timeZone: UTC, runDays: [mon, tue, wed, thu, fri], holidays: [] }',
      'audit: { janitor: { retention: 1 }, cron: { janitor: "30 9 * * *" } }',
    ].join('\n'),
    { baseDir: dir },
  );
  const memory = new MemoryProvider({ name: 'aws', instances: [] });
  const providers: ProviderRegistry = { create: () => memory, forRevert: () => memory };
  const events: DaemonEvent[] = [];
  const daemon = await startDaemon({ config, providers, clock, random: new SeededRandom(3), pid: process.pid, token: TOKEN, elect: async () => lead, planBook: storePlanBook, onEvent: (e) => events.push(e) });
  stops.push(() => daemon.stop());
  return { daemon, events };
}

const settle = async (daemon: { tick(): Promise<void> }, clock: ManualClock, ms: number) => {
  await clock.advance(ms);
  await daemon.tick();
  // The audit runs beside the tick: wait for its HTTP calls to come back.
  for (let i = 0; i < 200 && fake.calls('DescribeInstances').length === 0; i++) await new Promise((done) => setTimeout(done, 5));
};

describe('the Janitor on the daemon', () => {
  it('marks at its cron time, tells each owner, honours an API opt-out, and cleans after the retention', async () => {
    const clock = new ManualClock(MONDAY_0800);
    const lead = new Lead();
    const { daemon, events } = await daemonWith(lead, clock);
    daemon.control.optOutOfJanitor('vol-00000002', 'a restore is pending');
    const janitorEvents = () => events.filter((e): e is Extract<DaemonEvent, { kind: 'janitor' }> => e.kind === 'janitor');
    await settle(daemon, clock, 91 * 60_000);
    await waitFor(() => janitorEvents().length > 0);
    expect(janitorEvents().map((e) => `${e.notice.kind} ${e.notice.mark.resource} ${e.notice.mark.owner}`)).toEqual(['marked vol-00000001 video']);
    expect(daemon.control.janitor().marks.map((m) => m.resource)).toEqual(['vol-00000001']);
    expect(await daemon.control.metrics()).toMatch(/^simian_findings\{[^}]*rule="janitor\.detached-volume"[^}]*\} 2$/m);
    expect(fake.calls('DeleteVolume')).toEqual([]);

    // One business day later the retention has ended (Tuesday 09:00): the 09:30 run cleans it.
    await clock.advance(DAY);
    await daemon.tick();
    await waitFor(() => janitorEvents().some((e) => e.notice.kind === 'cleaned'));
    expect(fake.calls('DeleteVolume').map((c) => c.params.VolumeId)).toEqual(['vol-00000001']);
    expect(fake.hasResource('vol-00000002')).toBe(true);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((done) => setTimeout(done, 5));
  expect(condition()).toBe(true);
}
