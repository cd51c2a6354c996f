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

/** The realm of the `WWW-Authenticate` challenge. */
const REALM = 'simian-stack';

/**
 * A middleware that lets a request through only with the stack's token and without an `Origin` header: 403 for a
 * web page, 401 without the token or with another one, 400 for an `Authorization` header that is not a bearer token.
 *
 * @example
 * app.post('/admin/regions/:region/evacuate', requireStackToken(token), (c) => …);
 */
export function requireStackToken(token: string): MiddlewareHandler {
  if (token === '') throw new TypeError('requireStackToken: the token must not be empty');
  const bearer = bearerAuth({
    token,
    realm: REALM,
    // Node's own hash answers synchronously; WebCrypto's default would add a trip through the thread pool to every
    // heartbeat and hold callers that run on a manual clock.
    hashFunction: (data: string) => createHash('sha256').update(data).digest('hex'),
    noAuthenticationHeader: { message: { error: 'this route changes the stack: send Authorization: Bearer <the stack token> (<state dir>/stack.token)' } },
    invalidAuthenticationHeader: { message: { error: 'expected Authorization: Bearer <the stack token>' } },
    invalidToken: { message: { error: 'wrong stack token' } },
  });
  return async (c, next) => {
    if (c.req.header('origin') !== undefined) {
      return c.json({ error: 'requests from web pages (with an Origin header) may not change the stack' }, 403);
    }
    return bearer(c, next);
  };
}
