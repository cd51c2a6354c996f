/**
 * @module
 * Gathers a {@link LocalSnapshot} of the running reference stack: the only I/O of the local audit. Every instance
 * is asked on its own address (not through its fault proxy, whose toxics would make a healthy instance look sick):
 * `GET /health`, `GET /metrics`, and the harmless unauthenticated writes of `local-write-routes.ts`; discovery's
 * registry is read from every discovery instance; the listening sockets of every process come from `/proc`.
 * Nothing here changes the stack.
 */
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Instance } from '../../core/model.js';
import { PID_TAG, type AdminInstance } from '../../providers/local/local-provider.js';
import { parseExposition } from '../../slo/exposition-parser.js';
import { matchRegistrations, UNREGISTERED_SERVICES, type RegistrationEntry } from '../doctor/local-registrations.js';
import type { InstanceFacts, LocalSnapshot, PolicyUse, ProcessListeners, UnauthenticatedProbe } from './local-snapshot.js';
import { SERVICE_WRITE_ROUTES, STACK_ADMIN_WRITE_ROUTES, TOXIPROXY_WRITE_ROUTES, type WriteRouteProbe } from './local-write-routes.js';
import { listeningSockets } from './proc-listeners.js';

/** The stack's own process (`simian stack up`), from `<state dir>/stack.json`. */
export interface StackProcess {
  readonly pid: number;
  /** Its admin API. */
  readonly adminUrl: string;
  /** The Toxiproxy admin API it serves. */
  readonly toxiproxyUrl?: string;
}

/** Options of {@link collectLocalSnapshot}. */
export interface CollectLocalSnapshotOptions {
  /** The stack's inventory (`LocalProvider.adminInventory`). */
  readonly inventory: () => Promise<readonly AdminInstance[]>;
  /** The stack's own process, audited like an instance; absent: only the instances are. */
  readonly stack?: StackProcess;
  /** Takes the time of the snapshot and times the probes out. */
  readonly clock: Clock;
  /** How long one probe may take, its answer read in full, ms. */
  readonly timeoutMs: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Where procfs is mounted. @default '/proc' */
  readonly procRoot?: string;
  /**
   * Read the processes' listening sockets and send the unauthenticated write probes: what only the Security rules
   * read. The Conformity Monkey leaves them out, so a conformity run sends no request that could change anything.
   * @default true
   */
  readonly security?: boolean;
}

/** What an HTTP exchange came to: a status and the body, or why there was none. */
export type Exchange = { readonly status: number; readonly body: string } | { readonly error: string };

/** How the local collectors probe: what {@link readRegistrations} needs of their options. */
export type ProbeOptions = Pick<CollectLocalSnapshotOptions, 'clock' | 'timeoutMs' | 'fetch'>;

/**
 * One request whose answer, body included, comes within `timeoutMs` on the injected clock, or not at all. Never
 * rejects: a failure is an `{error}` saying what went wrong (`connection refused`, `no answer within 2000 ms`).
 */
export async function exchange(url: string, init: RequestInit, options: ProbeOptions): Promise<Exchange> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const giveUp = new AbortController();
  const timer = options.clock.setTimer(() => giveUp.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs, { keepAlive: false });
  try {
    const response = await fetchImpl(url, { ...init, redirect: 'manual', signal: giveUp.signal });
    return { status: response.status, body: await response.text() };
  } catch (error) {
    return { error: giveUp.signal.aborted ? errorMessage(giveUp.signal.reason) : describeFetchError(error) };
  } finally {
    timer.cancel();
  }
}

/** `fetch failed` says nothing: the socket error under it (ECONNREFUSED) does. */
function describeFetchError(error: unknown): string {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code === 'ECONNREFUSED' ? 'connection refused' : code;
  }
  return errorMessage(error);
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** `host:port` or a URL → a base URL. */
function baseUrl(address: string): string {
  return /^https?:\/\//.test(address) ? address : `http://${address}`;
}

