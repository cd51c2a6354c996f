/**
 * @module
 * The front door: sends each viewer to the gateway of their home region, and to another region when the home
 * region is evacuated (Chaos Kong, an operator) or failing — Netflix's active-active multi-region, in small.
 *
 * - `* /api/...` → forwarded to a gateway; `x-simian-failover: true` when served away from home
 * - `GET /api/...` with `x-simian-region: R` → served by region R only, evacuated or not, with no failover (400 for
 *   an unknown region): for a client that must read what each region answers, such as the load generator reading
 *   every region's billing. A read moves no viewer traffic; writes ignore the header and go home.
 * - `GET /health` → also lists the `regions` (in failover order) and the `evacuated` ones
 * - `GET /admin/regions` → {regions: [{name, evacuated}]}
 * - `POST /admin/regions/:region/evacuate`, `POST /admin/regions/:region/restore` → 204, 404 for an unknown region:
 *   this front door only, for one run alone
 * - `PUT /admin/evacuations` {version, evacuated: [region…]} → 204, 400 for a malformed list or an unknown region:
 *   the whole list from the stack, which holds it for every front door (`region-evacuations.ts`); a version older
 *   than the one held is ignored, so two sends that cross leave the newer
 * - the admin routes require the stack token (`Authorization: Bearer …`: 401 without) and refuse web pages
 *   (`Origin`: 403)
 *
 * The home region comes from the viewer's token (read, not verified: routing needs a hint, and the gateway is the
 * one that verifies) or, at login, from the username.
 */
import type { Context } from 'hono';
import { decodeJwt } from 'jose';
import type { Clock } from '../../core/clock.js';
import { RetryBudget } from '../../resilience/retry-budget.js';
import { requireStackToken } from '../service-kit/admin-guard.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { bufferedAnswer } from '../service-kit/http-fetch.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import { ServiceClient, type InstanceLookup } from '../service-kit/service-client.js';
import { homeRegionOf } from '../services/home-region.js';

/** The evacuated regions at one version: what the stack sends every front door, and launches each with. */
export interface EvacuationState {
  /** Grows with every change; a front door ignores a state older than the one it holds. */
  readonly version: number;
  readonly evacuated: readonly string[];
}

/** Options of {@link createFrontDoorService}. */
export interface FrontDoorOptions {
  identity: ServiceIdentity;
  /** The regions, in failover order, each with the discovery view that lists its gateways. */
  regions: ReadonlyArray<{ readonly name: string; readonly discovery: InstanceLookup }>;
  /** The token the evacuate and restore routes require (see `stack-token.ts`). */
  stackToken: string;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Time allowed per gateway attempt; longer than a gateway's own request budget, so the gateway's fallbacks answer. @default 4_000 */
  gatewayTimeoutMs?: number;
  /** The regions evacuated when this front door starts (the stack's list at launch). @default none */
  evacuation?: EvacuationState;
}

/** The front door app, with its evacuation switches for the monkeys and tests. */
export interface FrontDoor extends ServiceApp {
  evacuate(region: string): boolean;
  restore(region: string): boolean;
  readonly evacuated: ReadonlySet<string>;
}

/** Pins a read to one region: see the module's description. */
export const REGION_HEADER = 'x-simian-region';

/** Headers about the connection to the gateway, not the answer: not passed on to the viewer (RFC 9110, 7.6.1). */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);
const FORWARDED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'x-request-id', 'accept', 'x-forwarded-for'];

