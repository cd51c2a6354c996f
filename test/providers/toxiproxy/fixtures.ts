/**
 * Real sockets for the proxy-fault tests: the embedded Toxiproxy server (system clock: the latency is measured on
 * the wall), loopback HTTP upstreams, the real front door app, a fake stack admin API, and one list of cleanups
 * that an afterEach runs even when a test fails.
 */
import { serve } from '@hono/node-server';
import { once } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Toxiproxy } from 'toxiproxy-node-client';
import type { AdminInstance } from '../../../src/providers/local/local-provider.js';
import { createFrontDoorService, type FrontDoor } from '../../../src/reference-stack/frontdoor/frontdoor-service.js';
import { createToxiproxyServer, type ToxiproxyServer } from '../../../src/toxiproxy/index.js';

/** Cleanups, run last-first; one that fails does not stop the others. */
export class Cleanup {
  private readonly closers: Array<() => Promise<unknown> | unknown> = [];

  add(closer: () => Promise<unknown> | unknown): void {
    this.closers.push(closer);
  }

  async run(): Promise<void> {
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await closer();
      } catch {
        // Keep closing the rest.
      }
    }
  }
}

/** An embedded Toxiproxy server on a random loopback port, and the official client for it. */
export async function startToxiproxy(cleanup: Cleanup): Promise<{ server: ToxiproxyServer; client: Toxiproxy }> {
  const server = await createToxiproxyServer({ port: 0 });
  cleanup.add(() => server.close());
  return { server, client: new Toxiproxy(server.url) };
}

/** Listens on a random loopback port; the cleanup drops keep-alive connections so close() does not wait on them. */
export async function listenHttp(cleanup: Cleanup, server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback HTTP upstream that answers every request with `body`; resolves with its `host:port`. */
export async function httpUpstream(cleanup: Cleanup, body = 'ok'): Promise<string> {
  const url = await listenHttp(cleanup, createServer((_req, res) => res.end(body)));
  return new URL(url).host;
}

/** The port of a `host:port` listen address. */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

/** Resolves with the error code of a TCP connection attempt to a loopback port (undefined: it connected). */
export function tryConnect(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
  });
}

/**
 * GET `http://127.0.0.1:<port>/` on a fresh connection (no agent: a pooled connection would hide a proxy's
 * listener state), resolving with the body and the elapsed wall time.
 */
export function timedGet(port: number): Promise<{ body: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = get({ host: '127.0.0.1', port, path: '/', agent: false }, (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, ms: performance.now() - started }));
      response.on('error', reject);
    });
    request.on('error', reject);
  });
}

/** The stack token of the front door {@link startFrontDoor} starts. */
export const STACK_TOKEN = 'fixture-stack-token-0123456789abcdef';

/** The real front door app on a random loopback port, with regions that have no gateways (only its admin API is used). */
export async function startFrontDoor(cleanup: Cleanup, regions: readonly string[]): Promise<{ url: string; frontDoor: FrontDoor }> {
  const frontDoor = createFrontDoorService({
    identity: { service: 'frontdoor', region: 'global', zone: 'global', instanceId: 'frontdoor-global-0' },
    regions: regions.map((name) => ({ name, discovery: { lookup: () => [] } })),
    stackToken: STACK_TOKEN,
  });
  const server = await new Promise<Server>((resolve) => {
    const started = serve({ fetch: frontDoor.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started as Server));
  });
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, frontDoor };
}

/** What `GET <frontDoor>/admin/regions` says is evacuated, by region. */
export async function evacuatedRegions(frontDoorUrl: string): Promise<Record<string, boolean>> {
  const answer = (await (await fetch(`${frontDoorUrl}/admin/regions`)).json()) as { regions: Array<{ name: string; evacuated: boolean }> };
  return Object.fromEntries(answer.regions.map((r) => [r.name, r.evacuated]));
}

/** A fake stack admin API: `GET /inventory` answers `{ instances }` as the real one does. */
export async function fakeStackAdmin(cleanup: Cleanup, instances: readonly AdminInstance[]): Promise<string> {
  return listenHttp(
    cleanup,
    createServer((req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/inventory') {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ instances }));
    }),
  );
}

/** The toxics of a proxy, read through the client's own HTTP client (the client has no "list toxics" call). */
export async function toxicsOf(client: Toxiproxy, proxy: string): Promise<Array<{ name: string; type: string; stream: string; attributes: Record<string, number> }>> {
  const response = await client.getApi().get<Array<{ name: string; type: string; stream: string; attributes: Record<string, number> }>>(`${client.host}/proxies/${proxy}/toxics`);
  return response.data;
}
