/**
 * @module
 * The daemon's HTTP API (bound to loopback unless `daemon.host` says otherwise). Every route but the probes needs
 * `Authorization: Bearer <token>`: without it, or with another token, 401 and nothing happens.
 *
 * - `GET /v1/plan`: today's plan with each entry's status
 * - `GET /v1/events?since=<ms>`: the daemon's recent events
 * - `GET /v1/history?limit=<n>`: what the state store remembers
 * - `GET /v1/chaos?since=<ms>` / `POST /v1/chaos`: SimianArmy's termination events and on-demand termination
 *   (400 bad body, 403 off or refused by the safety pipeline, 404 no such group, 410 nothing left to hit, 500
 *   failed, 503 not the leader)
 * - `GET /v1/kill-switch`, `POST /v1/kill-switch` `{"action": "engage" | "release"}`
 * - `GET /v1/janitor`: the Janitor's marks (with when each is cleaned) and opt-outs; `POST /v1/janitor/opt-outs`
 *   `{"resource": "vol-0abc", "reason": "…"}` opts a resource out (201), `DELETE /v1/janitor/opt-outs?resource=…`
 *   opts it back in (200, or 404 when it was not opted out). Any daemon answers, leader or not: marks live in the
 *   shared store, and opting out only ever makes the Janitor do less.
 * - `GET /metrics`: Prometheus text (scrape it with `authorization: { credentials_file: … }`)
 * - `GET /healthz` (the loop is alive) and `GET /readyz` (this daemon leads): open, because a kubelet's probe
 *   cannot read a Secret into a header; they say nothing but ok or not.
 */
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requireBearerToken } from '../../reference-stack/service-kit/admin-guard.js';
import type { DaemonControl, OnDemandOutcome } from '../daemon-control.js';
import { parseOnDemandChaos } from './on-demand-chaos.js';

const DAY_MS = 86_400_000;
const MAX_BODY = 4096;

const STATUS: Record<OnDemandOutcome['outcome'], 200 | 403 | 404 | 410 | 500 | 503> = {
  executed: 200,
  refused: 403,
  notFound: 404,
  gone: 410,
  failed: 500,
  notLeader: 503,
};

/** A non-negative integer query parameter, its default when absent, or undefined when malformed. */
function numberParam(c: Context, name: string, fallback: number): number | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  return /^\d+$/.test(raw) && Number.isSafeInteger(value) ? value : undefined;
}

/** Reads a small JSON body, or answers 400. */
async function jsonBody(c: Context): Promise<unknown> {
  return c.req.json().catch(() => undefined);
}

/** What is wrong with an opt-out body, or undefined. */
function janitorBodyProblem(body: { resource?: unknown; reason?: unknown } | undefined): string | undefined {
  if (body === undefined || typeof body !== 'object' || body === null) return 'expected a JSON object such as {"resource": "vol-0abc", "reason": "restoring from it"}';
  const extra = Object.keys(body).filter((k) => k !== 'resource' && k !== 'reason');
  if (extra.length > 0) return `${extra[0]}: unknown field (expected resource, reason)`;
  if (typeof body.resource !== 'string' || body.resource.trim() === '' || body.resource.length > 512) return `resource: expected a resource name such as vol-0abc, got ${JSON.stringify(body.resource ?? null)}`;
  if (body.reason !== undefined && (typeof body.reason !== 'string' || body.reason.length > 512)) return 'reason: expected a short text';
  return undefined;
}

/**
 * Builds the API over `control`; serve it with `createAdaptorServer({ fetch: app.fetch })`.
 *
 * @example
 * const app = createDaemonApi({ token, control, now: () => clock.now() });
 * await app.request('/v1/plan', { headers: { authorization: `Bearer ${token}` } });
 */
