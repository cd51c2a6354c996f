import type { Hono } from 'hono';

/**
 * A `fetch` that routes requests to in-process apps by origin, so services can be tested together without
 * sockets. An origin that is missing or marked down answers like a refused connection (a TypeError, as fetch does).
 */
export function appFetch(apps: Record<string, Hono>, down: Set<string> = new Set()): typeof fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    const origin = new URL(request.url).origin;
    const app = apps[origin];
    if (!app || down.has(origin)) throw new TypeError(`fetch failed: connection refused (${origin})`);
    init?.signal?.throwIfAborted();
    return app.fetch(request);
  }) as typeof fetch;
}
