/**
 * @module
 * The guard on every route that changes a running stack (evacuate a region, register an instance, kill one): the
 * stack's token as `Authorization: Bearer <token>`, compared in constant time (hono's bearer-auth), and no
 * `Origin` header. Browsers send `Origin` with every POST, PUT and DELETE, also same-origin ones after a DNS
 * rebinding, so a web page the operator happens to open cannot drive the stack even if it guessed a port.
 * Toxiproxy's API refuses browsers the same way, by their `User-Agent` (its `stopBrowsersMiddleware`).
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';

/** What {@link requireBearerToken} says, and the realm of its `WWW-Authenticate` challenge. */
export interface BearerGuardWording {
  readonly realm: string;
  /** The answer (401) to a request without an `Authorization` header. */
  readonly missing: string;
  /** The answer (400) to an `Authorization` header that is not a bearer token. */
  readonly malformed: string;
  /** The answer (401) to another token. */
  readonly wrong: string;
  /** The answer (403) to a request from a web page. */
  readonly fromWebPage: string;
}

/**
 * A middleware that lets a request through only with `token` as its bearer token and without an `Origin` header:
 * 403 for a web page, 401 without the token or with another one, 400 for an `Authorization` header that is not a
 * bearer token.
 */
export function requireBearerToken(token: string, wording: BearerGuardWording): MiddlewareHandler {
  if (token === '') throw new TypeError('requireBearerToken: the token must not be empty');
  const bearer = bearerAuth({
    token,
    realm: wording.realm,
    // Node's own hash answers synchronously; WebCrypto's default would add a trip through the thread pool to every
    // heartbeat and hold callers that run on a manual clock.
    hashFunction: (data: string) => createHash('sha256').update(data).digest('hex'),
    noAuthenticationHeader: { message: { error: wording.missing } },
    invalidAuthenticationHeader: { message: { error: wording.malformed } },
    invalidToken: { message: { error: wording.wrong } },
  });
  return async (c, next) => {
    if (c.req.header('origin') !== undefined) return c.json({ error: wording.fromWebPage }, 403);
    return bearer(c, next);
  };
}

/**
 * {@link requireBearerToken} with the stack's token and words.
 *
 * @example
 * app.post('/admin/regions/:region/evacuate', requireStackToken(token), (c) => …);
 */
export function requireStackToken(token: string): MiddlewareHandler {
  return requireBearerToken(token, {
    realm: 'simian-stack',
    missing: 'this route changes the stack: send Authorization: Bearer <the stack token> (<state dir>/stack.token)',
    malformed: 'expected Authorization: Bearer <the stack token>',
    wrong: 'wrong stack token',
    fromWebPage: 'requests from web pages (with an Origin header) may not change the stack',
  });
}
