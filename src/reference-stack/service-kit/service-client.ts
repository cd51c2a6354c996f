/**
 * @module
 * How one reference-stack service calls another: instances come from the discovery cache, the caller's zone
 * first; every call goes through a resilience pipeline (a circuit breaker over the whole call, retry with a
 * shared budget, a bulkhead, a timeout per attempt); a retry goes to another instance, and an instance that just failed is tried last for a while
 * (outlier ejection), so a killed instance costs one attempt, not an error.
 */
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { bulkhead } from '../../resilience/bulkhead.js';
import { circuitBreaker } from '../../resilience/circuit-breaker.js';
import { pipeline, type Pipeline } from '../../resilience/pipeline.js';
import { retry } from '../../resilience/retry.js';
import { RetryBudget } from '../../resilience/retry-budget.js';
import { timeout } from '../../resilience/timeout.js';
import { createHttpFetch } from './http-fetch.js';

/** One keep-alive pool for every client of a process (see `http-fetch.ts` for why not the built-in fetch). */
const stackFetch = createHttpFetch();

/** What the client needs from discovery: the cached, zone-first lookup. */
export interface InstanceLookup {
  lookup(service: string, zone?: string): ReadonlyArray<{ readonly instanceId: string; readonly address: string; readonly zone: string }>;
  /**
   * Reads the registry again now; called once when a lookup finds nobody, since a cache read before the target
   * registered (a client that started beside it) would otherwise fail every call until the next periodic refresh.
   */
  refresh?(): Promise<unknown>;
}

/** No instance of the target service is known. */
export class NoInstancesError extends SimianError {
  constructor(readonly target: string) {
    super('stack.noInstances', `no instance of "${target}" is registered`);
  }
}

/** An instance answered with a server error (5xx): worth another instance. */
export class UpstreamError extends SimianError {
  constructor(
    readonly target: string,
    readonly status: number,
    readonly instanceId: string,
  ) {
    super('stack.upstream', `"${target}" instance ${instanceId} answered ${status}`);
  }
}

/** Options of {@link ServiceClient}. */
export interface ServiceClientOptions {
  /** The service to call. */
  target: string;
  /** The caller's zone: instances there are preferred. */
  zone: string;
  discovery: InstanceLookup;
  clock?: Clock;
  /** @default a fetch over `node:http` with a keep-alive pool shared by the process's clients */
  fetch?: typeof fetch;
  /** Reports the client's policies under `name` = target. */
  metrics?: Registry;
  /** Time allowed per attempt. @default 1_000 */
  timeoutMs?: number;
  /** Attempts per call, each on another instance when there is one. @default 3 */
  maxAttempts?: number;
  /** Shared with every other client of the same target in this process. @default a budget of its own */
  budget?: RetryBudget;
  /** How long an instance that failed is tried last. @default 5_000 */
  ejectMs?: number;
  /** Attempts in flight to the target at once (more wait in a queue of the same size, then are shed). @default 64 */
  maxConcurrent?: number;
}

/** Per-request options. */
export interface ServiceRequest extends Omit<RequestInit, 'signal'> {
  signal?: AbortSignal;
  /** Milliseconds the caller can wait in all; no retry starts that cannot finish in time. */
  deadlineMs?: number;
  /** The caller knows this request is safe to repeat (a login), whatever its method. */
  idempotent?: boolean;
}

/** Calls one target service across its instances. */
export class ServiceClient {
  /** Reads and keyed writes: retried on another instance. */
  private readonly retried: Pipeline;
  /** Writes without an idempotency key: one attempt, the same breaker and timeout. */
  private readonly once: Pipeline;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly ejectedUntil = new Map<string, number>();
  private next = 0;