/** Builds the front door app. */
export function createFrontDoorService(options: FrontDoorOptions): FrontDoor {
  if (options.regions.length === 0) throw new TypeError('front door: at least one region is required');
  const names = options.regions.map((r) => r.name);
  const evacuated = new Set<string>(options.evacuation?.evacuated.filter((r) => names.includes(r)));
  let evacuationVersion = options.evacuation?.version ?? 0;
  const built = createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    health: () => ({ ok: evacuated.size < names.length, regions: names, evacuated: [...evacuated] }),
    routes: (app, context) => {
      const gateways = new Map(
        options.regions.map((region) => [
          region.name,
          new ServiceClient({
            target: 'gateway',
            zone: '',
            discovery: region.discovery,
            clock: context.clock,
            timeoutMs: options.gatewayTimeoutMs ?? 4_000,
            budget: new RetryBudget({ name: `gateway-${region.name}`, clock: context.clock }),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
        ]),
      );

      app.get('/admin/regions', (c) => c.json({ regions: names.map((name) => ({ name, evacuated: evacuated.has(name) })) }));
      const admin = requireStackToken(options.stackToken);
      app.post('/admin/regions/:region/evacuate', admin, (c) => (frontDoor.evacuate(c.req.param('region')) ? c.body(null, 204) : unknownRegion(c)));
      app.post('/admin/regions/:region/restore', admin, (c) => (frontDoor.restore(c.req.param('region')) ? c.body(null, 204) : unknownRegion(c)));
      app.put('/admin/evacuations', admin, async (c) => {
        const state = readEvacuationState(await c.req.json().catch(() => undefined), names);
        if (typeof state === 'string') return c.json({ error: `invalid evacuation list: ${state}` }, 400);
        if (state.version > evacuationVersion) {
          evacuationVersion = state.version;
          evacuated.clear();
          for (const region of state.evacuated) evacuated.add(region);
        }
        return c.body(null, 204);
      });

      app.all('/api/*', async (c) => {
        const body = c.req.method === 'GET' || c.req.method === 'HEAD' ? undefined : await c.req.text();
        const home = homeRegion(c, body, names);
        const pinned = body === undefined ? c.req.header(REGION_HEADER) : undefined;
        if (pinned !== undefined && !names.includes(pinned)) {
          return c.json({ error: `${REGION_HEADER}: unknown region "${pinned}" (regions: ${names.join(', ')})` }, 400);
        }
        // Home first, then the others in the configured order; evacuated regions only if nothing else is left.
        const order = [home, ...names.filter((n) => n !== home)];
        const candidates = pinned ? [pinned] : [...order.filter((n) => !evacuated.has(n)), ...order.filter((n) => evacuated.has(n))];
        const headers: Record<string, string> = {};
        for (const name of FORWARDED_HEADERS) {
          const value = c.req.header(name);
          if (value !== undefined) headers[name] = value;
        }
        const path = new URL(c.req.url);
        let lastError: unknown;
        for (const region of candidates) {
          try {
            const response = await gateways.get(region)!.request(`${path.pathname}${path.search}`, {
              method: c.req.method,
              headers,
              ...(body !== undefined ? { body } : {}),
              // No signal from the viewer's request: see the gateway's routes (reading `c.req.raw` costs a whole
              // web Request per call); the per-attempt timeout bounds a call whose viewer hung up.
              // A login changes nothing: another gateway may take it if the first one dies mid-request.
              idempotent: path.pathname === '/api/login',
            });
            // The gateway's whole answer (the stack's answers are small JSON or one segment), passed on as bytes
            // and a plain record of headers, which @hono/node-server writes without building a web Response.
            const answer = await bufferedAnswer(response);
            const passed: Record<string, string> = { 'x-simian-home-region': home };
            for (const name in answer.headers) if (!HOP_BY_HOP.has(name)) passed[name] = answer.headers[name]!;
            if (region !== home) passed['x-simian-failover'] = 'true';
            return new Response(answer.body, { status: answer.status, headers: passed });
          } catch (error) {
            lastError = error;
          }
        }
        return c.json({ error: `no region could serve the request: ${lastError instanceof Error ? lastError.message : String(lastError)}` }, 503);
      });
    },
  });

  const frontDoor: FrontDoor = {
    ...built,
    evacuated,
    evacuate: (region) => names.includes(region) && (evacuated.add(region), true),
    restore: (region) => names.includes(region) && (evacuated.delete(region), true),
  };
  return frontDoor;
}

/** The list a `PUT /admin/evacuations` carries, or what is wrong with it. */
function readEvacuationState(body: unknown, regions: readonly string[]): EvacuationState | string {
  const input = body as { version?: unknown; evacuated?: unknown } | null | undefined;
  if (typeof input !== 'object' || input === null) return 'expected {version, evacuated}';
  if (!Number.isSafeInteger(input.version) || (input.version as number) < 0) return 'version: expected an integer >= 0';
  if (!Array.isArray(input.evacuated) || !input.evacuated.every((r): r is string => typeof r === 'string')) return 'evacuated: expected a list of regions';
  const unknown = input.evacuated.find((r) => !regions.includes(r));
  if (unknown !== undefined) return `evacuated: unknown region "${unknown}" (regions: ${regions.join(', ')})`;
  return { version: input.version as number, evacuated: input.evacuated };
}

function unknownRegion(c: Context): Response {
  return c.json({ error: `unknown region "${c.req.param('region')}"` }, 404);
}

/** The viewer's home region: from the token, or from the username at login; the first region otherwise. */
function homeRegion(c: Context, body: string | undefined, regions: readonly string[]): string {
  const authorization = c.req.header('authorization');
  if (authorization?.startsWith('Bearer ')) {
    try {
      const claimed = decodeJwt(authorization.slice(7))['homeRegion'];
      if (typeof claimed === 'string' && regions.includes(claimed)) return claimed;
    } catch {
      // A malformed token is the gateway's to refuse; route it home by default.
    }
  }
  if (body && c.req.path === '/api/login') {
    try {
      const username = (JSON.parse(body) as { username?: unknown }).username;
      if (typeof username === 'string') return homeRegionOf(username, regions);
    } catch {
      // Malformed login: the user service answers 400 wherever it goes.
    }
  }
  return regions[0]!;
}
