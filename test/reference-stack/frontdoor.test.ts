import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { createFrontDoorService, type EvacuationState } from '../../src/reference-stack/frontdoor/frontdoor-service.js';
import { createGatewayService } from '../../src/reference-stack/gateway/gateway-service.js';
import type { ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import { createCatalogService } from '../../src/reference-stack/services/catalog-service.js';
import { homeRegionOf } from '../../src/reference-stack/services/home-region.js';
import { createUserService } from '../../src/reference-stack/services/user-service.js';
import { appFetch } from '../support/app-fetch.js';

const SECRET = 'frontdoor-test-secret-32-chars!!';
const STACK_TOKEN = 'frontdoor-test-stack-token-0123456789';
const ADMIN = { authorization: `Bearer ${STACK_TOKEN}` };
const REGIONS = ['us-east', 'eu-west'];

function setup(options: { evacuation?: EvacuationState } = {}) {
  const clock = new ManualClock();
  const apps: Record<string, Hono> = {};
  const down = new Set<string>();
  const fetch = appFetch(apps, down);
  const regions = REGIONS.map((region) => {
    const identity = (service: ServiceName) => ({ service, region, zone: `${region}-a`, instanceId: `${service}-${region}` });
    const lookup = { lookup: (service: string) => [{ instanceId: `${service}-${region}`, address: `http://${service}-${region}`, zone: `${region}-a` }] };
    apps[`http://user-${region}`] = createUserService({ identity: identity('user'), tokenSecret: SECRET, regions: REGIONS, clock }).app;
    apps[`http://catalog-${region}`] = createCatalogService({ identity: identity('catalog'), clock }).app;
    apps[`http://gateway-${region}`] = createGatewayService({ identity: identity('gateway'), discovery: lookup, tokenSecret: SECRET, clock, fetch }).app;
    return { name: region, discovery: lookup };
  });
  const frontDoor = createFrontDoorService({
    identity: { service: 'frontdoor', region: 'global', zone: 'global', instanceId: 'frontdoor-0' },
    regions,
    stackToken: STACK_TOKEN,
    clock,
    fetch,
    ...options,
  });
  const call = (path: string, init: RequestInit = {}) => frontDoor.app.request(path, init);
  const viewerIn = (region: string) => Array.from({ length: 50 }, (_, i) => `viewer-${i}`).find((u) => homeRegionOf(u, REGIONS) === region)!;
  const login = async (username: string) => {
    const response = await call('/api/login', { method: 'POST', body: JSON.stringify({ username, password: 'simian' }) });
    return { response, token: ((await response.clone().json()) as { token: string }).token };
  };
  const titles = (token: string) => call('/api/titles?limit=1', { headers: { authorization: `Bearer ${token}` } });
  return { frontDoor, call, down, viewerIn, login, titles, apps };
}

describe('front door', () => {
  it('sends each viewer to their home region, from login on', async () => {
    const { viewerIn, login, titles } = setup();
    for (const region of REGIONS) {
      const { response, token } = await login(viewerIn(region));
      expect(response.headers.get('x-simian-region')).toBe(region);
      const answer = await titles(token);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-simian-region')).toBe(region);
      expect(answer.headers.get('x-simian-failover')).toBeNull();
    }
  });

  it('fails over while a region is evacuated, and comes home on restore', async () => {
    const { viewerIn, login, titles, call, frontDoor } = setup();
    const { token } = await login(viewerIn('eu-west'));
    expect((await call('/admin/regions/eu-west/evacuate', { method: 'POST', headers: ADMIN })).status).toBe(204);
    const away = await titles(token);
    expect(away.status).toBe(200);
    expect(away.headers.get('x-simian-region')).toBe('us-east');
    expect(away.headers.get('x-simian-failover')).toBe('true');
    expect(frontDoor.evacuated.has('eu-west')).toBe(true);
    expect((await call('/admin/regions/eu-west/restore', { method: 'POST', headers: ADMIN })).status).toBe(204);
    expect((await titles(token)).headers.get('x-simian-region')).toBe('eu-west');
  });

  it('fails over when the home region stops answering', async () => {
    const { viewerIn, login, titles, down } = setup();
    const { token } = await login(viewerIn('us-east'));
    down.add('http://gateway-us-east');
    const answer = await titles(token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-simian-region')).toBe('eu-west');
  });

  it('answers 503 when no region can serve, and reports unhealthy when every region is evacuated', async () => {
    const { viewerIn, login, titles, down, frontDoor, call } = setup();
    const { token } = await login(viewerIn('us-east'));
    down.add('http://gateway-us-east');
    down.add('http://gateway-eu-west');
    expect((await titles(token)).status).toBe(503);
    frontDoor.evacuate('us-east');
    frontDoor.evacuate('eu-west');
    expect((await call('/health')).status).toBe(503);
  });

  it('evacuates and restores only for the stack token, and never for a web page', async () => {
    const { call, frontDoor } = setup();
    for (const action of ['evacuate', 'restore']) {
      const path = `/admin/regions/us-east/${action}`;
      if (action === 'restore') frontDoor.evacuate('us-east');
      // A POST with no body and no header used to evacuate a region.
      const anonymous = await call(path, { method: 'POST' });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toContain('Bearer');
      expect(((await anonymous.json()) as { error: string }).error).toContain('stack token');
      expect((await call(path, { method: 'POST', headers: { authorization: `Bearer ${STACK_TOKEN.slice(1)}` } })).status).toBe(401);
      expect((await call(path, { method: 'POST', headers: { authorization: STACK_TOKEN } })).status).toBe(400);
      const page = await call(path, { method: 'POST', headers: { ...ADMIN, origin: 'http://localhost:3000' } });
      expect(page.status).toBe(403);
      expect(frontDoor.evacuated.has('us-east')).toBe(action === 'restore');
      expect((await call(path, { method: 'POST', headers: ADMIN })).status).toBe(204);
      expect(frontDoor.evacuated.has('us-east')).toBe(action === 'evacuate');
    }
    // Reading the switches stays open.
    expect((await call('/admin/regions')).status).toBe(200);
  });

  it('serves a read pinned with x-simian-region by that region only, evacuated or not; writes ignore the pin', async () => {
    const { viewerIn, login, call, down, frontDoor } = setup();
    const { token } = await login(viewerIn('us-east'));
    const read = (region: string) => call('/api/titles?limit=1', { headers: { authorization: `Bearer ${token}`, 'x-simian-region': region } });
    const away = await read('eu-west');
    expect(away.status).toBe(200);
    expect(away.headers.get('x-simian-region')).toBe('eu-west');
    frontDoor.evacuate('eu-west');
    expect((await read('eu-west')).headers.get('x-simian-region')).toBe('eu-west');
    // No failover for a pinned read: the answer is that region's or none.
    down.add('http://gateway-eu-west');
    expect((await read('eu-west')).status).toBe(503);
    const unknown = await read('mars');
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('mars');
    const login2 = await call('/api/login', { method: 'POST', headers: { 'x-simian-region': 'eu-west' }, body: JSON.stringify({ username: viewerIn('us-east'), password: 'simian' }) });
    expect(login2.headers.get('x-simian-region')).toBe('us-east');
    expect(await (await call('/health')).json()).toMatchObject({ regions: REGIONS, evacuated: ['eu-west'] });
  });

  it('passes on what the gateway answered, but not the headers about its connection to the gateway', async () => {
    const { viewerIn, login, titles, apps } = setup();
    const { token } = await login(viewerIn('us-east'));
    const gateway = new Hono();
    gateway.all('*', (c) => c.body('{"titles":[]}', 200, { 'content-type': 'application/json', connection: 'keep-alive', 'keep-alive': 'timeout=5', 'x-simian-zone': 'us-east-a' }));
    apps['http://gateway-us-east'] = gateway;
    const answer = await titles(token);
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('{"titles":[]}');
    expect(answer.headers.get('x-simian-zone')).toBe('us-east-a');
    expect(answer.headers.get('x-simian-home-region')).toBe('us-east');
    expect(answer.headers.get('keep-alive')).toBeNull();
    expect(answer.headers.get('connection')).toBeNull();
  });

  it('lists regions and refuses an unknown one', async () => {
    const { call } = setup();
    expect(await (await call('/admin/regions')).json()).toEqual({ regions: [{ name: 'us-east', evacuated: false }, { name: 'eu-west', evacuated: false }] });
    const unknown = await call('/admin/regions/mars/evacuate', { method: 'POST', headers: ADMIN });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('mars');
  });

  it("starts with the stack's list of evacuated regions, takes a newer one whole and ignores an older one", async () => {
    const { call } = setup({ evacuation: { version: 3, evacuated: ['us-east'] } });
    const evacuated = async () =>
      ((await (await call('/admin/regions')).json()) as { regions: Array<{ name: string; evacuated: boolean }> }).regions.filter((r) => r.evacuated).map((r) => r.name);
    const put = (body: unknown, headers: Record<string, string> = ADMIN) =>
      call('/admin/evacuations', { method: 'PUT', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(await evacuated()).toEqual(['us-east']);
    // Two sends that crossed: the older arrives last and changes nothing.
    expect((await put({ version: 5, evacuated: ['eu-west'] })).status).toBe(204);
    expect((await put({ version: 4, evacuated: [] })).status).toBe(204);
    expect(await evacuated()).toEqual(['eu-west']);
    expect((await put({ version: 6, evacuated: [] }, {})).status).toBe(401);
    const unknown = await put({ version: 6, evacuated: ['mars'] });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: string }).error).toContain('unknown region "mars"');
    expect((await put({ version: 'six', evacuated: [] })).status).toBe(400);
    expect(await evacuated()).toEqual(['eu-west']);
    expect((await put({ version: 6, evacuated: [] })).status).toBe(204);
    expect(await evacuated()).toEqual([]);
  });
});
