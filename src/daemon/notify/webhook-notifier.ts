/**
 * @module
 * The daemon's webhook: every notification worth sending (`notification.ts`) is queued and POSTed as a
 * Slack-compatible body (`webhook-body.ts`) by one sender, so a slow or broken webhook can never hold up a fault
 * or its revert: {@link WebhookNotifier.notify} only queues and never throws.
 *
 * - At most one message a second (Slack's rate for incoming webhooks), a token bucket on the injected clock.
 * - A 429 waits what `Retry-After` asks (capped); a 5xx, a timeout or a network error backs off with jitter;
 *   after `maxAttempts` the message is counted failed. Other 4xx answers (`invalid_payload`, `no_service`) and
 *   certificate errors will not get better by retrying: failed at once.
 * - TLS is Node's `fetch` with its defaults: certificates verified, never an option to turn that off. Redirects
 *   are refused, so an https URL cannot be bounced to a plain-http one.
 * - The queue is bounded: when full, the oldest message is dropped (and counted), the newest kept.
 * - {@link WebhookNotifier.close} sends what is queued within `closeTimeoutMs`, then abandons the rest.
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `simian_daemon_notifications_total` | counter | `outcome` (sent, failed, dropped) |
 */
import { Counter, type Registry } from 'prom-client';
import type { Clock, Timer } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import { systemRandom, type Random } from '../../core/random.js';
import type { WebhookConfig } from '../../config/simian-config.js';
import { exponentialBackoff, type Backoff } from '../../resilience/backoff.js';
import type { DaemonEvent } from '../daemon.js';
import { notificationOf, wanted } from './notification.js';
import { retryAfterMs } from './retry-after.js';
import { TokenBucket } from './token-bucket.js';
import { slackBodyJson } from './webhook-body.js';

/** What became of a notification: the `outcome` label of `simian_daemon_notifications_total`. */
export const NOTIFICATION_OUTCOMES = ['sent', 'failed', 'dropped'] as const;

/** The metric that counts notifications by {@link NOTIFICATION_OUTCOMES}. */
export const NOTIFICATIONS_METRIC = 'simian_daemon_notifications_total';

/** How hard the webhook is pushed, and how long it is waited for. */
export interface WebhookLimits {
  /** Messages queued at most; when full, the oldest is dropped. @default 100 */
  readonly queueSize: number;
  /** Sustained messages a second. @default 1 */
  readonly perSecond: number;
  /** Messages that may go at once after a quiet spell. @default 1 */
  readonly burst: number;
  /** POSTs of one message at most, the first included. @default 4 */
  readonly maxAttempts: number;
  /** The first backoff after a 5xx or a network error, before jitter, ms. @default 1000 */
  readonly backoffMs: number;
  /** The longest backoff, ms. @default 30000 */
  readonly maxBackoffMs: number;
  /** The longest `Retry-After` honoured, ms: a longer one is cut to this. @default 60000 */
  readonly maxRetryAfterMs: number;
  /** How long {@link WebhookNotifier.close} may take, ms. @default 5000 */
  readonly closeTimeoutMs: number;
}

/** The defaults of {@link WebhookLimits}. */
export const DEFAULT_WEBHOOK_LIMITS: WebhookLimits = {
  queueSize: 100,
  perSecond: 1,
  burst: 1,
  maxAttempts: 4,
  backoffMs: 1000,
  maxBackoffMs: 30_000,
  maxRetryAfterMs: 60_000,
  closeTimeoutMs: 5000,
};

/** What {@link webhookNotifier} needs beside the configuration. */
export interface WebhookNotifierSeams {
  readonly clock: Clock;
  /** Backoff jitter. @default systemRandom */
  readonly random?: Random;
  /** Where the counter is registered now; {@link WebhookNotifier.register} adds it to another later. */
  readonly registry?: Registry;
  /** @default globalThis.fetch (undici: certificates verified) */
  readonly fetch?: typeof globalThis.fetch;
  /** Which daemon speaks, for the message's footer: `simian daemon on web-1 (pid 42)`. */
  readonly origin?: string;
  /** Where delivery problems are told (never the URL: it is a secret). */
  readonly log?: (message: string) => void;
  readonly limits?: Partial<WebhookLimits>;
}

