/**
 * @module
 * The admin API of a running stack, served by the `simian stack up` process on a loopback port (`adminUrl` in
 * stack.json):
 *
 * - `GET /inventory` → `{instances: [...]}`: every instance with its pid, addresses, state and restarts
 * - `GET /metrics` → what every simian run decided against this stack (Prometheus text)
 * - `GET /health` → `{status: "ok"}`
 * - `POST /instances/:id/terminate` `{pid, signal?}` → 200 `{id, pid, signal}`; 404 for an unknown instance; 409 when
 *   the slot no longer runs `pid` (it was replaced or is not running). The supervisor signals its own child by slot
 *   id, so a stale inventory never gets an unrelated process killed. Requires the stack token (401 without) and
 *   refuses web pages (403).
 * - `GET /admin/regions` → `{regions: [{name, evacuated}]}`
 * - `POST /admin/regions/:region/evacuate`, `POST /admin/regions/:region/restore` → 204 once every running front
 *   door has the new list (`region-evacuations.ts`), 404 for an unknown region, 502 when a running front door did
 *   not take it (the stack keeps the list). The front door's own routes, so a traffic shift posts here as it would
 *   to a lone front door. Require the stack token and refuse web pages, like terminate.
 *
 * The read-only routes stay open: status, Prometheus and the monkeys' inventories read them.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import { requireStackToken } from '../service-kit/admin-guard.js';
import type { SignalOutcome } from '../supervisor/supervisor.js';
import type { RegionEvacuations } from './region-evacuations.js';

/** The signals a termination may send. */
export const TERMINATE_SIGNALS = ['SIGKILL', 'SIGTERM'] as const;

/** Options of {@link createStackAdminApi}. */
export interface StackAdminApiOptions {
  /** The token `POST /instances/:id/terminate` requires. */
  readonly stackToken: string;
  /** The instances as `GET /inventory` lists them. */
  inventory(): readonly unknown[];
  /** Signals slot `id` if it still runs `pid` (`Supervisor.signal`). */
  signal(id: string, signal: (typeof TERMINATE_SIGNALS)[number], pid: number): SignalOutcome;
  /** The Prometheus text of `GET /metrics`. */
  metrics(): Promise<string>;
  /** The stack's evacuated regions; without them, the region routes answer 404. */
  readonly evacuations?: Pick<RegionEvacuations, 'regions' | 'state' | 'evacuate' | 'restore'>;
}

const terminateBody = z.object({
  pid: z.number({ error: 'expected the pid of the process to terminate, as the inventory showed it' }).int().positive(),
  signal: z.enum(TERMINATE_SIGNALS, { error: `expected one of ${TERMINATE_SIGNALS.join(', ')}` }).default('SIGKILL'),
});

/**
 * Builds the stack's admin app; serve it with `createAdaptorServer({ fetch: app.fetch })` on 127.0.0.1.
 *
 * @example
 * const app = createStackAdminApi({ stackToken, inventory: () => stack.inventory(), signal: (id, s, pid) => stack.supervisor.signal(id, s, pid), metrics });
 * await app.request('/instances/catalog-us-east-1a-0/terminate', { method: 'POST', headers: { authorization: `Bearer ${stackToken}` }, body: '{"pid": 4242}' });
 */
export function createStackAdminApi(options: StackAdminApiOptions): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'ok' }));
  app.get('/inventory', (c) => c.json({ instances: options.inventory() }));
  app.get('/metrics', async (c) => {
    try {
      const text = await options.metrics();
      return c.body(text, 200, { 'content-type': 'text/plain; version=0.0.4' });
    } catch {
      return c.body(null, 503);
    }
  });
  app.post(
    '/instances/:id/terminate',
    requireStackToken(options.stackToken),
    bodyLimit({ maxSize: 4096, onError: (c) => c.json({ error: 'request body larger than 4096 bytes' }, 413) }),
    async (c) => {
      const id = c.req.param('id');
      const parsed = terminateBody.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return c.json({ error: `invalid termination: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'expected a JSON object'}` }, 400);
      }
      const { pid, signal } = parsed.data;
      const done = options.signal(id, signal, pid);
      switch (done.outcome) {
        case 'signalled':
          return c.json({ id, pid, signal });
        case 'unknown':
          return c.json({ error: `no instance ${id} in this stack` }, 404);
        case 'notRunning':
          return c.json({ error: `instance ${id} is not running (${done.state}): pid ${pid} is gone` }, 409);
        case 'replaced':
          return c.json({ error: `instance ${id} now runs pid ${done.pid}, not ${pid}: it was replaced` }, 409);
      }
    },
  );
  const evacuations = options.evacuations;
  if (evacuations) {
    app.get('/admin/regions', (c) => {
      const { evacuated } = evacuations.state;
      return c.json({ regions: evacuations.regions.map((name) => ({ name, evacuated: evacuated.includes(name) })) });
    });
    for (const action of ['evacuate', 'restore'] as const) {
      app.post(`/admin/regions/:region/${action}`, requireStackToken(options.stackToken), async (c) => {
        const region = c.req.param('region');
        try {
          if (await evacuations[action](region)) return c.body(null, 204);
          return c.json({ error: `unknown region "${region}" (regions: ${evacuations.regions.join(', ')})` }, 404);
        } catch (error) {
          return c.json({ error: error instanceof Error ? error.message : String(error) }, 502);
        }
      });
    }
  }
  return app;
}
