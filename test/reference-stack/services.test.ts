import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/index.js';
import { verifyViewerToken } from '../../src/reference-stack/service-kit/auth.js';
import type { ServiceIdentity, ServiceName } from '../../src/reference-stack/service-kit/identity.js';
import { createCatalogService } from '../../src/reference-stack/services/catalog-service.js';
import { generateTitles, type Title } from '../../src/reference-stack/services/catalog-data.js';
import { createRecommendationService, type Row } from '../../src/reference-stack/services/recommendation-service.js';
import { homeRegionOf } from '../../src/reference-stack/services/home-region.js';
import { createUserService } from '../../src/reference-stack/services/user-service.js';
import { appFetch } from '../support/app-fetch.js';

const id = (service: ServiceName, zone = 'us-east-1a'): ServiceIdentity => ({ service, region: 'us-east', zone, instanceId: `${service}-${zone}-0` });
const json = async <T>(response: Response | Promise<Response>) => (await (await response).json()) as T;

describe('catalog', () => {
  const { app } = createCatalogService({ identity: id('catalog') });

  it('generates the same titles everywhere, with ladders from low to high bitrate', () => {
    const titles = generateTitles();
    expect(generateTitles()).toEqual(titles);
    for (const t of titles) {
      const rates = t.ladder.map((r) => r.bitrateKbps);
      expect(rates).toEqual([...rates].sort((a, b) => a - b));
      expect(t.ladder.length).toBeGreaterThanOrEqual(3);
    }
  });

  it('lists titles by genre, finds one by id, and ranks trending by popularity', async () => {
    const { titles } = await json<{ titles: Title[] }>(app.request('/titles?genre=drama&limit=5'));
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.length).toBeLessThanOrEqual(5);
    expect(titles.every((t) => t.genres.includes('drama'))).toBe(true);
    expect((await json<Title>(app.request(`/titles/${titles[0]!.id}`))).id).toBe(titles[0]!.id);
    expect((await app.request('/titles/nope')).status).toBe(404);
    const trending = (await json<{ titles: Title[] }>(app.request('/trending?limit=3'))).titles;
    expect(trending.map((t) => t.popularity)).toEqual([...trending.map((t) => t.popularity)].sort((a, b) => b - a));
  });

  it('rejects a bad limit, naming it', async () => {
    const response = await app.request('/titles?limit=0');
    expect(response.status).toBe(400);
    expect((await response.json()) as { error: string }).toMatchObject({ error: expect.stringContaining('limit') });
  });
});

describe('user', () => {
  const clock = new ManualClock();
  const regions = ['us-east', 'eu-west'];
  const { app } = createUserService({ identity: id('user'), tokenSecret: 'test-secret-of-32-characters-long', regions, clock });
  const login = (body: unknown) => app.request('/login', { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });

  it('issues a token that verifies, carrying the viewer\'s home region', async () => {
    const answer = await json<{ token: string; userId: string; homeRegion: string }>(login({ username: 'viewer-7', password: 'simian' }));
    expect(answer.homeRegion).toBe(homeRegionOf('viewer-7', regions));
    const claims = await verifyViewerToken(answer.token, 'test-secret-of-32-characters-long', clock);
    expect(claims).toEqual({ userId: 'viewer-7', homeRegion: answer.homeRegion });
    await expect(verifyViewerToken(answer.token, 'another-secret-of-32-characters!!', clock)).rejects.toThrow();
    await clock.advance(3601 * 1000);
    await expect(verifyViewerToken(answer.token, 'test-secret-of-32-characters-long', clock)).rejects.toThrow(/exp/);
  });

  it('refuses a wrong password and a malformed login, naming the field', async () => {
    expect((await login({ username: 'viewer-7', password: 'nope' })).status).toBe(401);
    const bad = await login({ username: 'Robert"); DROP', password: 'simian' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('username');
  });

  it('spreads home regions over every region', () => {
    const homes = new Set(Array.from({ length: 50 }, (_, i) => homeRegionOf(`viewer-${i}`, regions)));
    expect([...homes].sort()).toEqual([...regions].sort());
  });

  it('gives every instance the same profile and history for a viewer', async () => {
    const other = createUserService({ identity: id('user', 'us-east-1b'), tokenSecret: 's', regions });
    const a = await json(app.request('/users/viewer-3/profile'));
    expect(await json(other.app.request('/users/viewer-3/profile'))).toEqual(a);
    expect(await json(other.app.request('/users/viewer-3/history'))).toEqual(await json(app.request('/users/viewer-3/history')));
  });
});

describe('recommendation', () => {
  const setup = (catalogApp?: Hono) => {
    const clock = new ManualClock();
    const user = createUserService({ identity: id('user'), tokenSecret: 's', regions: ['us-east'], clock });
    const catalog = catalogApp ?? createCatalogService({ identity: id('catalog'), clock }).app;
    const lookup = {
      lookup: (service: string) =>
        service === 'user'
          ? [{ instanceId: 'user-0', address: 'http://user-0', zone: 'us-east-1a' }]
          : [{ instanceId: 'catalog-0', address: 'http://catalog-0', zone: 'us-east-1a' }],
    };
    const down = new Set<string>();
    const recommendation = createRecommendationService({
      identity: id('recommendation'),
      discovery: lookup,
      clock,
      fetch: appFetch({ 'http://user-0': user.app, 'http://catalog-0': catalog }, down),
    });
    const rows = () => json<{ rows: Row[]; fallback: boolean }>(recommendation.app.request('/rows/viewer-1'));
    return { clock, down, rows, recommendation };
  };

  it('builds personalised rows from favourite genres, then trending', async () => {
    const { rows } = setup();
    const answer = await rows();
    expect(answer.fallback).toBe(false);
    expect(answer.rows.at(-1)!.name).toBe('Trending now');
    expect(answer.rows.length).toBeGreaterThanOrEqual(3);
    expect(answer.rows[0]!.name).toMatch(/^Top picks in /);
  });

  it('answers with the trending row when the catalog is down', async () => {
    const { rows, down, recommendation } = setup();
    down.add('http://catalog-0');
    const answer = await rows();
    expect(answer).toMatchObject({ fallback: true, rows: [{ name: 'Trending now' }] });
    expect(answer.rows[0]!.titles).toHaveLength(10);
    const metrics = await recommendation.context.registry.metrics();
    expect(metrics).toMatch(/^resilience_calls_total\{policy="fallback",name="recommendations",outcome="fallback",region="us-east",[^}]*\} 1$/m);
  });

  it('answers with the trending row when the catalog is too slow, within its budget', async () => {
    const slow = new Hono();
    slow.all('*', () => new Promise<Response>(() => undefined));
    const { rows, clock } = setup(slow);
    const pending = rows();
    await clock.advance(800);
    const answer = await pending;
    expect(answer.fallback).toBe(true);
  });
});
