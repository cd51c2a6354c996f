import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Random } from '../../../src/core/random.js';
import { WEBHOOK_EVENTS } from '../../../src/config/simian-config.js';
import { NOTIFICATIONS_METRIC, webhookNotifier, type WebhookLimits, type WebhookNotifier, type WebhookNotifierSeams } from '../../../src/daemon/notify/webhook-notifier.js';
import { faultEvent, webhookServers, type WebhookAnswer, type WebhookRequest } from '../../support/webhook-server.js';

const servers = webhookServers();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await servers.closeAll();
});

/** The same draw every time: backoffs are exactly half their exponential delay. */
const half: Random = { next: () => 0.5 };

interface Harness {
  readonly clock: ManualClock;
  readonly notifier: WebhookNotifier;
  readonly logs: string[];
  counts(): Promise<Record<string, number>>;
}

function notifierFor(url: string, limits: Partial<WebhookLimits> = {}, more: Partial<WebhookNotifierSeams> = {}, timeoutMs = 5000): Harness {
  const clock = new ManualClock();
  const registry = new Registry();
  const logs: string[] = [];
  const notifier = webhookNotifier({ url, events: WEBHOOK_EVENTS, timeoutMs }, { clock, random: half, registry, limits, log: (m) => logs.push(m), ...more })!;
  cleanups.push(async () => {
    // Whatever a test left queued or in flight: close, and let its time bound pass.
    const closing = notifier.close();
    await clock.advance(limits.closeTimeoutMs ?? 5000);
    await closing;
  });
  const counts = async () => Object.fromEntries((await registry.getSingleMetric(NOTIFICATIONS_METRIC)!.get()).values.map((v) => [String(v.labels.outcome), v.value]));
  return { clock, notifier, logs, counts };
}

/** Waits until `outcome` reaches `n`, moving the clock on whenever the sender waits (a backoff, a token). */
async function driveUntil(h: Harness, outcome: string, n: number): Promise<void> {
  await vi.waitFor(
    async () => {
      if (h.notifier.phase === 'waiting') await h.clock.runNext();
      expect((await h.counts())[outcome]).toBe(n);
    },
    { timeout: 10_000, interval: 5 },
  );
}

/** The header block's text of a request's Slack body. */
function header(request: WebhookRequest): string {
  return (request.body as { blocks: { text?: { text: string } }[] }).blocks[0]!.text!.text;
}

async function untilTrue(condition: () => boolean): Promise<void> {
  await vi.waitFor(() => expect(condition()).toBe(true), { timeout: 10_000, interval: 5 });
}