/** The `owner` tag of an instance, as an optional field to spread (none when absent or empty). */
export function ownerOf(raw: AdminInstance): { owner?: string } {
  const owner = raw.tags?.['owner'];
  return owner === undefined || owner === '' ? {} : { owner };
}

/** The policies per `name` and the gateway's rate limit, from an instance's exposition. */
function readMetrics(text: string): { policies: PolicyUse[]; rateLimit: InstanceFacts['rateLimit'] } {
  const byName = new Map<string, Set<string>>();
  const limit: Record<string, number> = {};
  for (const sample of parseExposition(text)) {
    if (sample.name === 'resilience_calls_total') {
      const { name, policy } = sample.labels;
      if (name === undefined || policy === undefined) continue;
      byName.set(name, (byName.get(name) ?? new Set()).add(policy));
    } else if (sample.name === 'gateway_client_rate_limit' && sample.labels['setting'] !== undefined) {
      limit[sample.labels['setting']] = sample.value;
    }
  }
  const policies = [...byName].map(([name, set]) => ({ name, policies: [...set].sort() })).sort((a, b) => a.name.localeCompare(b.name));
  const rateLimit = limit['rate_per_second'] === undefined ? null : { ratePerSecond: limit['rate_per_second'], burst: limit['burst'] ?? 0 };
  return { policies, rateLimit };
}

async function probeWrites(resource: string, owner: { owner?: string }, base: string, routes: readonly WriteRouteProbe[], options: CollectLocalSnapshotOptions): Promise<UnauthenticatedProbe[]> {
  return Promise.all(
    routes.map(async (route) => {
      const url = new URL(route.path, base).href;
      const answer = await exchange(url, { method: route.method, ...(route.body === undefined ? {} : { body: route.body, headers: { 'content-type': 'application/json' } }) }, options);
      if (!('status' in answer)) return { resource, ...owner, method: route.method, url, openStatuses: route.openStatuses };
      const routeFound = !((answer.status === 404 || answer.status === 405) && !isJsonObject(answer.body));
      return { resource, ...owner, method: route.method, url, status: answer.status, openStatuses: route.openStatuses, routeFound };
    }),
  );
}

/**
 * The slot ids discovery lists, per region of the discovery instance that answered; a region absent: none
 * answered. `running` are the running instances of the inventory: its discovery instances are asked, and the
 * others are matched against what they list.
 */
export async function readRegistrations(running: readonly AdminInstance[], options: ProbeOptions): Promise<Map<string, Set<string>>> {
  // The doctor's matcher reads registrations against instances as the provider shows them: public address, pid tag.
  const asInstances: Instance[] = running.map((raw) => ({
    id: raw.id,
    group: raw.service,
    region: raw.region,
    zone: raw.zone,
    state: 'running',
    launchedAt: raw.launchedAt,
    ...(raw.publicAddress ?? raw.address ? { address: (raw.publicAddress ?? raw.address)! } : {}),
    tags: (typeof raw.pid === 'number' ? { [PID_TAG]: String(raw.pid) } : {}) as Record<string, string>,
  }));
  const byRegion = new Map<string, RegistrationEntry[]>();
  await Promise.all(
    running
      .filter((raw) => raw.service === 'discovery' && raw.address)
      .map(async (discovery) => {
        const answer = await exchange(new URL('/v1/instances', baseUrl(discovery.address!)).href, { headers: { accept: 'application/json' } }, options);
        if (!('status' in answer) || answer.status !== 200) return;
        let list: unknown;
        try {
          list = (JSON.parse(answer.body) as { instances?: unknown }).instances;
        } catch {
          return;
        }
        if (!Array.isArray(list)) return;
        const entries = list.flatMap((e: { instanceId?: unknown; address?: unknown }): RegistrationEntry[] =>
          typeof e?.instanceId === 'string' ? [{ instanceId: e.instanceId, ...(typeof e.address === 'string' ? { address: e.address } : {}) }] : [],
        );
        byRegion.set(discovery.region, [...(byRegion.get(discovery.region) ?? []), ...entries]);
      }),
  );
  return new Map([...byRegion].map(([region, entries]) => [region, matchRegistrations(entries, asInstances.filter((i) => i.region === region))]));
}

