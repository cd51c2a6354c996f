/**
 * @module
 * RED metrics of an HTTP service: `http_requests_total{service,route,method,code}` and
 * `http_request_duration_seconds{service,route,method}`, with region, zone and instance as default labels.
 *
 * Routes are the registered patterns (`/titles/:id`), never raw paths, so label sets stay bounded. The error
 * series of every route exist from start-up at 0: a counter that first appears at 1 hides that first error from
 * `rate()` and `increase()`.
 */
import type { Hono, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { ServiceIdentity } from './identity.js';

/** Status codes whose series exist before the first request: success and the errors SLOs count. */
const PRECREATED_CODES = ['200', '500', '502', '503', '504'];

/** Buckets for request durations, in seconds. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** The HTTP metrics of one service instance. */
export class HttpMetrics {
  private readonly requests: Counter<'service' | 'route' | 'method' | 'code'>;
  private readonly durations: Histogram<'service' | 'route' | 'method'>;

  constructor(
    private readonly identity: ServiceIdentity,
    registry: Registry,
  ) {
    registry.setDefaultLabels({ region: identity.region, zone: identity.zone, instance: identity.instanceId });
    this.requests = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by route pattern, method and status code.',
      labelNames: ['service', 'route', 'method', 'code'],
      registers: [registry],
    });
    this.durations = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to answer an HTTP request, in seconds.',
      labelNames: ['service', 'route', 'method'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  }

  /** Middleware that counts and times every request; `now` is a monotonic millisecond clock. */
  middleware(now: () => number): MiddlewareHandler {
    return async (c, next) => {
      const started = now();
      try {
        await next();
      } finally {
        // A request no route matched ends on this middleware's own wildcard pattern.
        const matched = routePath(c, -1);
        const route = matched.endsWith('*') ? 'unmatched' : matched;
        const labels = { service: this.identity.service, route, method: c.req.method };
        this.requests.inc({ ...labels, code: String(c.res.status) });
        this.durations.observe(labels, (now() - started) / 1000);
      }
    };
  }

  /** Creates the series of every route of `app` at 0, for success and error codes. */
  precreate(app: Hono): void {
    for (const { method, path } of app.routes) {
      if (method === 'ALL' || path.endsWith('*')) continue;
      const labels = { service: this.identity.service, route: path, method };
      for (const code of PRECREATED_CODES) this.requests.labels({ ...labels, code }).inc(0);
      this.durations.labels(labels);
    }
  }
}
