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
import { bufferedAnswer, createHttpFetch } from '../service-kit/http-fetch.js';
import type { InstanceInfo, Registration } from './instance-registry.js';

/** The process's discovery clients share a keep-alive pool on node:http (see `http-fetch.ts`). */
const discoveryFetch = createHttpFetch({ maxSockets: 8 });

/** Options of {@link DiscoveryClient}. */
export interface DiscoveryClientOptions {
  /** The discovery instances of this region, tried in order. */
  discoveryUrls: readonly string[];
  clock?: Clock;
  /** @default a fetch over node:http with a keep-alive pool, shared by the process's discovery clients */
  fetch?: typeof fetch;
  logger?: Logger;
  /** How often the cached registry is refreshed. @default 1_000 */
  refreshMs?: number;
  /** How often a registered instance renews its lease. @default 1_000 */
  heartbeatMs?: number;
  /** Time allowed for one request to one discovery instance, its answer read in full. @default 500 */
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
  private refreshing: Promise<boolean> | undefined;
  private stopped = false;
  private readonly clock: Clock;
  private readonly fetch: typeof fetch;
  private readonly logger: Logger;
  private readonly perRequest: TimeoutPolicy;

  constructor(private readonly options: DiscoveryClientOptions) {
    if (options.discoveryUrls.length === 0) throw new TypeError('DiscoveryClient: discoveryUrls must not be empty');
    this.clock = options.clock ?? systemClock;
    this.fetch = options.fetch ?? discoveryFetch;
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

  /** Fetches the whole registry; on failure the cache is kept. Never rejects. @returns whether the refresh succeeded */
  async refresh(): Promise<boolean> {
    // Callers that find nobody all ask at once (every request to a service that just came up): one read serves them.
    if (this.refreshing) return this.refreshing;
    const reading = this.fetchRegistry();
    this.refreshing = reading;
    const done = (): void => {
      if (this.refreshing === reading) this.refreshing = undefined;
    };
    reading.then(done, done);
    return reading;
  }

  private async fetchRegistry(): Promise<boolean> {
    const registry = await this.request('/v1/instances', {}, readRegistry);
    if (!registry) return false;
    this.registry = registry;
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
      await Promise.all(this.options.discoveryUrls.map((base) => this.requestOne(base, path, { method: 'DELETE' }, readStatus)));
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
        this.requestOne(
          base,
          '/v1/instances',
          { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(this.registered) },
          readStatus,
        ),
      ),
    );
    return answers.some((status) => status === 201);
  }

  private async heartbeat(): Promise<void> {
    if (!this.registered) return;
    const path = `/v1/instances/${encodeURIComponent(this.registered.instanceId)}/heartbeat`;
    const bases = this.options.discoveryUrls;
    const answers = await Promise.all(bases.map((base) => this.requestOne(base, path, { method: 'PUT' }, readStatus)));
    // Evicted while we could not reach it, or restarted empty: register again there.
    const forgotten = bases.filter((_, i) => answers[i] === 404);
    if (forgotten.length > 0) await this.sendRegistration(forgotten);
  }

  private scheduleHeartbeat(): void {
    if (this.stopped) return;
    // heartbeat() and refresh() do not reject; the catch is for what they might call one day, since a rejection
    // nobody handles ends the process.
    this.heartbeatTimer = this.clock.setTimer(
      () =>
        void this.heartbeat()
          .catch((error: unknown) => this.logger.warn({ err: error }, 'heartbeat failed'))
          .finally(() => this.scheduleHeartbeat()),
      this.options.heartbeatMs ?? 1_000,
      { keepAlive: false },
    );
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.refreshTimer = this.clock.setTimer(
      () =>
        void this.refresh()
          .catch((error: unknown) => this.logger.warn({ err: error }, 'registry refresh failed'))
          .finally(() => this.scheduleRefresh()),
      this.options.refreshMs ?? 1_000,
      { keepAlive: false },
    );
  }

  /** Asks the discovery instances in turn for what `read` makes of an answer; `undefined` when none gave one. */
  private async request<T>(path: string, init: RequestInit, read: (response: Response) => Promise<T | undefined>): Promise<T | undefined> {
    for (const base of this.options.discoveryUrls) {
      const answer = await this.requestOne(base, path, init, read);
      if (answer !== undefined) return answer;
    }
    this.logger.warn({ path }, 'no discovery instance answered; keeping the cached registry');
    return undefined;
  }

  /**
   * Sends a request to one discovery instance and reads its answer with `read`, both within the request timeout;
   * `undefined` when it does not answer in time or its answer cannot be read. Never rejects.
   */
  private async requestOne<T>(
    base: string,
    path: string,
    init: RequestInit,
    read: (response: Response) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const token = this.options.stackToken;
    const headers: Record<string, string> = { ...(init.headers as Record<string, string> | undefined) };
    // Only what changes the registry needs the token; lookups stay open.
    if (token !== undefined && init.method !== undefined && init.method !== 'GET') headers['authorization'] = `Bearer ${token}`;
    try {
      return await this.perRequest.execute(async ({ signal }) => read(await this.fetch(new URL(path, base), { ...init, headers, signal })));
    } catch (error) {
      this.logger.debug({ err: error, discovery: base, path }, 'discovery instance unreachable or its answer unreadable');
      return undefined;
    }
  }
}

/*
 * Both readers take the answer as bytes (`bufferedAnswer`): every instance sends a heartbeat to each discovery
 * instance of its region and reads the registry every second, and reading each answer as a web Response builds
 * undici's Response and a web stream around bytes already in hand.
 */

/** The status of an answer (its body is read in full, so the connection goes back to the pool). */
async function readStatus(response: Response): Promise<number> {
  return (await bufferedAnswer(response)).status;
}

/** The registrations of a 2xx answer; `undefined` for any other answer, or one that is not a registry. */
async function readRegistry(response: Response): Promise<Registration[] | undefined> {
  const answer = await bufferedAnswer(response);
  if (answer.status < 200 || answer.status > 299) return undefined;
  const body = JSON.parse(answer.body === null ? 'null' : Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength).toString('utf8')) as {
    instances?: unknown;
  } | null;
  const instances = body?.instances;
  if (!Array.isArray(instances) || !instances.every(isRegistration)) throw new TypeError('the answer is not a registry');
  return instances;
}

function isRegistration(value: unknown): value is Registration {
  const r = value as Partial<Record<keyof Registration, unknown>> | null;
  return typeof r?.instanceId === 'string' && typeof r.service === 'string' && typeof r.zone === 'string' && typeof r.address === 'string';
}
