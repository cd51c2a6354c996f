/**
 * @module
 * The catalog: titles with genres, languages and bitrate ladders.
 *
 * - `GET /titles?genre=&limit=` → {titles}
 * - `GET /titles/:id` → a title, or 404
 * - `GET /trending?limit=` → {titles} by popularity (what recommendations fall back to)
 */
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import type { Clock } from '../../core/clock.js';
import { generateTitles, type Title } from './catalog-data.js';

/** Options of {@link createCatalogService}. */
export interface CatalogServiceOptions {
  identity: ServiceIdentity;
  clock?: Clock;
  titles?: readonly Title[];
}

function limitOf(value: string | undefined, fallback: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n <= 500 ? n : undefined;
}

/** Builds the catalog service app. */
export function createCatalogService(options: CatalogServiceOptions): ServiceApp {
  const titles = options.titles ?? generateTitles();
  const byId = new Map(titles.map((t) => [t.id, t]));
  const trending = [...titles].sort((a, b) => b.popularity - a.popularity);
  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app) => {
      app.get('/titles', (c) => {
        const limit = limitOf(c.req.query('limit'), 50);
        if (limit === undefined) return c.json({ error: 'limit: expected an integer from 1 to 500' }, 400);
        const genre = c.req.query('genre');
        const found = genre ? titles.filter((t) => t.genres.includes(genre)) : titles;
        return c.json({ titles: found.slice(0, limit) });
      });
      app.get('/titles/:id', (c) => {
        const title = byId.get(c.req.param('id'));
        return title ? c.json(title) : c.json({ error: `no title ${c.req.param('id')}` }, 404);
      });
      app.get('/trending', (c) => {
        const limit = limitOf(c.req.query('limit'), 10);
        if (limit === undefined) return c.json({ error: 'limit: expected an integer from 1 to 500' }, 400);
        return c.json({ titles: trending.slice(0, limit) });
      });
    },
  });
}
