import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { createGatewayService } from '../../src/reference-stack/gateway/gateway-service.js';
import type { ServiceIdentity, ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import { createCatalogService } from '../../src/reference-stack/services/catalog-service.js';
import { createRecommendationService } from '../../src/reference-stack/services/recommendation-service.js';
import { createUserService } from '../../src/reference-stack/services/user-service.js';
import { appFetch } from '../support/app-fetch.js';

const SECRET = 'gateway-test-secret-of-32-chars!';
const id = (service: ServiceName): ServiceIdentity => ({ service, region: 'us-east', zone: 'us-east-1a', instanceId: `${service}-0` });

function setup(options: { rateLimit?: { ratePerSecond: number; burst: number }; stackToken?: string } = {}) {
  const clock = new ManualClock();
  const writes: unknown[] = [];
  const billing = new Hono();
  billing.post('/subscriptions', async (c) => {
    writes.push({ key: c.req.header('idempotency-key'), body: await c.req.json(), authorization: c.req.header('authorization') });
    return c.json({ subscriptionId: 's1' }, 201);
  });
  billing.get('/subscriptions/by-key/:key', (c) => c.json({ key: c.req.param('key'), askedFor: c.req.query('userId') }));
  const apps: Record<string, Hono> = {
    'http://user-0': createUserService({ identity: id('user'), tokenSecret: SECRET, regions: ['us-east'], clock }).app,
    'http://catalog-0': createCatalogService({ identity: id('catalog'), clock }).app,
    'http://billing-0': billing,
  };
  const down = new Set<string>();
  const fetch = appFetch(apps, down);
  const registered = new Map<string, string[]>([
    ['user', ['http://user-0']],
    ['catalog', ['http://catalog-0']],
    ['recommendation', ['http://recommendation-0']],
    ['billing', ['http://billing-0']],
  ]);
  const discovery = {
    lookup: (service: string) => (registered.get(service) ?? []).map((address) => ({ instanceId: address, address, zone: 'us-east-1a' })),
  };
  apps['http://recommendation-0'] = createRecommendationService({ identity: id('recommendation'), discovery, clock, fetch }).app;
  const gateway = createGatewayService({ identity: id('gateway'), discovery, tokenSecret: SECRET, clock, fetch, ...options });
  const call = (path: string, init: RequestInit = {}) => gateway.app.request(path, init);
  const login = async (username = 'viewer-1') => {
    const response = await call('/api/login', { method: 'POST', body: JSON.stringify({ username, password: 'simian' }) });
    return ((await response.json()) as { token: string }).token;
  };
  return { clock, gateway, call, login, down, registered, writes };
}

describe('gateway', () => {
  it('logs a viewer in and serves the home page through recommendations', async () => {
    const { call, login } = setup();
    const token = await login();
    const home = await call('/api/home', { headers: { authorization: `Bearer ${token}` } });
    expect(home.status).toBe(200);
    expect(home.headers.get('x-simian-region')).toBe('us-east');
    expect(home.headers.get('x-simian-gateway')).toBe('gateway-0');
    const body = (await home.json()) as { rows: unknown[]; fallback: boolean };
    expect(body.fallback).toBe(false);
    expect(body.rows.length).toBeGreaterThan(1);
  });

  it('refuses a missing, forged or expired token', async () => {
    const { call, login, clock } = setup();
    const refused = await call('/api/home');
    expect(refused.status).toBe(401);
    // An answer the gateway makes itself says who served it too, as a forwarded one does.
    expect(refused.headers.get('x-simian-gateway')).toBe('gateway-0');
    expect(refused.headers.get('x-simian-region')).toBe('us-east');
    expect((await call('/api/home', { headers: { authorization: 'Bearer forged.token.here' } })).status).toBe(401);
    const token = await login();
    await clock.advance(2 * 3600 * 1000);
    expect((await call('/api/home', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('rate-limits each client on its own, with Retry-After', async () => {
    const { call, login } = setup({ rateLimit: { ratePerSecond: 1, burst: 2 } });
    const first = await login('viewer-1');
    const second = await login('viewer-2');
    const titles = (token: string) => call('/api/titles?limit=1', { headers: { authorization: `Bearer ${token}` } });
    expect((await titles(first)).status).toBe(200);
    expect((await titles(first)).status).toBe(200);
    const limited = await titles(first);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await titles(second)).status).toBe(200);
  });

  it('sets the viewer from the token on writes, whatever the client sends, and forwards the idempotency key', async () => {
    const { call, login, writes } = setup();
    const token = await login('viewer-9');
    const response = await call('/api/subscriptions', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k-1' },
      body: JSON.stringify({ plan: 'premium', userId: 'someone-else' }),
    });
    expect(response.status).toBe(201);
    expect(writes).toEqual([{ key: 'k-1', body: { plan: 'premium', userId: 'viewer-9' } }]);
  });

  it('sends the stack token, never the viewer\'s, with writes upstream, so billing can refuse writes from elsewhere', async () => {
    const { call, login, writes } = setup({ stackToken: 'the-stack-token-of-at-least-32-chars' });
    const token = await login('viewer-9');
    const response = await call('/api/subscriptions', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'idempotency-key': 'k-2' }, body: JSON.stringify({ plan: 'basic' }) });
    expect(response.status).toBe(201);
    expect(writes).toEqual([{ key: 'k-2', body: { plan: 'basic', userId: 'viewer-9' }, authorization: 'Bearer the-stack-token-of-at-least-32-chars' }]);
  });

  it('asks billing for a subscription by key on behalf of the token\'s viewer only', async () => {
    const { call, login } = setup();
    const token = await login('viewer-4');
    const response = await call('/api/subscriptions/by-key/k-9', { headers: { authorization: `Bearer ${token}` } });
    expect(await response.json()).toEqual({ key: 'k-9', askedFor: 'viewer-4' });
  });

  it('answers 503 when a service has no instance and 502 when its instances fail', async () => {
    const { call, login, registered, down } = setup();
    const token = await login();
    const auth = { headers: { authorization: `Bearer ${token}` } };
    down.add('http://catalog-0');
    expect((await call('/api/titles/t001', auth)).status).toBe(502);
    registered.set('catalog', []);
    const none = await call('/api/titles/t001', auth);
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: string }).error).toContain('catalog');
  });

  it('still serves the home page, with the trending row, when the catalog is down', async () => {
    const { call, login, down } = setup();
    const token = await login();
    down.add('http://catalog-0');
    const home = await call('/api/home', { headers: { authorization: `Bearer ${token}` } });
    expect(home.status).toBe(200);
    expect(((await home.json()) as { fallback: boolean }).fallback).toBe(true);
  });

  it('serves the trending row from the catalog when recommendations are down', async () => {
    const { call, login, registered } = setup();
    const token = await login();
    registered.set('recommendation', []);
    const home = await call('/api/home', { headers: { authorization: `Bearer ${token}` } });
    expect(home.status).toBe(200);
    expect(home.headers.get('x-simian-fallback')).toBe('true');
    const body = (await home.json()) as { fallback: boolean; rows: Array<{ name: string; titles: unknown[] }> };
    expect(body.fallback).toBe(true);
    expect(body.rows).toHaveLength(1);
    expect(body.rows[0]!.titles).toHaveLength(10);
  });

  it('counts requests by route pattern', async () => {
    const { call, login, gateway } = setup();
    const token = await login();
    await call('/api/titles/t001', { headers: { authorization: `Bearer ${token}` } });
    const metrics = await gateway.context.registry.metrics();
    expect(metrics).toMatch(/http_requests_total\{service="gateway",route="\/api\/titles\/:id",method="GET",code="200",[^}]*\} 1/);
  });

  it('rate-limits anonymous clients by the connection\'s address: rotating x-forwarded-for does not escape the limit', async () => {
    const { gateway } = setup({ rateLimit: { ratePerSecond: 1, burst: 2 } });
    const server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serve({ fetch: gateway.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const response = await fetch(`${url}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i}` },
          body: JSON.stringify({ username: `viewer-${i}`, password: 'simian' }),
        });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
      // The clock stands still: the bucket holds its burst of 2, whatever address each request claims.
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      await new Promise((resolve) => {
        server.close(resolve);
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
    }
  });
});