/** What the sender is doing: tests wait on it instead of sleeping. */
export type SenderPhase = 'idle' | 'posting' | 'waiting';

/**
 * The webhook notifier of `config`, or undefined when `config` has no `url` (no notifications).
 *
 * @example
 * const notifier = webhookNotifier(config.daemon.webhook, { clock: systemClock, log: (m) => console.error(m) });
 * await startDaemon({ ...options, notifier });
 */
export function webhookNotifier(config: WebhookConfig, seams: WebhookNotifierSeams): WebhookNotifier | undefined {
  return config.url === undefined ? undefined : new WebhookNotifier({ ...config, url: config.url }, seams);
}

type Attempt = { readonly kind: 'sent' } | { readonly kind: 'retry' | 'permanent'; readonly problem: string; readonly retryAfterMs?: number };

/** Queues, rate-limits and POSTs the daemon's notifications to one webhook. */
export class WebhookNotifier {
  private readonly limits: WebhookLimits;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly fetch: typeof globalThis.fetch;
  private readonly counter: Counter<'outcome'>;
  private readonly bucket: TokenBucket;
  private readonly backoff: Backoff;
  private readonly queue: string[] = [];
  /** Aborts every wait and the POST in flight: `close()`'s time is up. */
  private readonly giveUp = new AbortController();
  private draining: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private phaseNow: SenderPhase = 'idle';

  constructor(
    private readonly config: WebhookConfig & { readonly url: string },
    private readonly seams: WebhookNotifierSeams,
  ) {
    this.limits = { ...DEFAULT_WEBHOOK_LIMITS, ...seams.limits };
    this.clock = seams.clock;
    this.random = seams.random ?? systemRandom;
    this.fetch = seams.fetch ?? globalThis.fetch;
    this.bucket = new TokenBucket(this.clock, this.limits.perSecond, this.limits.burst);
    this.backoff = exponentialBackoff({ initialDelayMs: this.limits.backoffMs, maxDelayMs: this.limits.maxBackoffMs, jitter: 'full' });
    this.counter = new Counter({
      name: NOTIFICATIONS_METRIC,
      help: 'Webhook notifications of the daemon, by outcome: sent, failed (after its retries) or dropped (queue full, or unsent at stop).',
      labelNames: ['outcome'],
      registers: seams.registry ? [seams.registry] : [],
    });
    for (const outcome of NOTIFICATION_OUTCOMES) this.counter.inc({ outcome }, 0);
  }

  /** What the sender is doing now. */
  get phase(): SenderPhase {
    return this.phaseNow;
  }

  /** Messages waiting to be sent (the one in flight not included). */
  get queued(): number {
    return this.queue.length;
  }

  /** Adds the counter to `registry` (the daemon's `/metrics`), keeping what it has counted so far. */
  register(registry: Registry): void {
    if (registry.getSingleMetric(NOTIFICATIONS_METRIC) === undefined) registry.registerMetric(this.counter);
  }

  /** Queues the notification of `event`, if it is one worth sending. Returns at once; never throws. */
  notify(event: DaemonEvent): void {
    try {
      const notification = notificationOf(event);
      if (notification === undefined || !wanted(notification, this.config.events)) return;
      if (this.closing !== undefined) return this.dropped(1, 'the daemon is stopping');
      if (this.queue.length >= this.limits.queueSize) {
        this.queue.shift();
        this.dropped(1, `the queue is full (${this.limits.queueSize} messages): the oldest is dropped`);
      }
      this.queue.push(slackBodyJson(notification, this.seams.origin));
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    } catch (error) {
      // A notification must never break what it reports on.
      this.tell(`a notification could not be queued: ${errorMessage(error)}`);
    }
  }

