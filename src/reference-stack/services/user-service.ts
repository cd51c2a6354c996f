/**
 * @module
 * Users: login that issues viewer tokens, profiles and watch history. Viewers are derived from their id with a
 * seeded random, so every user-service instance agrees without a shared database.
 *
 * - `POST /login` {username, password} → {token, userId, homeRegion}; 401 on a wrong password
 * - `GET /users/:id/profile` → {userId, name, homeRegion, favoriteGenres}
 * - `GET /users/:id/history` → {titleIds}
 */
import { z } from 'zod';
import { SeededRandom, randomInt } from '../../core/random.js';
import type { Clock } from '../../core/clock.js';
import { signViewerToken } from '../service-kit/auth.js';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import { GENRES } from './catalog-data.js';
import { homeRegionOf, seedOf } from './home-region.js';

/** Options of {@link createUserService}. */
export interface UserServiceOptions {
  identity: ServiceIdentity;
  /** Signs viewer tokens; the gateway holds the same secret. */
  tokenSecret: string;
  /** The stack's regions: each viewer's home region is one of them. */
  regions: readonly string[];
  /** The password of every demo viewer. @default 'simian' */
  password?: string;
  clock?: Clock;
}

const login = z.object({ username: z.string().regex(/^[a-z0-9-]{1,40}$/), password: z.string() });

/** Builds the user service app. */
export function createUserService(options: UserServiceOptions): ServiceApp {
  const password = options.password ?? 'simian';
  if (options.regions.length === 0) throw new TypeError('user service: regions must not be empty');
  return createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app, context) => {
      app.post('/login', async (c) => {
        const parsed = login.safeParse(await c.req.json().catch(() => undefined));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          return c.json({ error: `invalid login: ${issue?.path.join('.') || 'body'}: ${issue?.message}` }, 400);
        }
        if (parsed.data.password !== password) return c.json({ error: 'wrong username or password' }, 401);
        const userId = parsed.data.username;
        const homeRegion = homeRegionOf(userId, options.regions);
        const token = await signViewerToken({ userId, homeRegion }, options.tokenSecret, context.clock);
        return c.json({ token, userId, homeRegion });
      });
      app.get('/users/:id/profile', (c) => {
        const userId = c.req.param('id');
        const random = new SeededRandom(seedOf(userId));
        const favoriteGenres = [...GENRES].sort(() => random.next() - 0.5).slice(0, 2 + randomInt(random, 2));
        return c.json({ userId, name: userId.replace(/-/g, ' '), homeRegion: homeRegionOf(userId, options.regions), favoriteGenres });
      });
      app.get('/users/:id/history', (c) => {
        const random = new SeededRandom(seedOf(c.req.param('id')) ^ 0x5eed);
        const titleIds = Array.from({ length: 3 + randomInt(random, 8) }, () => `t${String(1 + randomInt(random, 120)).padStart(3, '0')}`);
        return c.json({ titleIds });
      });
    },
  });
}
