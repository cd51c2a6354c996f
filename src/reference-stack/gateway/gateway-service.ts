/**
 * @module
 * The gateway of a region (like Zuul): pre-filters (viewer token, a rate limit per viewer, or per connection address
 * before login), routing by path to a service found through discovery (zone-aware, retried on another instance by
 * the service client), post-filters (metrics, identifying headers). The public API is the table in routes.ts.
 *
 * Errors are mapped so a client can tell them apart: 401 no or bad token, 429 rate limited (with Retry-After),
 * 502 an upstream failed, 503 no instance or an open circuit, 504 an upstream was too slow.
 */
import type { Context } from 'hono';
import { Gauge } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import { RetryBudget } from '../../resilience/retry-budget.js';
import { ViewerTokenVerifier } from '../service-kit/auth.js';
import { bufferedAnswer } from '../service-kit/http-fetch.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import { ServiceClient, type InstanceLookup } from '../service-kit/service-client.js';
import { remoteAddressOf } from '../service-kit/remote-address.js';
import { upstreamStatus } from '../service-kit/upstream-status.js';
import { ClientRateLimits } from './client-rate-limits.js';
import { GATEWAY_ROUTES, type GatewayRoute } from './routes.js';

/** Options of {@link createGatewayService}. */
export interface GatewayServiceOptions {
  identity: ServiceIdentity;
  discovery: InstanceLookup;
  /** Verifies viewer tokens; the user service signs with the same secret. */
  tokenSecret: string;
  clock?: Clock;
  fetch?: typeof fetch;
  /**
   * Sent as `Authorization: Bearer <stackToken>` with every upstream request that changes state, so the services
   * behind (billing) can refuse writes that do not come through a gateway. The viewer's own token never goes upstream.
   */
  stackToken?: string;
  /** Per-client limits. @default 50 per second, bursts of 100 */
  rateLimit?: { ratePerSecond?: number; burst?: number };
  /** Time allowed per upstream attempt. @default 1_000 */
  upstreamTimeoutMs?: number;
  /** Time a client request may take in all, retries included, before a fallback answers. @default 2_000 */
  requestBudgetMs?: number;
}

/** Headers passed upstream; everything else stays at the edge of the stack. */
const FORWARDED_HEADERS = ['content-type', 'idempotency-key', 'x-request-id', 'accept'];

/** Builds the gateway app. */
export function createGatewayService(options: GatewayServiceOptions): ServiceApp {
  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app, context) => {
      const clock = context.clock;
      const tokens = new ViewerTokenVerifier(options.tokenSecret, clock);
      const limits = new ClientRateLimits({ clock, ...options.rateLimit });
      // Said in the metrics so that an audit (Security Monkey's security.gateway-rate-limit) sees the limit in force.
      const limitGauge = new Gauge({
        name: 'gateway_client_rate_limit',
        help: 'The per-client rate limit of this gateway: setting rate_per_second (sustained) and burst.',
        labelNames: ['setting'],
        registers: [context.registry],
      });
      limitGauge.set({ setting: 'rate_per_second' }, limits.settings.ratePerSecond);
      limitGauge.set({ setting: 'burst' }, limits.settings.burst);
      const clients = new Map<string, ServiceClient>();
      const clientFor = (target: string): ServiceClient => {
        let client = clients.get(target);
        if (!client) {
          client = new ServiceClient({
            target,
            zone: options.identity.zone,
            discovery: options.discovery,
            clock,
            metrics: context.registry,
            timeoutMs: options.upstreamTimeoutMs ?? 1_000,
            budget: new RetryBudget({ name: target, clock }),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          });
          clients.set(target, client);
        }
        return client;
      };

      // Every answer says which region, zone and gateway served it. Set before the route runs, so that hono adds
      // them to the answer it builds (c.json, a 404); the forward builds its answer itself and adds them there.
      // Set after, on the finished answer, they made @hono/node-server turn its plain headers into a Headers object.
      const servedBy = {
        'x-simian-region': options.identity.region,
        'x-simian-zone': options.identity.zone,
        'x-simian-gateway': options.identity.instanceId,
      };
      app.use('/api/*', async (c, next) => {
        for (const [name, value] of Object.entries(servedBy)) c.header(name, value);
        await next();
      });

      const handle = async (c: Context, route: GatewayRoute): Promise<Response> => {
        let userId: string | undefined;
        if (route.authenticated) {
          const header = c.req.header('authorization') ?? '';
          if (!header.startsWith('Bearer ')) return c.json({ error: 'a viewer token is required (Authorization: Bearer …)' }, 401);
          try {
            userId = (await tokens.verify(header.slice(7))).userId;
          } catch {
            return c.json({ error: 'invalid or expired viewer token' }, 401);
          }
        }
        // A viewer is limited by their verified id; before login, by the connection's address, never by a header
        // the client writes (rotating x-forwarded-for would give each request a bucket of its own).
        const client = userId !== undefined ? `viewer:${userId}` : `address:${remoteAddressOf(c) ?? 'unknown'}`;
        const permit = await limits.for(client).executeOutcome(() => undefined);
        if (!permit.ok) {
          const retryAfterMs = (permit.error as { retryAfterMs?: number }).retryAfterMs ?? 1000;
          c.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
          return c.json({ error: 'rate limit reached for this client' }, 429);
        }

        const request = { params: c.req.param() as Record<string, string>, query: new URL(c.req.url).searchParams, userId };
        const headers: Record<string, string> = {};
        for (const name of FORWARDED_HEADERS) {
          const value = c.req.header(name);
          if (value !== undefined) headers[name] = value;
        }
        let body: string | undefined;
        if (route.method === 'POST') {
          const json: unknown = await c.req.json().catch(() => undefined);
          if (typeof json !== 'object' || json === null || Array.isArray(json)) return c.json({ error: 'body: expected a JSON object' }, 400);
          body = JSON.stringify(route.body ? route.body(json as Record<string, unknown>, request) : json);
          headers['content-type'] = 'application/json';
        }
        if (route.method !== 'GET' && options.stackToken !== undefined) headers['authorization'] = `Bearer ${options.stackToken}`;
        try {
          const upstream = await clientFor(route.target).request(route.upstream(request), {
            method: route.method,
            headers,
            ...(body !== undefined ? { body } : {}),
            // No signal from the viewer's request: reading `c.req.raw` makes the Node adapter build a whole web
            // Request for every call (undici, web streams, an AbortSignal), a large share of a hop's CPU. A viewer who
            // hangs up leaves the upstream call to its deadline, which bounds it anyway.
            deadlineMs: options.requestBudgetMs ?? 2_000,
            ...(route.idempotent ? { idempotent: true } : {}),
          });
          // Passed on as the bytes it came in, without building a web Response around them (http-fetch.ts).
          const answer = await bufferedAnswer(upstream);
          return new Response(answer.body, { status: answer.status, headers: { 'content-type': answer.headers['content-type'] ?? 'application/json', ...servedBy } });
        } catch (error) {
          if (route.fallback) {
            const degraded = await clientFor(route.fallback.target)
              .json<unknown>(route.fallback.upstream, { deadlineMs: options.requestBudgetMs ?? 2_000 })
              .then(route.fallback.reshape, () => undefined);
            if (degraded !== undefined) {
              c.header('x-simian-fallback', 'true');
              return c.json(degraded as object);
            }
          }
          const status = upstreamStatus(error);
          return c.json({ error: `${route.target}: ${error instanceof Error ? error.message : String(error)}` }, status);
        }
      };

      for (const route of GATEWAY_ROUTES) app.on(route.method, route.path, (c) => handle(c, route));
    },
  });
}
