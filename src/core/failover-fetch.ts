/**
 * @module
 * A `fetch` that fails over between the addresses of one service, as a browser does between the addresses of one
 * name: the reference stack's front doors are several instances, and a client that sends everything to the first
 * fails its viewers whenever that one is killed, though another answers.
 */

/** Options of {@link failoverFetch}. */
export interface FailoverFetchOptions {
  /** The fetch that sends each attempt. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /**
   * Whether a request that {@link isSafeToRepeatByDefault} refuses may still be sent again to another address
   * (a POST that changes nothing, such as a login). `url` is the URL as the caller wrote it; `init` holds the
   * request's method (upper case) and headers as a `Headers`.
   */
  readonly isSafeToRepeat?: (url: string, init: RequestInit & { readonly method: string; readonly headers: Headers }) => boolean;
}

/** Methods that mean the same sent twice (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/**
 * Whether a request may be sent again after a network error without the server doing it twice: an idempotent
 * method, or an `idempotency-key` header (the server applies a key once, however many copies reach it).
 */
export function isSafeToRepeatByDefault(method: string, headers: Headers): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase()) || headers.has('idempotency-key');
}

/** One request, taken apart so that it can be sent to another origin. */
interface Prepared {
  readonly url: URL;
  readonly init: RequestInit & { method: string; headers: Headers };
  /** The body can be sent more than once (a stream cannot). */
  readonly replayable: boolean;
}

/**
 * A `fetch` over `addresses` (origins such as `http://127.0.0.1:8080`; a path is ignored). A request to one of
 * those origins goes to the currently preferred one, with the same path and query. When the attempt fails with a
 * network error (a rejection that is not the caller's own abort), the request goes to the next address, and the
 * first that answers becomes preferred: every later request goes there directly. Any HTTP status is an answer.
 * A request that is not safe to repeat ({@link isSafeToRepeatByDefault}, or `options.isSafeToRepeat`) is sent
 * once, its error rethrown, but the preference still moves on, so the caller's own retry reaches a live address.
 * Requests to other origins pass through untouched.
 *
 * @throws Error (from the returned fetch) the last address's error when no address answers
 *
 * @example
 * const fetch = failoverFetch(['http://127.0.0.1:8080', 'http://127.0.0.1:8081']);
 * await fetch('http://127.0.0.1:8080/health'); // answered by :8081 when :8080 is down
 */
export function failoverFetch(addresses: readonly string[], options: FailoverFetchOptions = {}): typeof fetch {
  const origins = [...new Set(addresses.map((address) => new URL(address).origin))];
  const send = options.fetch ?? globalThis.fetch;
  if (origins.length === 0) return send;
  let preferred = 0;

  const failover = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const original = input instanceof Request ? input.url : String(input);
    const origin = new URL(original).origin;
    if (!origins.includes(origin)) return send(input, init);
    const request = await prepare(input, init);
    const safe = request.replayable && (isSafeToRepeatByDefault(request.init.method, request.init.headers) || options.isSafeToRepeat?.(original, request.init) === true);
    const first = preferred;
    let lastError: unknown;
    for (let tried = 0; tried < origins.length; tried++) {
      const index = (first + tried) % origins.length;
      // Concatenated, not resolved: a path such as `//x` would otherwise name another host.
      const url = `${origins[index]!}${request.url.pathname}${request.url.search}${request.url.hash}`;
      try {
        // An answer leaves the preference alone: one that started before a failure and answered from the dead
        // address just before it died must not send everyone back there.
        return await send(url, request.init);
      } catch (error) {
        if (request.init.signal?.aborted) throw error;
        lastError = error;
        // The preference moves past an address that failed, so it ends on the one that answers. Compare and set:
        // two requests that fail on the same address move it once, not past a live address.
        if (preferred === index) preferred = (index + 1) % origins.length;
        if (!safe) throw error;
      }
    }
    throw lastError;
  };
  return failover as typeof fetch;
}

/** Takes a request apart: its URL, and an init that can be sent to any origin (the body read when it is a stream). */
async function prepare(input: string | URL | Request, init: RequestInit | undefined): Promise<Prepared> {
  if (!(input instanceof Request)) {
    const headers = new Headers(init?.headers);
    const method = (init?.method ?? 'GET').toUpperCase();
    const replayable = !(init?.body instanceof ReadableStream);
    return { url: new URL(input), init: { ...init, method, headers }, replayable };
  }
  // A Request's body is a stream that can be read once: read it whole, so each attempt sends its own copy.
  const request = init === undefined ? input : new Request(input, init);
  const body = request.body === null ? undefined : await request.arrayBuffer();
  return {
    url: new URL(request.url),
    init: {
      method: request.method.toUpperCase(),
      headers: new Headers(request.headers),
      ...(body === undefined ? {} : { body }),
      signal: request.signal,
      redirect: request.redirect,
      keepalive: request.keepalive,
    },
    replayable: true,
  };
}
