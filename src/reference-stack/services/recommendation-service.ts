/**
 * @module
 * Recommendations: personalised rows built from the viewer's favourite genres (user service) and the catalog.
 * When either is slow or down, the answer is the cached trending row instead of an error: the home page must
 * render whatever happens behind it (Hystrix's fallback, as Netflix used it).
 *
 * - `GET /rows/:userId` → {rows: [{name, titles}], fallback}
 */
import type { Registry } from 'prom-client';
import type { Clock } from '../../core/clock.js';
import { fallback } from '../../resilience/fallback.js';
import { pipeline } from '../../resilience/pipeline.js';
import { timeout } from '../../resilience/timeout.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { ServiceClient, type InstanceLookup } from '../service-kit/service-client.js';
import { generateTitles, type Title } from './catalog-data.js';

/** A row of the home page. */
export interface Row {
  readonly name: string;
  readonly titles: readonly Pick<Title, 'id' | 'name'>[];
}

/** Options of {@link createRecommendationService}. */
export interface RecommendationServiceOptions {
  identity: ServiceIdentity;
  discovery: InstanceLookup;
  clock?: Clock;
  fetch?: typeof fetch;
  /** Time allowed to build personalised rows before the trending row is served. @default 800 */
  budgetMs?: number;
  /** Time allowed per call to user or catalog. @default 300 */
  callTimeoutMs?: number;
}

const summary = (t: Pick<Title, 'id' | 'name'>) => ({ id: t.id, name: t.name });

/** Builds the recommendation service app. */
export function createRecommendationService(options: RecommendationServiceOptions): ServiceApp {
  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app, context) => {
      const client = (target: string, metrics: Registry) =>
        new ServiceClient({
          target,
          zone: options.identity.zone,
          discovery: options.discovery,
          clock: context.clock,
          metrics,
          timeoutMs: options.callTimeoutMs ?? 300,
          ...(options.fetch ? { fetch: options.fetch } : {}),
        });
      const users = client('user', context.registry);
      const catalog = client('catalog', context.registry);
      // The fallback row: the last trending list seen, seeded with the catalog's own data so it exists from start.
      let trending: Row = { name: 'Trending now', titles: generateTitles().sort((a, b) => b.popularity - a.popularity).slice(0, 10).map(summary) };
      const personalised = pipeline(
        { name: 'recommendations', metrics: context.registry, clock: context.clock },
        fallback<{ rows: Row[]; fallback: boolean }>({
          name: 'recommendations',
          metrics: context.registry,
          fn: () => ({ rows: [trending], fallback: true }),
        }),
        timeout({ name: 'recommendations', metrics: context.registry, clock: context.clock, ms: options.budgetMs ?? 800 }),
      );

      app.get('/rows/:userId', async (c) => {
        const userId = c.req.param('userId');
        const answer = await personalised.execute(async ({ signal }) => {
          const profile = await users.json<{ favoriteGenres: string[] }>(`/users/${encodeURIComponent(userId)}/profile`, { signal });
          const rows = await Promise.all(
            profile.favoriteGenres.map(async (genre) => {
              const { titles } = await catalog.json<{ titles: Title[] }>(`/titles?genre=${encodeURIComponent(genre)}&limit=10`, { signal });
              return { name: `Top picks in ${genre}`, titles: titles.map(summary) };
            }),
          );
          const fresh = await catalog.json<{ titles: Title[] }>('/trending?limit=10', { signal });
          trending = { name: 'Trending now', titles: fresh.titles.map(summary) };
          return { rows: [...rows, trending], fallback: false };
        });
        return c.json(answer);
      });
    },
  });
}