describe('webhookNotifier', () => {
  it('is nothing without a url', () => {
    expect(webhookNotifier({ events: WEBHOOK_EVENTS, timeoutMs: 5000 }, { clock: new ManualClock() })).toBeUndefined();
  });

  it('POSTs Slack JSON, text and blocks, with a value full of quotes, newlines and <>& intact', async () => {
    const hook = await servers.start();
    const h = notifierFor(hook.url);
    const nasty = 'shop "eu"\nline two <b> & {"x":1}';
    h.notifier.notify(faultEvent(nasty));
    await driveUntil(h, 'sent', 1);
    expect(hook.requests).toHaveLength(1);
    const [request] = hook.requests;
    expect(request!.method).toBe('POST');
    expect(request!.contentType).toMatch(/^application\/json/);
    const body = request!.body as { text: string; blocks: { type: string; text?: { text: string } }[] };
    expect(typeof body.text).toBe('string');
    expect(body.blocks[0]!.type).toBe('header');
    expect(body.blocks[0]!.text!.text).toContain(`terminate on ${nasty}-1`);
    expect(await h.counts()).toEqual({ sent: 1, failed: 0, dropped: 0 });
  });

  it('sends at most one a second, on the injected clock', async () => {
    const hook = await servers.start();
    const h = notifierFor(hook.url);
    for (let i = 1; i <= 5; i++) h.notifier.notify(faultEvent(`g${i}`));
    await untilTrue(() => hook.requests.length === 1 && h.notifier.phase === 'waiting');
    for (let i = 2; i <= 5; i++) {
      await h.clock.advance(999);
      expect(hook.requests).toHaveLength(i - 1);
      await h.clock.advance(1);
      await untilTrue(() => hook.requests.length === i && (i === 5 || h.notifier.phase === 'waiting'));
    }
    await driveUntil(h, 'sent', 5);
    expect(hook.requests.map(header)).toEqual(['g1', 'g2', 'g3', 'g4', 'g5'].map((g) => `:warning: chaos injected terminate on ${g}-1`));
  });

  it('waits what a 429 Retry-After asks, then sends', async () => {
    const hook = await servers.start((n): WebhookAnswer => (n === 1 ? { status: 429, headers: { 'retry-after': '3' }, body: 'rate_limited' } : { status: 200, body: 'ok' }));
    const h = notifierFor(hook.url);
    h.notifier.notify(faultEvent());
    await untilTrue(() => hook.requests.length === 1 && h.notifier.phase === 'waiting');
    await h.clock.advance(2999);
    expect(hook.requests).toHaveLength(1);
    await h.clock.advance(1);
    await driveUntil(h, 'sent', 1);
    expect(hook.requests).toHaveLength(2);
    expect(await h.counts()).toEqual({ sent: 1, failed: 0, dropped: 0 });
  });

  it('retries a 5xx with backoff, then counts it failed after maxAttempts', async () => {
    const hook = await servers.start(() => ({ status: 500, body: 'oops' }));
    const h = notifierFor(hook.url, { maxAttempts: 3 });
    h.notifier.notify(faultEvent());
    await driveUntil(h, 'failed', 1);
    expect(hook.requests).toHaveLength(3);
    expect(await h.counts()).toEqual({ sent: 0, failed: 1, dropped: 0 });
    expect(h.logs.join('\n')).toContain('failed after 3 attempt(s): HTTP 500 oops');
    expect(h.logs.join('\n')).not.toContain(hook.url); // the URL is a secret
  });

  it('does not retry a 4xx that will not get better (invalid_payload)', async () => {
    const hook = await servers.start(() => ({ status: 400, body: 'invalid_payload' }));
    const h = notifierFor(hook.url);
    h.notifier.notify(faultEvent());
    await driveUntil(h, 'failed', 1);
    expect(hook.requests).toHaveLength(1);
  });

  it('drops the oldest when the queue is full, and counts it', async () => {
    const hook = await servers.start();
    const h = notifierFor(hook.url, { queueSize: 2 });
    for (let i = 1; i <= 5; i++) h.notifier.notify(faultEvent(`g${i}`)); // g1 in flight, g2 and g3 pushed out by g4 and g5
    await driveUntil(h, 'sent', 3);
    expect(await h.counts()).toEqual({ sent: 3, failed: 0, dropped: 2 });
    expect(hook.requests.map(header)).toEqual(
      ['g1', 'g4', 'g5'].map((g) => `:warning: chaos injected terminate on ${g}-1`),
    );
  });

  it('never blocks notify on a webhook that never answers, and close() returns within its bound', async () => {
    const hook = await servers.start(() => 'hang');
    const h = notifierFor(hook.url, { closeTimeoutMs: 5000 }, {}, 60_000);
    for (let i = 1; i <= 3; i++) h.notifier.notify(faultEvent(`g${i}`));
    expect(hook.requests).toHaveLength(0); // notify returned before anything was sent
    await untilTrue(() => hook.requests.length === 1);
    let closed = false;
    const closing = h.notifier.close().then(() => {
      closed = true;
    });
    await h.clock.advance(4999);
    expect(closed).toBe(false);
    await h.clock.advance(1);
    await closing;
    expect(await h.counts()).toEqual({ sent: 0, failed: 1, dropped: 2 });
    expect(h.clock.pendingTimers).toBe(0);
    h.notifier.notify(faultEvent('after'));
    expect(await h.counts()).toEqual({ sent: 0, failed: 1, dropped: 3 });
  });

  it('close() sends what is queued first', async () => {
    const hook = await servers.start();
    const h = notifierFor(hook.url);
    h.notifier.notify(faultEvent('g1'));
    h.notifier.notify(faultEvent('g2'));
    const closing = h.notifier.close();
    await driveUntil(h, 'sent', 2);
    await closing;
    expect(hook.requests).toHaveLength(2);
  });

  it('never throws from notify, whatever fetch and the log do', async () => {
    const broken = (() => {
      throw new Error('no network stack');
    }) as unknown as typeof fetch;
    const h = notifierFor('http://127.0.0.1:9/hook', { maxAttempts: 2 }, {
      fetch: broken,
      log: () => {
        throw new Error('log is broken too');
      },
    });
    expect(() => h.notifier.notify(faultEvent())).not.toThrow();
    await driveUntil(h, 'failed', 1);
  });

  it('keeps its counts when registered in the daemon registry later, once', async () => {
    const hook = await servers.start();
    const h = notifierFor(hook.url);
    h.notifier.notify(faultEvent());
    await driveUntil(h, 'sent', 1);
    const daemon = new Registry();
    h.notifier.register(daemon);
    h.notifier.register(daemon);
    expect(await daemon.metrics()).toContain('simian_daemon_notifications_total{outcome="sent"} 1');
    expect(await daemon.metrics()).toContain('simian_daemon_notifications_total{outcome="dropped"} 0');
  });
});

describe('webhookNotifier over TLS', () => {
  let dir: string;
  let server: HttpsServer;
  let received = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'simian-webhook-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (_request, response) => {
      received++;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a self-signed certificate (verification is on) and counts the message failed', async () => {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const h = notifierFor(url);
    h.notifier.notify(faultEvent());
    await driveUntil(h, 'failed', 1);
    expect(received).toBe(0);
    expect(await h.counts()).toEqual({ sent: 0, failed: 1, dropped: 0 });
    expect(h.logs.join('\n')).toMatch(/after 1 attempt\(s\).*(SELF_SIGNED|self-signed)/i);
  });
});
