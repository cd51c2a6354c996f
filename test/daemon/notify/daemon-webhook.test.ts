/**
 * The webhook wired into a daemon: a real daemon (memory provider, ManualClock, real state store) with the real
 * notifier pointed at a loopback webhook: its fault and its leader change reach the webhook, the counter is on the
 * daemon's `/metrics`, and `stop()` closes the notifier.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { SeededRandom } from '../../../src/core/random.js';
import { startDaemon } from '../../../src/daemon/daemon.js';
import type { Leadership } from '../../../src/daemon/leadership.js';
import { webhookNotifier } from '../../../src/daemon/notify/webhook-notifier.js';
import { storePlanBook } from '../../../src/daemon/store-plan-book.js';
import type { ProviderRegistry } from '../../../src/engine/provider-registry.js';
import { MemoryProvider } from '../../../src/providers/memory/memory-provider.js';
import { instance } from '../../monkeys/safety/harness.js';
import { webhookServers, type WebhookRequest } from '../../support/webhook-server.js';

const servers = webhookServers();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await servers.closeAll();
});

const header = (request: WebhookRequest) => (request.body as { blocks: { text?: { text: string } }[] }).blocks[0]!.text!.text;

describe('simian daemon with daemon.webhook', () => {
  it('tells the webhook of its leadership and its faults, counts them on /metrics, and closes it on stop', async () => {
    const hook = await servers.start();
    const dir = mkdtempSync(join(tmpdir(), 'simian-daemon-webhook-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const config = parseConfig(
      [
        `stateDir: ${dir}`,
        'leashed: false',
        'safety: { minInterval: 0, maxFaultsPerGroupPerDay: 100 }',
        'daemon:',
        '  port: 0',
        '  tick: 1s',
        '  webhook:',
        `    url: ${hook.url}`,
        '    events: [fault, leader]',
        'schedule:',
        '  timeZone: UTC',
        "  hours: { start: '09:00', end: '12:00' }",
        '  runDays: [mon, tue, wed, thu, fri, sat, sun]',
        '  holidays: []',
        '  minInterval: 0',
        '  seed: 7',
        '  groups: [{ name: web, mtbk: 1h, maxPerDay: 10 }]',
      ].join('\n'),
      { baseDir: dir },
    );
    const clock = new ManualClock(Date.UTC(2026, 2, 9, 8, 0));
    const provider = new MemoryProvider({ name: 'local', instances: [0, 1, 2, 3, 4, 5].map((i) => instance(`web-${i}`, 'web')) });
    const providers: ProviderRegistry = { create: () => provider, forRevert: () => provider };
    const leadership: Leadership = { isLeader: () => true, fence: () => ({ token: 1 }), holder: () => 'this', stop: async () => undefined };
    const notifier = webhookNotifier(config.daemon.webhook, { clock, random: new SeededRandom(1), origin: 'simian daemon under test' })!;
    const close = vi.spyOn(notifier, 'close');
    const daemon = await startDaemon({
      config,
      providers,
      clock,
      random: new SeededRandom(3),
      pid: process.pid,
      token: 'a-daemon-token-of-some-length',
      notifier,
      elect: async (onChange) => {
        onChange(true);
        return leadership;
      },
      planBook: storePlanBook,
    });
    let stopped = false;
    cleanups.push(async () => {
      if (!stopped) await daemon.stop();
    });

    const [first] = daemon.control.plan().entries;
    await clock.advance(first!.at - clock.now());
    await daemon.tick();
    await vi.waitFor(() => expect(hook.requests.map(header)).toEqual([expect.stringContaining('now leads'), expect.stringMatching(/^:warning: chaos injected terminate on web-\d$/)]), { interval: 5 });
    await vi.waitFor(async () => expect(await daemon.control.metrics()).toContain('simian_daemon_notifications_total{outcome="sent"} 2'), { interval: 5 });

    await daemon.stop();
    stopped = true;
    expect(close).toHaveBeenCalledOnce();
  });
});