  /** Sends what is queued, for at most `closeTimeoutMs`; then abandons the rest (counted). Never rejects. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      const deadline: Timer = this.clock.setTimer(() => this.giveUp.abort(new Error('the webhook ran out of time at stop')), this.limits.closeTimeoutMs, { keepAlive: false });
      try {
        await this.draining;
      } finally {
        deadline.cancel();
        this.giveUp.abort(new Error('closed'));
      }
    })().catch(() => undefined);
    return this.closing;
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.giveUp.signal.aborted) {
        const body = this.queue.shift()!;
        this.counter.inc({ outcome: await this.deliver(body) });
      }
    } catch (error) {
      this.tell(`the webhook sender stopped: ${errorMessage(error)}`);
    } finally {
      this.phaseNow = 'idle';
      if (this.queue.length > 0) this.dropped(this.queue.splice(0).length, 'unsent when the daemon stopped');
    }
  }

  /** POSTs one body, retrying what may get better. */
  private async deliver(body: string): Promise<(typeof NOTIFICATION_OUTCOMES)[number]> {
    let previousDelay = 0;
    for (let attempt = 1; ; attempt++) {
      if (!(await this.waitForToken())) return attempt === 1 ? 'dropped' : 'failed';
      this.phaseNow = 'posting';
      const result = await this.post(body);
      if (result.kind === 'sent') return 'sent';
      if (result.kind === 'permanent' || attempt >= this.limits.maxAttempts || this.giveUp.signal.aborted) {
        this.tell(`a notification failed after ${attempt} attempt(s): ${result.problem}`);
        return 'failed';
      }
      const delay = result.retryAfterMs !== undefined ? Math.min(result.retryAfterMs, this.limits.maxRetryAfterMs) : this.backoff(attempt, previousDelay, this.random);
      previousDelay = delay;
      if (!(await this.wait(delay))) return 'failed';
    }
  }

  /** Waits for the bucket's next token; false when `close()`'s time ran out first. */
  private async waitForToken(): Promise<boolean> {
    for (;;) {
      if (this.giveUp.signal.aborted) return false;
      const wait = this.bucket.take();
      if (wait === 0) return true;
      if (!(await this.wait(wait))) return false;
    }
  }

  private async wait(ms: number): Promise<boolean> {
    this.phaseNow = 'waiting';
    try {
      await this.clock.sleep(ms, this.giveUp.signal);
      return true;
    } catch {
      return false;
    }
  }

  private async post(body: string): Promise<Attempt> {
    const request = new AbortController();
    const timeout = this.clock.setTimer(() => request.abort(new Error(`no answer within ${this.config.timeoutMs}ms`)), this.config.timeoutMs, { keepAlive: false });
    const onGiveUp = (): void => request.abort(this.giveUp.signal.reason);
    this.giveUp.signal.addEventListener('abort', onGiveUp, { once: true });
    try {
      const response = await this.fetch(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body,
        redirect: 'error',
        signal: request.signal,
      });
      // Read it whole, so the connection is free for the next message; Slack's errors are plain-text codes.
      const answer = (await response.text()).slice(0, 200);
      if (response.ok) return { kind: 'sent' };
      const problem = `HTTP ${response.status}${answer ? ` ${answer}` : ''}`;
      if (response.status === 429) {
        const after = retryAfterMs(response.headers.get('retry-after'), this.clock.now());
        return { kind: 'retry', problem, ...(after === undefined ? {} : { retryAfterMs: after }) };
      }
      return { kind: response.status >= 500 || response.status === 408 ? 'retry' : 'permanent', problem };
    } catch (error) {
      const problem = describeFetchError(error, request.signal);
      // A certificate the webhook's host does not prove will not prove itself on the next try.
      return { kind: /CERT|SSL|TLS|self.signed/i.test(problem) ? 'permanent' : 'retry', problem };
    } finally {
      timeout.cancel();
      this.giveUp.signal.removeEventListener('abort', onGiveUp);
    }
  }

  private dropped(count: number, why: string): void {
    this.counter.inc({ outcome: 'dropped' }, count);
    this.tell(`${count} notification(s) dropped: ${why}`);
  }

  private tell(message: string): void {
    try {
      this.seams.log?.(`webhook: ${message}`);
    } catch {
      // a broken logger must not break the sender either
    }
  }
}

/** `fetch failed` says nothing: the cause (a refused connection, a bad certificate) or the abort's reason does. */
function describeFetchError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return errorMessage(signal.reason);
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause ? [cause.code, cause.message].filter(Boolean).join(' ') : '';
  return detail ? `${errorMessage(error)}: ${detail}` : errorMessage(error);
}
