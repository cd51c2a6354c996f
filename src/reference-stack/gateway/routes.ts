/**
 * @module
 * The gateway's routing table: which public path goes to which service and upstream path. One place to read the
 * stack's public API.
 */
import type { ServiceName } from '../service-kit/identity.js';

/** What a route handler knows about the request. */
export interface RouteRequest {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The authenticated viewer, absent on public routes. */
  readonly userId: string | undefined;
}

/** A public route of the gateway. */
export interface GatewayRoute {
  readonly method: 'GET' | 'POST';
  /** A Hono path pattern under `/api`. */
  readonly path: string;
  readonly target: ServiceName;
  /** Whether a viewer token is required. */
  readonly authenticated: boolean;
  /** Safe to send again on another instance although it is a POST (it changes nothing). */
  readonly idempotent?: boolean;
  /** The upstream path (with query) for a request. */
  upstream(request: RouteRequest): string;
  /** Rewrites a JSON body before it goes upstream (the viewer id comes from the token, never from the client). */
  body?(body: Record<string, unknown>, request: RouteRequest): Record<string, unknown>;
  /** What to answer when the target fails: another service's answer, reshaped (degrade, don't fail). */
  readonly fallback?: {
    readonly target: ServiceName;
    readonly upstream: string;
    reshape(answer: unknown): unknown;
  };
}

const enc = encodeURIComponent;

/** The stack's public API. */
export const GATEWAY_ROUTES: readonly GatewayRoute[] = [
  { method: 'POST', path: '/api/login', target: 'user', authenticated: false, idempotent: true, upstream: () => '/login' },
  {
    method: 'GET',
    path: '/api/home',
    target: 'recommendation',
    authenticated: true,
    upstream: (r) => `/rows/${enc(r.userId!)}`,
    // Without recommendations the home page still renders: the catalog's trending row, as Netflix's API did.
    fallback: {
      target: 'catalog',
      upstream: '/trending?limit=10',
      reshape: (answer) => ({
        rows: [{ name: 'Trending now', titles: ((answer as { titles: Array<{ id: string; name: string }> }).titles ?? []).map(({ id, name }) => ({ id, name })) }],
        fallback: true,
      }),
    },
  },
  { method: 'GET', path: '/api/profile', target: 'user', authenticated: true, upstream: (r) => `/users/${enc(r.userId!)}/profile` },
  {
    method: 'GET',
    path: '/api/titles',
    target: 'catalog',
    authenticated: true,
    upstream: (r) => `/titles${r.query.size > 0 ? `?${r.query.toString()}` : ''}`,
  },
  { method: 'GET', path: '/api/titles/:id', target: 'catalog', authenticated: true, upstream: (r) => `/titles/${enc(r.params['id']!)}` },
  {
    method: 'GET',
    path: '/api/play/:titleId',
    target: 'playback',
    authenticated: true,
    upstream: (r) => `/manifest/${enc(r.params['titleId']!)}?userId=${enc(r.userId!)}`,
  },
  {
    method: 'POST',
    path: '/api/subscriptions',
    target: 'billing',
    authenticated: true,
    upstream: () => '/subscriptions',
    body: (body, r) => ({ ...body, userId: r.userId }),
  },
  { method: 'GET', path: '/api/subscriptions', target: 'billing', authenticated: true, upstream: (r) => `/subscriptions?userId=${enc(r.userId!)}` },
  {
    method: 'GET',
    path: '/api/subscriptions/by-key/:key',
    target: 'billing',
    authenticated: true,
    upstream: (r) => `/subscriptions/by-key/${enc(r.params['key']!)}?userId=${enc(r.userId!)}`,
  },
];
