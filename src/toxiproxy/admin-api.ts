/**
 * @module
 * Toxiproxy's HTTP admin API (`api.go`) over node:http, so `toxiproxy-node-client`, Toxiproxy's Go client and
 * its CLI work unchanged:
 *
 * | route | methods |
 * |---|---|
 * | `/version` | GET |
 * | `/metrics` | GET (Prometheus text) |
 * | `/reset` | POST (enable all proxies, remove all toxics; 204) |
 * | `/populate` | POST (create or replace proxies; 201 `{proxies}`) |
 * | `/proxies` | GET (map by name), POST (create; 201, 409 on a taken name) |
 * | `/proxies/{proxy}` | GET, POST or PATCH (update), DELETE (204) |
 * | `/proxies/{proxy}/toxics` | GET (list), POST (create; 200 as in Toxiproxy, 409 on a taken name) |
 * | `/proxies/{proxy}/toxics/{toxic}` | GET, POST or PATCH (update), DELETE (204) |
 *
 * Requests whose User-Agent starts with `Mozilla/` get 403: a web page must not be able to drive the proxy
 * through the browser (Toxiproxy's `stopBrowsersMiddleware`). So do requests with an `Origin` header, which
 * browsers send with every cross-origin request and every POST, whatever User-Agent they claim; API clients
 * (toxiproxy-node-client, Toxiproxy's Go client and CLI, curl) send none.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Logger } from '../core/logger.js';
import { ApiError, isApiError } from './api-error.js';
import { errorReply, readJsonBody, send, type Reply } from './http-io.js';
import type { ProxyCollection } from './proxy-collection.js';
import { parsePopulate, parseProxyChanges, parseProxySpec } from './proxy-spec.js';
import { toxicToJson } from './toxic.js';

/** Options of {@link createAdminApi}. */
export interface AdminApiOptions {
  readonly proxies: ProxyCollection;
  readonly registry: Registry;
  /** What `GET /version` reports. */
  readonly version: string;
  readonly logger: Logger;
}

type Handler = (request: IncomingMessage, params: readonly string[]) => Promise<Reply>;
type Routes = Partial<Record<string, Handler>>;

/** Builds the request listener of the admin API. */
export function createAdminApi(options: AdminApiOptions): RequestListener {
  const { proxies, registry, logger } = options;
  // Reading a body happens outside the queue, so a slow client cannot hold up everyone else.
  const withBody =
    (operation: (body: unknown, params: readonly string[]) => Promise<Reply> | Reply): Handler =>
    async (request, params) => {
      const body = await readJsonBody(request);
      return proxies.exclusive(() => operation(body, params));
    };
  const queued =
    (operation: (params: readonly string[]) => Promise<Reply> | Reply): Handler =>
    async (_request, params) =>
      proxies.exclusive(() => operation(params));

  const updateProxy = withBody(async (body, [name]) => {
    const proxy = await proxies.update(name!, parseProxyChanges(body));
    return { status: 200, json: proxy.toJSON() };
  });
  const updateToxic = withBody((body, [name, toxic]) => ({
    status: 200,
    json: toxicToJson(proxies.get(name!).toxics.update(toxic!, body)),
  }));

  const table: Array<{ pattern: RegExp; routes: Routes }> = [
    {
      pattern: /^\/version$/,
      routes: { GET: async () => ({ status: 200, json: { version: options.version } }) },
    },
    {
      pattern: /^\/metrics$/,
      routes: { GET: async () => ({ status: 200, text: await registry.metrics(), contentType: registry.contentType }) },
    },
    {
      pattern: /^\/reset$/,
      routes: {
        POST: queued(async () => {
          await proxies.reset();
          return { status: 204 };
        }),
      },
    },
    {
      pattern: /^\/populate$/,
      routes: {
        POST: withBody(async (body) => {
          const { proxies: done, error } = await proxies.populate(parsePopulate(body));
          const list = done.map((p) => p.toJSON());
          return error ? { status: error.status, json: { ...error.toJSON(), proxies: list } } : { status: 201, json: { proxies: list } };
        }),
      },
    },
    {
      pattern: /^\/proxies$/,
      routes: {
        GET: queued(() => ({ status: 200, json: Object.fromEntries(proxies.list().map((p) => [p.name, p.toJSON()])) })),
        POST: withBody(async (body) => ({ status: 201, json: (await proxies.add(parseProxySpec(body))).toJSON() })),
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)$/,
      routes: {
        GET: queued(([name]) => ({ status: 200, json: proxies.get(name!).toJSON() })),
        POST: updateProxy,
        PATCH: updateProxy,
        DELETE: queued(([name]) => {
          proxies.remove(name!);
          return { status: 204 };
        }),
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics$/,
      routes: {
        GET: queued(([name]) => ({ status: 200, json: proxies.get(name!).toxics.list().map(toxicToJson) })),
        POST: withBody((body, [name]) => ({ status: 200, json: toxicToJson(proxies.get(name!).toxics.add(body)) })),
      },
    },
    {
      pattern: /^\/proxies\/([^/]+)\/toxics\/([^/]+)$/,
      routes: {
        GET: queued(([name, toxic]) => ({ status: 200, json: toxicToJson(proxies.get(name!).toxics.require(toxic!)) })),
        POST: updateToxic,
        PATCH: updateToxic,
        DELETE: queued(([name, toxic]) => {
          proxies.get(name!).toxics.remove(toxic!);
          return { status: 204 };
        }),
      },
    },
  ];

  const dispatch = async (request: IncomingMessage): Promise<Reply> => {
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      request.resume();
      return { status: 403, text: 'User agent not allowed\n' };
    }
    if (request.headers.origin !== undefined) {
      request.resume();
      return { status: 403, text: 'Requests from web pages (with an Origin header) not allowed\n' };
    }
    const path = new URL(request.url ?? '/', 'http://toxiproxy').pathname;
    for (const { pattern, routes } of table) {
      const match = pattern.exec(path);
      if (!match) continue;
      const handler = routes[request.method ?? 'GET'];
      if (!handler) {
        request.resume();
        return errorReply(new ApiError(`method ${request.method} not allowed on ${path}`, 405));
      }
      return handler(request, match.slice(1).map(decodeSegment));
    }
    request.resume();
    return errorReply(new ApiError(`no route for ${path}`, 404));
  };

  return (request: IncomingMessage, response: ServerResponse) => {
    dispatch(request)
      .catch((error: unknown): Reply => {
        if (isApiError(error)) return errorReply(error);
        logger.error({ err: error, method: request.method, url: request.url }, 'toxiproxy admin API failed');
        return errorReply(new ApiError(error instanceof Error ? error.message : String(error), 500));
      })
      .then((reply) => send(response, reply))
      .catch((error: unknown) => logger.warn({ err: error }, 'toxiproxy admin API could not answer'));
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw ApiError.badRequestBody(`bad escape in path segment "${segment}"`);
  }
}