  constructor(private readonly options: ServiceClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.fetch = options.fetch ?? stackFetch;
    const common = { name: options.target, clock: this.clock, ...(options.metrics ? { metrics: options.metrics } : {}) };
    const breaker = circuitBreaker({ ...common, minimumCalls: 20, openDurationMs: 2_000 });
    const perAttempt = timeout({ ...common, ms: options.timeoutMs ?? 1_000 });
    // A slow target holds at most this many of our requests; beyond it we shed load instead of piling up sockets.
    const maxConcurrent = options.maxConcurrent ?? 64;
    const isolation = bulkhead({ ...common, maxConcurrent, maxQueue: maxConcurrent });
    // The breaker sits outside the retry: it judges whole calls, after a retry on another instance had its chance,
    // so one dead instance among healthy ones (half the first attempts failing for a moment) does not trip it.
    this.retried = pipeline(
      breaker,
      retry({
        ...common,
        maxAttempts: options.maxAttempts ?? 3,
        // A retry goes to another instance, which is usually healthy: retry at once rather than back off.
        // The shared budget, not a delay, is what bounds the extra load when every instance is failing.
        backoff: { initialDelayMs: 0, maxDelayMs: 0, jitter: 'none' },
        budget: options.budget ?? new RetryBudget({ name: options.target, clock: this.clock }),
      }),
      isolation,
      perAttempt,
    );
    this.once = pipeline(breaker, isolation, perAttempt);
  }

  /** Sends `path` to an instance of the target; resolves with the first response below 500. */
  request(path: string, init: ServiceRequest = {}): Promise<Response> {
    const { signal, deadlineMs, idempotent, ...rest } = init;
    const policy = idempotent || isRetryable(rest) ? this.retried : this.once;
    return policy.execute(
      async ({ signal: attemptSignal, attempt }) => {
        const instance = this.choose(attempt) ?? (await this.chooseAfterRefresh(attempt));
        try {
          const response = await this.fetch(new URL(path, instance.address), { ...rest, signal: attemptSignal });
          if (response.status >= 500) {
            await response.body?.cancel();
            throw new UpstreamError(this.options.target, response.status, instance.instanceId);
          }
          return response;
        } catch (error) {
          this.ejectedUntil.set(instance.instanceId, this.clock.monotonic() + (this.options.ejectMs ?? 5_000));
          throw error;
        }
      },
      { ...(signal ? { signal } : {}), ...(deadlineMs !== undefined ? { deadlineMs } : {}) },
    );
  }

  /** Sends a request and parses the JSON answer; a status other than 2xx is an error. */
  async json<T>(path: string, init: ServiceRequest = {}): Promise<T> {
    const response = await this.request(path, init);
    if (!response.ok) {
      await response.body?.cancel();
      throw new UpstreamError(this.options.target, response.status, 'client-error');
    }
    return (await response.json()) as T;
  }

  /** Stops the client's policies. */
  dispose(): void {
    this.retried.dispose();
    this.once.dispose();
  }

  /**
   * The instance for this attempt: round-robin over the healthy instances of the caller's zone (or of any zone
   * when the zone has none), then other zones, then ejected ones. Attempt n of one call moves n - 1 places
   * further down that list, so a retry lands on another instance.
   */
  private choose(attempt: number): { instanceId: string; address: string } | undefined {
    const now = this.clock.monotonic();
    const all = this.options.discovery.lookup(this.options.target, this.options.zone);
    if (all.length === 0) return undefined;
    const healthy = all.filter((i) => (this.ejectedUntil.get(i.instanceId) ?? 0) <= now);
    const local = healthy.filter((i) => i.zone === this.options.zone);
    const primary = local.length > 0 ? local : healthy;
    if (attempt === 1) this.next++;
    const start = primary.length > 0 ? this.next % primary.length : 0;
    const ordered = [
      ...primary.slice(start),
      ...primary.slice(0, start),
      ...healthy.filter((i) => !primary.includes(i)),
      ...all.filter((i) => !healthy.includes(i)),
    ];
    return ordered[(attempt - 1) % ordered.length]!;
  }

  /** {@link ServiceClient.choose} once more after a fresh read of the registry, since the cached one had nobody. */
  private async chooseAfterRefresh(attempt: number): Promise<{ instanceId: string; address: string }> {
    await this.options.discovery.refresh?.();
    const instance = this.choose(attempt);
    if (!instance) throw new NoInstancesError(this.options.target);
    return instance;
  }
}

/** Reads are retried; a write only when it carries an idempotency key (the server then applies it once). */
function isRetryable(init: RequestInit): boolean {
  const method = (init.method ?? 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'PUT' || method === 'DELETE') return true;
  return new Headers(init.headers).has('idempotency-key');
}
