/**
 * @module
 * The client side of discovery: registers an instance and keeps its lease, and keeps a cached copy of the registry
 * that lookups read. A discovery outage therefore does not stop traffic: callers keep using the last registry they
 * saw (Eureka's client cache), and the client catches up when discovery returns.
 */
import type { Clock, Timer } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import { timeout, type TimeoutPolicy } from '../../resilience/timeout.js';
import type { InstanceInfo, Registration } from './instance-registry.js';

/** Options of {@link DiscoveryClient}. */
export interface DiscoveryClientOptions {
  /** The discovery instances of this region, tried in order. */
  discoveryUrls: readonly string[];
  clock?: Clock;
  fetch?: typeof fetch;
  logger?: Logger;
  /** How often the cached registry is refreshed. @default 1_000 */
  refreshMs?: number;
  /** How often a registered instance renews its lease. @default 1_000 */
  heartbeatMs?: number;
  /** Time allowed for one request to one discovery instance. @default 500 */
  requestTimeoutMs?: number;
  /** The stack token, sent with register, heartbeat and delete (discovery refuses them without). */
  stackToken?: string;
}

/** Registers, heartbeats, and looks instances up from a cache. */
export class DiscoveryClient {
  private registry: Registration[] = [];
  private refreshedAt: number | undefined;
  private registered: InstanceInfo | undefined;
  private heartbeatTimer: Timer | undefined;
  private refreshTimer: Timer | undefined;
  private stopped = false;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly logger: Logger;
  private readonly perRequest: TimeoutPolicy;

  constructor(private readonly options: DiscoveryClientOptions) {
    if (options.discoveryUrls.length === 0) throw new TypeError('DiscoveryClient: discoveryUrls must not be empty');
    this.clock = options.clock ?? systemClock;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.logger = options.logger ?? silentLogger;
    this.perRequest = timeout({ ms: options.requestTimeoutMs ?? 500, clock: this.clock, name: 'discovery' });
  }

  /** When the cache was last refreshed (epoch ms), if ever. */
  get lastRefreshAt(): number | undefined {
    return this.refreshedAt;
  }

  /**
   * Instances of `service` from the cache; with `zone`, that zone's first. Never waits on discovery: a lookup
   * during a discovery outage answers from the last registry seen.
   */
  lookup(service: string, zone?: string): Registration[] {
    const found = this.registry.filter((r) => r.service === service);
    if (zone === undefined) return found;
    return [...found.filter((r) => r.zone === zone), ...found.filter((r) => r.zone !== zone)];
  }

  /** Refreshes the cache now, then every `refreshMs`. Resolves after the first refresh, successful or not. */
  async start(): Promise<void> {
    await this.refresh();
    this.scheduleRefresh();
  }

  /** Fetches the whole registry; on failure the cache is kept. @returns whether the refresh succeeded */
  async refresh(): Promise<boolean> {
    const response = await this.request('/v1/instances');
    if (!response?.ok) return false;
    const body = (await response.json()) as { instances: Registration[] };
    this.registry = body.instances;
    this.refreshedAt = this.clock.now();
    return true;
  }

  /** Registers `info` and keeps its lease alive until {@link DiscoveryClient.stop}. */
  async register(info: InstanceInfo): Promise<boolean> {
    this.registered = info;
    const ok = await this.sendRegistration();
    this.scheduleHeartbeat();
    return ok;
  }

  /** Stops the loops and, if registered, deregisters (best effort: discovery may be down). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.heartbeatTimer?.cancel();
    this.refreshTimer?.cancel();
    if (this.registered) {
      const path = `/v1/instances/${encodeURIComponent(this.registered.instanceId)}`;
      await Promise.all(this.options.discoveryUrls.map((base) => this.requestOne(base, path, { method: 'DELETE' })));
    }
    this.perRequest.dispose();
  }

  /**
   * Registers with every discovery instance of the region, not only the first that answers: each then holds the
   * whole region, so a discovery instance that dies and comes back refills within one heartbeat, and a client that
   * reads from any of them sees everyone (Eureka replicates between peers for the same reason).
   */
  private async sendRegistration(urls: readonly string[] = this.options.discoveryUrls): Promise<boolean> {
    const answers = await Promise.all(
      urls.map((base) =>
        this.requestOne(base, '/v1/instances', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(this.registered),
        }),
      ),
    );
    return answers.some((response) => response?.status === 201);
  }

  private async heartbeat(): Promise<void> {
    if (!this.registered) return;
    const path = `/v1/instances/${encodeURIComponent(this.registered.instanceId)}/heartbeat`;
    const bases = this.options.discoveryUrls;
    const answers = await Promise.all(bases.map((base) => this.requestOne(base, path, { method: 'PUT' })));
    // Evicted while we could not reach it, or restarted empty: register again there.
    const forgotten = bases.filter((_, i) => answers[i]?.status === 404);
    if (forgotten.length > 0) await this.sendRegistration(forgotten);
  }

  private scheduleHeartbeat(): void {
    if (this.stopped) return;
    this.heartbeatTimer = this.clock.setTimer(
      () => void this.heartbeat().finally(() => this.scheduleHeartbeat()),
      this.options.heartbeatMs ?? 1_000,
      { keepAlive: false },
    );
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refreshTimer = this.clock.setTimer(
      () => void this.refresh().finally(() => this.scheduleRefresh()),
      this.options.refreshMs ?? 1_000,
      { keepAlive: false },
    );
  }

  /** Sends a request to the first discovery instance that answers in time; `undefined` when none does. */
  private async request(path: string, init: RequestInit = {}): Promise<Response | undefined> {
    for (const base of this.options.discoveryUrls) {
      const response = await this.requestOne(base, path, init);
      if (response) return response;
    }
    this.logger.warn({ path }, 'no discovery instance answered; keeping the cached registry');
    return undefined;
  }

  /** Sends a request to one discovery instance; `undefined` when it does not answer in time. */
  private async requestOne(base: string, path: string, init: RequestInit): Promise<Response | undefined> {
    const token = this.options.stackToken;
    const headers = new Headers(init.headers);
    // Only what changes the registry needs the token; lookups stay open.
    if (token !== undefined && init.method !== undefined && init.method !== 'GET') headers.set('authorization', `Bearer ${token}`);
    try {
      return await this.perRequest.execute(({ signal }) => this.fetch(new URL(path, base), { ...init, headers, signal }));
    } catch (error) {
      this.logger.debug({ err: error, discovery: base, path }, 'discovery instance unreachable');
      return undefined;
    }
  }
}
