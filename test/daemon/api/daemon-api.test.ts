import { describe, expect, it } from 'vitest';
import { createDaemonApi } from '../../../src/daemon/api/daemon-api.js';
import type { DaemonControl, OnDemandOutcome } from '../../../src/daemon/daemon-control.js';
import type { OnDemandChaosRequest } from '../../../src/daemon/api/on-demand-chaos.js';
import { ManualClock } from '../../../src/core/manual-clock.js';
import { StateStore } from '../../../src/state/state-store.js';

const TOKEN = 'a-token-of-enough-length-0123456789';

/** A daemon that records what the API asked of it and answers `outcome` to an on-demand fault. */
function daemon(outcome: OnDemandOutcome = { outcome: 'notFound', detail: 'no group x' }, leader = true) {
  const calls: string[] = [];
  const requests: OnDemandChaosRequest[] = [];
  // The Janitor's routes over a real (in-memory) state store, as the daemon wires them.
  const store = StateStore.open(':memory:', { clock: new ManualClock(5_000) });
  const control: DaemonControl = {
    isLeader: () => leader,
    health: () => ({ ok: true, detail: 'ticking' }),
    plan: () => ({ key: '2026-12-02', date: '2026-12-02', timeZone: 'UTC', seed: 1, entries: [] }),
    events: (since) => [{ since }],
    history: (limit) => [{ limit }],
    chaosEvents: (since) => [{ monkeyType: 'CHAOS', eventId: 'e1', eventType: 'CHAOS_TERMINATION', eventTime: since, groupType: 'ASG', groupName: 'g', chaosType: 'ShutdownInstance', source: 'on-demand' }],
    chaos: async (request) => {
      calls.push('chaos');
      requests.push(request);
      return outcome;
    },
    killSwitch: async () => ({ engaged: false, file: '/k' }),
    engageKillSwitch: async (by) => {
      calls.push(`engage by ${by}`);
      return { engaged: true, file: '/k', reverted: [] };
    },
    releaseKillSwitch: async () => {
      calls.push('release');
      return { engaged: false, file: '/k' };
    },
    metrics: async () => 'simian_daemon_leader 1\n',
    janitor: () => ({ marks: store.janitorMarks('aws'), optOuts: store.janitorOptOuts('aws') }),
    optOutOfJanitor: (resource, reason) => store.optOutOfJanitor({ provider: 'aws', resource, by: 'api', ...(reason === undefined ? {} : { reason }) }),
    optInToJanitor: (resource) => store.optInToJanitor('aws', resource),
  };
  return { calls, requests, store, app: createDaemonApi({ token: TOKEN, control, now: () => 1_000_000_000 }) };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const chaosBody = JSON.stringify({ eventType: 'CHAOS_TERMINATION', groupType: 'ASG', groupName: 'catalog-us-east' });

describe('the daemon API', () => {
  it('answers 401 to a request without the token or with another one, and runs nothing', async () => {
    const { app, calls } = daemon({ outcome: 'executed', event: {} as never });
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }] as Array<Record<string, string>>) {
      for (const [method, path, body] of [
        ['POST', '/v1/chaos', chaosBody],
        ['POST', '/v1/kill-switch', '{"action":"release"}'],
        ['GET', '/v1/plan', undefined],
        ['GET', '/metrics', undefined],
      ] as const) {
        const response = await app.request(path, { method, headers, ...(body ? { body } : {}) });
        expect(response.status, `${method} ${path}`).toBe(401);
        expect(response.headers.get('www-authenticate')).toContain('Bearer');
      }
    }
    expect(calls).toEqual([]);
  });

  it('refuses a web page even with the token (403)', async () => {
    const { app, calls } = daemon();
    const response = await app.request('/v1/chaos', { method: 'POST', headers: { ...auth, origin: 'http://evil.example' }, body: chaosBody });
    expect(response.status).toBe(403);
    expect(calls).toEqual([]);
  });

  it('leaves the probes open: healthz, and readyz 200 only on the leader', async () => {
    expect((await daemon().app.request('/healthz')).status).toBe(200);
    expect((await daemon().app.request('/readyz')).status).toBe(200);
    const standby = await daemon(undefined, false).app.request('/readyz');
    expect(standby.status).toBe(503);
    expect(await standby.json()).toEqual({ status: 'standby' });
  });

  it("takes SimianArmy's POST /v1/chaos body, chaosType defaulting to ShutdownInstance", async () => {
    const { app, requests } = daemon();
    await app.request('/v1/chaos', { method: 'POST', headers: auth, body: chaosBody });
    expect(requests).toEqual([{ groupType: 'ASG', groupName: 'catalog-us-east', chaosType: 'ShutdownInstance' }]);
  });

  it("answers 400 to a missing field or an unknown type, naming it, and runs nothing", async () => {
    const { app, calls } = daemon();
    for (const [body, says] of [
      ['{"groupType":"ASG","groupName":"g"}', 'eventType'],
      ['{"eventType":"CHAOS_TERMINATION","groupType":"ASG"}', 'groupName'],
      ['{"eventType":"OTHER","groupType":"ASG","groupName":"g"}', 'unknown event type "OTHER"'],
      ['{"eventType":"CHAOS_TERMINATION","groupType":"ASG","groupName":"g","chaosType":"BurnCpu"}', 'unknown chaos type "BurnCpu"'],
      ['not json', 'expected a JSON object'],
    ]) {
      const response = await app.request('/v1/chaos', { method: 'POST', headers: auth, body });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: string }).error).toContain(says);
    }
    expect(calls).toEqual([]);
  });

  it("maps each outcome to SimianArmy's status code", async () => {
    const cases: Array<[OnDemandOutcome, number]> = [
      [{ outcome: 'executed', event: { monkeyType: 'CHAOS', eventId: 'e', eventType: 'CHAOS_TERMINATION', eventTime: 1, groupType: 'ASG', groupName: 'g', chaosType: 'ShutdownInstance', source: 'on-demand' } }, 200],
      [{ outcome: 'refused', reason: 'kill-switch', detail: 'engaged' }, 403],
      [{ outcome: 'notFound', detail: 'no group' }, 404],
      [{ outcome: 'gone', detail: 'nothing left' }, 410],
      [{ outcome: 'failed', detail: 'boom' }, 500],
      [{ outcome: 'notLeader', detail: 'standby' }, 503],
    ];
    for (const [outcome, status] of cases) {
      const response = await daemon(outcome).app.request('/v1/chaos', { method: 'POST', headers: auth, body: chaosBody });
      expect(response.status, outcome.outcome).toBe(status);
      const body = (await response.json()) as Record<string, unknown>;
      if (outcome.outcome === 'executed') expect(body.eventId).toBe('e');
      else expect(body.error).toBe(outcome.detail);
      if (outcome.outcome === 'refused') expect(body.reason).toBe('kill-switch');
    }
  });

  it('engages and releases the kill switch, and refuses another action', async () => {
    const { app, calls } = daemon();
    expect((await app.request('/v1/kill-switch', { method: 'POST', headers: auth, body: '{"action":"engage"}' })).status).toBe(200);
    expect((await app.request('/v1/kill-switch', { method: 'POST', headers: auth, body: '{"action":"release"}' })).status).toBe(200);
    expect((await app.request('/v1/kill-switch', { method: 'POST', headers: auth, body: '{"action":"toggle"}' })).status).toBe(400);
    expect(calls).toEqual(['engage by the daemon API', 'release']);
  });

  it('reads the plan, events, history, terminations and metrics; bad query parameters are 400', async () => {
    const { app } = daemon();
    expect(await (await app.request('/v1/plan', { headers: auth })).json()).toEqual({ key: '2026-12-02', date: '2026-12-02', timeZone: 'UTC', seed: 1, entries: [] });
    expect(await (await app.request('/v1/events?since=5', { headers: auth })).json()).toEqual({ events: [{ since: 5 }] });
    expect(await (await app.request('/v1/history?limit=3', { headers: auth })).json()).toEqual({ history: [{ limit: 3 }] });
    // SimianArmy's default: the last day.
    expect(((await (await app.request('/v1/chaos', { headers: auth })).json()) as Array<{ eventTime: number }>)[0]!.eventTime).toBe(1_000_000_000 - 86_400_000);
    expect(await (await app.request('/metrics', { headers: auth })).text()).toContain('simian_daemon_leader 1');
    expect((await app.request('/v1/events?since=yesterday', { headers: auth })).status).toBe(400);
    expect((await app.request('/v1/history?limit=0', { headers: auth })).status).toBe(400);
    expect((await app.request('/v1/nothing', { headers: auth })).status).toBe(404);
  });

  describe('the Janitor', () => {
    it('opts a resource out and back in, and lists the marks and opt-outs', async () => {
      const { app, store } = daemon(undefined, false);
      store.markForCleanup({ provider: 'aws', resource: 'vol-1', rule: 'janitor.detached-volume', why: 'attached to nothing', markedAt: 1, cleanAfter: 2 });
      const out = await app.request('/v1/janitor/opt-outs', { method: 'POST', headers: auth, body: JSON.stringify({ resource: 'snap-2', reason: 'needed for a restore' }) });
      expect(out.status).toBe(201);
      expect(await out.json()).toEqual({ provider: 'aws', resource: 'snap-2', at: 5_000, by: 'api', reason: 'needed for a restore' });
      const listed = (await (await app.request('/v1/janitor', { headers: auth })).json()) as { marks: Array<{ resource: string }>; optOuts: Array<{ resource: string }> };
      expect(listed.marks.map((m) => m.resource)).toEqual(['vol-1']);
      expect(listed.optOuts.map((o) => o.resource)).toEqual(['snap-2']);
      expect((await app.request('/v1/janitor/opt-outs?resource=snap-2', { method: 'DELETE', headers: auth })).status).toBe(200);
      expect((await app.request('/v1/janitor/opt-outs?resource=snap-2', { method: 'DELETE', headers: auth })).status).toBe(404);
      expect(store.janitorOptOuts()).toEqual([]);
    });

    it('refuses a bad opt-out with 400 and records nothing', async () => {
      const { app, store } = daemon();
      for (const body of ['not json', '{}', '{"resource": ""}', '{"resource": "vol-1", "until": "never"}', '{"resource": 3}']) {
        const response = await app.request('/v1/janitor/opt-outs', { method: 'POST', headers: auth, body });
        expect(response.status, body).toBe(400);
        expect(((await response.json()) as { error: string }).error).toBeTruthy();
      }
      expect((await app.request('/v1/janitor/opt-outs', { method: 'DELETE', headers: auth })).status).toBe(400);
      expect(store.janitorOptOuts()).toEqual([]);
    });

    it('needs the token', async () => {
      const { app, store } = daemon();
      expect((await app.request('/v1/janitor/opt-outs', { method: 'POST', body: '{"resource":"vol-1"}' })).status).toBe(401);
      expect(store.janitorOptOuts()).toEqual([]);
    });
  });
});
