/**
 * @module
 * A `fetch` for calls between the stack's services, on `node:http` with a keep-alive pool. Node 20's built-in
 * fetch (undici behind the WHATWG streams) was the largest single cost of a request crossing the stack: about a
 * fifth of a front door's CPU under load, in undici and web streams, more than the service's own work. The stack's
 * calls are small JSON or a segment, so this one reads the answer in full before it resolves and hands back a
 * `Response` over the buffer; the timeout of an attempt then covers the body too.
 *
 * Only what the services send is handled here (plain `http:` URLs, string or byte bodies); anything else goes to
 * the built-in fetch.
 */
import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

/** Statuses whose answer has no body (a `Response` refuses one). */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** A whole answer: status, headers (names in lower case) and the bytes of the body. */
export interface BufferedAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array | null;
}

/** What each response of this fetch was made from, for {@link bufferedAnswer}. */
const answers = new WeakMap<Response, BufferedAnswer>();

/**
 * The status, headers and body of `response`, for a hop that passes an answer on (the front door, the gateway).
 * A response of {@link createHttpFetch} gives the buffer it was made from; reading it as a `Response`
 * (`.body`, `.arrayBuffer()`) would build undici's Response and web streams around bytes already in hand, the
 * largest cost left in a forward. Any other response is read in full.
 */
export async function bufferedAnswer(response: Response): Promise<BufferedAnswer> {
  const known = answers.get(response);
  if (known) return known;
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  return { status: response.status, headers, body: response.body === null ? null : new Uint8Array(await response.arrayBuffer()) };
}

/**
 * Makes a fetch over its own keep-alive pool.
 *
 * @example
 * const fetch = createHttpFetch();
 * const answer = await fetch('http://127.0.0.1:4000/titles?limit=1', { signal: AbortSignal.timeout(1_000) });
 */
export function createHttpFetch(options: { readonly maxSockets?: number } = {}): typeof fetch {
  const agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  return (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
    const body = init.body;
    const plainBody = body === undefined || body === null || typeof body === 'string' || body instanceof Uint8Array;
    if (!url || url.protocol !== 'http:' || !plainBody) return globalThis.fetch(input, init);
    return new Promise<Response>((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const outgoing = request(
        { agent, hostname: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: init.method ?? 'GET', headers: headersOf(init.headers) },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', fail);
          incoming.on('end', () => {
            signal?.removeEventListener('abort', abort);
            const status = incoming.statusCode ?? 502;
            const answer = { status, headers: plainHeaders(incoming.headers), body: NULL_BODY.has(status) ? null : Buffer.concat(chunks) };
            // A plain record: @hono/node-server's Response makes Headers of it only if someone reads them.
            const response = new Response(answer.body, { status, headers: answer.headers });
            answers.set(response, answer);
            resolve(response);
          });
        },
      );
      function fail(error: unknown): void {
        signal?.removeEventListener('abort', abort);
        reject(error instanceof Error ? new TypeError('fetch failed', { cause: error }) : error);
      }
      function abort(): void {
        outgoing.destroy();
        reject(signal!.reason);
      }
      signal?.addEventListener('abort', abort, { once: true });
      outgoing.on('error', fail);
      outgoing.end(body ?? undefined);
    });
  };
}

function headersOf(headers: RequestInit['headers']): OutgoingHttpHeaders {
  if (headers === undefined) return {};
  if (headers instanceof Headers || Array.isArray(headers)) return Object.fromEntries(headers);
  return headers as Record<string, string>;
}

/** Node's parsed headers as one string per name; repeated ones joined as `Headers.get` joins them. */
function plainHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in incoming) {
    const value = incoming[name];
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
