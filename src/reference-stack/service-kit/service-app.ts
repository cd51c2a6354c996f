/**
 * @module
 * The frame every reference-stack service shares: a Hono app with RED metrics, `/health` and `/metrics`, and a
 * bound on request bodies (413 past {@link MAX_REQUEST_BODY_BYTES}, counted like any answer), so no client can make
 * an instance buffer what it likes. A service is an app factory: tests call `app.request(...)` in-process; only the
 * instance runtime binds a port.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { Registry } from 'prom-client';
import { systemClock, type Clock } from '../../core/clock.js';
import { HttpMetrics } from './http-metrics.js';
import type { ServiceIdentity } from './identity.js';

/**
 * The largest request body any service accepts, in bytes. The stack's bodies are a login, a subscription, a
 * discovery registration: well under a kilobyte.
 */
export const MAX_REQUEST_BODY_BYTES = 64 * 1024;

/** What every service factory receives. */
export interface ServiceContext {
  readonly identity: ServiceIdentity;
  readonly clock: Clock;
  /** The instance's own registry; `/metrics` serves it. */
  readonly registry: Registry;
}

/** Options of {@link createServiceApp}. */
export interface ServiceAppOptions {
  identity: ServiceIdentity;
  /** Adds the service's own routes. */
  routes: (app: Hono, context: ServiceContext) => void;
  /** Extra health detail; an answer of `ok: false` turns `/health` into a 503. */
  health?: () => { ok: boolean; [detail: string]: unknown };
  clock?: Clock;
  registry?: Registry;
}

/** A built service: its app and the context it was built with. */
export interface ServiceApp {
  readonly app: Hono;
  readonly context: ServiceContext;
}

/**
 * Builds a service app.
 *
 * @example
 * const { app } = createServiceApp({ identity, routes: (app) => app.get('/titles', (c) => c.json(titles)) });
 * await app.request('/health'); // 200 {"status":"ok","service":"catalog",...}
 */
export function createServiceApp(options: ServiceAppOptions): ServiceApp {
  const context: ServiceContext = {
    identity: options.identity,
    clock: options.clock ?? systemClock,
    registry: options.registry ?? new Registry(),
  };
  const metrics = new HttpMetrics(context.identity, context.registry);
  const app = new Hono();
  app.use('*', metrics.middleware(() => context.clock.monotonic()));
  // Before any route reads a body: a Content-Length past the limit is refused unread, a chunked body once it gets there.
  const tooLarge = (c: Context) => c.json({ error: `request body larger than ${MAX_REQUEST_BODY_BYTES} bytes` }, 413);
  const chunkedLimit = bodyLimit({ maxSize: MAX_REQUEST_BODY_BYTES, onError: tooLarge });
  // Most requests (lookups, heartbeats, scrapes) carry no body, and hono's bodyLimit reads `c.req.raw`, which makes
  // the Node adapter build a full Request for every one of them: measured here, that cost the idle `default` stack
  // 45% more CPU. Headers are enough to judge a body of known length (Node reads exactly that many bytes); only a
  // body of unknown length (chunked) goes through bodyLimit, which counts it as it streams.
  app.use('*', async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const length = c.req.header('content-length');
    if (length !== undefined) return Number(length) > MAX_REQUEST_BODY_BYTES ? tooLarge(c) : next();
    return chunkedLimit(c, next);
  });
  app.get('/health', (c) => {
    const detail = options.health?.() ?? { ok: true };
    return c.json({ status: detail.ok ? 'ok' : 'unhealthy', ...context.identity, ...detail }, detail.ok ? 200 : 503);
  });
  app.get('/metrics', async (c) => {
    c.header('Content-Type', context.registry.contentType);
    return c.body(await context.registry.metrics());
  });
  options.routes(app, context);
  metrics.precreate(app);
  return { app, context };
}