export function createDaemonApi(options: { readonly token: string; readonly control: DaemonControl; readonly now: () => number }): Hono {
  const { control } = options;
  const app = new Hono();
  app.get('/healthz', (c) => {
    const health = control.health();
    return c.json({ status: health.ok ? 'ok' : 'unhealthy' }, health.ok ? 200 : 503);
  });
  app.get('/readyz', (c) => (control.isLeader() ? c.json({ status: 'leader' }) : c.json({ status: 'standby' }, 503)));

  app.use(
    '*',
    requireBearerToken(options.token, {
      realm: 'simian-daemon',
      missing: 'the daemon API needs Authorization: Bearer <token> (daemon.tokenFile or $SIMIAN_DAEMON_TOKEN)',
      malformed: 'expected Authorization: Bearer <token>',
      wrong: 'wrong bearer token',
      fromWebPage: 'requests from web pages (with an Origin header) may not use the daemon API',
    }),
    bodyLimit({ maxSize: MAX_BODY, onError: (c) => c.json({ error: `request body larger than ${MAX_BODY} bytes` }, 413) }),
  );

  app.get('/metrics', async (c) => c.body(await control.metrics(), 200, { 'content-type': 'text/plain; version=0.0.4' }));
  app.get('/v1/plan', (c) => c.json(control.plan()));
  app.get('/v1/events', (c) => {
    const since = numberParam(c, 'since', 0);
    return since === undefined ? c.json({ error: 'since: expected epoch milliseconds' }, 400) : c.json({ events: control.events(since) });
  });
  app.get('/v1/history', (c) => {
    const limit = numberParam(c, 'limit', 100);
    return limit === undefined || limit < 1 ? c.json({ error: 'limit: expected a whole number >= 1' }, 400) : c.json({ history: control.history(limit) });
  });
  app.get('/v1/chaos', (c) => {
    const since = numberParam(c, 'since', options.now() - DAY_MS);
    return since === undefined ? c.json({ error: 'since: expected epoch milliseconds' }, 400) : c.json(control.chaosEvents(since));
  });
  app.post('/v1/chaos', async (c) => {
    const parsed = parseOnDemandChaos(await jsonBody(c));
    if ('error' in parsed) return c.json({ error: parsed.error }, 400);
    const answer = await control.chaos(parsed.request);
    return c.json(answer.outcome === 'executed' ? answer.event : { error: answer.detail, ...(answer.outcome === 'refused' ? { reason: answer.reason } : {}) }, STATUS[answer.outcome]);
  });
  app.get('/v1/kill-switch', async (c) => c.json(await control.killSwitch()));
  app.post('/v1/kill-switch', async (c) => {
    const body = (await jsonBody(c)) as { action?: unknown } | undefined;
    const action = body?.action;
    if (action === 'engage') return c.json(await control.engageKillSwitch('the daemon API'));
    if (action === 'release') return c.json(await control.releaseKillSwitch());
    return c.json({ error: `action: expected "engage" or "release", got ${JSON.stringify(action ?? null)}` }, 400);
  });
  app.get('/v1/janitor', (c) => c.json(control.janitor()));
  app.post('/v1/janitor/opt-outs', async (c) => {
    const body = (await jsonBody(c)) as { resource?: unknown; reason?: unknown } | undefined;
    const problem = janitorBodyProblem(body);
    if (problem) return c.json({ error: problem }, 400);
    return c.json(control.optOutOfJanitor((body!.resource as string).trim(), body!.reason as string | undefined), 201);
  });
  app.delete('/v1/janitor/opt-outs', (c) => {
    const resource = c.req.query('resource')?.trim();
    if (!resource) return c.json({ error: 'resource: expected the resource to opt back in, as ?resource=vol-0abc' }, 400);
    return control.optInToJanitor(resource) ? c.json({ resource, optedIn: true }) : c.json({ error: `${resource} was not opted out through the API or the CLI` }, 404);
  });
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  // The guard answers by throwing (hono's bearer-auth): its answer stands; anything else is the daemon's fault.
  app.onError((error, c) => (error instanceof HTTPException ? error.getResponse() : c.json({ error: error.message }, 500)));
  return app;
}