async function instanceFacts(raw: AdminInstance, registrations: Map<string, Set<string>>, options: CollectLocalSnapshotOptions): Promise<InstanceFacts> {
  const registers = !UNREGISTERED_SERVICES.includes(raw.service);
  const known = registrations.get(raw.region);
  const facts: InstanceFacts = {
    id: raw.id,
    service: raw.service,
    region: raw.region,
    zone: raw.zone,
    launchedAt: raw.launchedAt,
    ...(typeof raw.pid === 'number' ? { pid: raw.pid } : {}),
    ...ownerOf(raw),
    ...(registers && known !== undefined ? { registered: known.has(raw.id) } : {}),
  };
  if (!raw.address) return facts;
  const base = baseUrl(raw.address);
  const healthUrl = new URL('/health', base).href;
  const [health, metrics] = await Promise.all([exchange(healthUrl, { headers: { accept: 'application/json' } }, options), exchange(new URL('/metrics', base).href, {}, options)]);
  let read: ReturnType<typeof readMetrics> | undefined;
  if ('status' in metrics && metrics.status === 200) {
    try {
      read = readMetrics(metrics.body);
    } catch {
      // An exposition that does not parse says nothing about policies: cannot tell.
    }
  }
  return {
    ...facts,
    health: { url: healthUrl, ...('status' in health ? { status: health.status } : { error: health.error }) },
    ...(read === undefined ? {} : { policies: read.policies, ...(raw.service === 'gateway' ? { rateLimit: read.rateLimit } : {}) }),
  };
}

async function listenersOf(resource: string, owner: { owner?: string }, pid: number, procRoot: string | undefined): Promise<ProcessListeners> {
  try {
    return { resource, ...owner, pid, sockets: await listeningSockets(pid, procRoot) };
  } catch {
    return { resource, ...owner, pid };
  }
}

/**
 * Takes a snapshot of the running stack for the local Conformity and Security rules.
 *
 * @example
 * const snapshot = await collectLocalSnapshot({ inventory: () => provider.adminInventory(), stack: { pid: state.pid, adminUrl: state.adminUrl }, clock, timeoutMs: 2000 });
 * const findings = runRules(localSecurityRules(config.audit), snapshot);
 */
export async function collectLocalSnapshot(options: CollectLocalSnapshotOptions): Promise<LocalSnapshot> {
  const takenAt = options.clock.now();
  const running = (await options.inventory()).filter((raw) => raw.state === 'running');
  const registrations = await readRegistrations(running, options);
  const stackResource = options.stack === undefined ? undefined : `stack (pid ${options.stack.pid})`;
  const security = options.security ?? true;
  const [instances, listeners, probes] = await Promise.all([
    Promise.all(running.map((raw) => instanceFacts(raw, registrations, options))),
    !security ? [] : Promise.all([
      ...running.filter((raw) => typeof raw.pid === 'number').map((raw) => listenersOf(raw.id, ownerOf(raw), raw.pid!, options.procRoot)),
      ...(options.stack === undefined ? [] : [listenersOf(stackResource!, {}, options.stack.pid, options.procRoot)]),
    ]),
    !security ? [] : Promise.all([
      ...running
        .filter((raw) => raw.address && SERVICE_WRITE_ROUTES[raw.service] !== undefined)
        .map((raw) => probeWrites(raw.id, ownerOf(raw), baseUrl(raw.address!), SERVICE_WRITE_ROUTES[raw.service]!, options)),
      ...(options.stack === undefined
        ? []
        : [
            probeWrites(stackResource!, {}, options.stack.adminUrl, STACK_ADMIN_WRITE_ROUTES, options),
            ...(options.stack.toxiproxyUrl === undefined ? [] : [probeWrites(stackResource!, {}, options.stack.toxiproxyUrl, TOXIPROXY_WRITE_ROUTES, options)]),
          ]),
    ]).then((lists) => lists.flat()),
  ]);
  return { takenAt, instances, listeners, probes };
}
