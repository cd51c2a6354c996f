/**
 * @module
 * The Toxiproxy-compatible server: the admin API on one port, and the proxies it manages.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { SimianError } from '../core/errors.js';
import { EventEmitter, type Event } from '../core/events.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { systemRandom, type Random } from '../core/random.js';
import { formatHostPort } from './address.js';
import { createAdminApi } from './admin-api.js';
import type { ToxiproxyEvent } from './events.js';
import { ToxiproxyMetrics } from './metrics.js';
import { ProxyCollection } from './proxy-collection.js';
import type { ProxySpec } from './proxy-spec.js';

/** The Toxiproxy release whose API this server speaks; `GET /version` reports it, marked as ours. */
export const TOXIPROXY_API_VERSION = '2.12.0';

/** Options of {@link createToxiproxyServer}. */
export interface ToxiproxyServerOptions {
  /** Interface of the admin API. @default '127.0.0.1' */
  host?: string;
  /** Port of the admin API; 0 picks a free one. @default 8474 (Toxiproxy's) */
  port?: number;
  /** Time for every toxic's waits. @default the system clock */
  clock?: Clock;
  /** Randomness for toxicity, jitter and slice sizes. @default the system random */
  random?: Random;
  /** Where metrics go (never the global registry). @default a new Registry */
  registry?: Registry;
  /** @default a silent logger */
  logger?: Logger;
  /** Proxies to create before the API listens (Toxiproxy's `-config`); a failure to start one fails the server. */
  proxies?: readonly ProxySpec[];
  /** What `GET /version` reports. @default `${TOXIPROXY_API_VERSION}+simian` */
  version?: string;
}

/** A running server. */
export interface ToxiproxyServer {
  /** Base URL of the admin API, for `new Toxiproxy(url)`. */
  readonly url: string;
  /** Port of the admin API. */
  readonly port: number;
  /** What the server does: proxies, toxics, connections, bytes. */
  readonly events: Event<ToxiproxyEvent>;
  /** Stops the API, every proxy, socket and timer. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a TCP fault proxy that speaks Toxiproxy's admin API.
 *
 * @example
 * const server = await createToxiproxyServer({ port: 0 });
 * const toxiproxy = new Toxiproxy(server.url); // toxiproxy-node-client
 * const proxy = await toxiproxy.createProxy({ name: 'catalog', listen: '127.0.0.1:0', upstream: '127.0.0.1:8080' });
 * await proxy.addToxic({ name: 'slow', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 300, jitter: 50 } });
 * await server.close();
 */
export async function createToxiproxyServer(options: ToxiproxyServerOptions = {}): Promise<ToxiproxyServer> {
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? silentLogger).child({ component: 'toxiproxy' });
  const registry = options.registry ?? new Registry();
  const emitter = new EventEmitter<ToxiproxyEvent>();
  const proxies = new ProxyCollection({
    clock: options.clock ?? systemClock,
    random: options.random ?? systemRandom,
    logger,
    emit: (event) => emitter.emit(event),
  });
  const metrics = new ToxiproxyMetrics(registry, () => proxies.list(), emitter.event);
  const http = createServer(
    createAdminApi({ proxies, registry, logger, version: options.version ?? `${TOXIPROXY_API_VERSION}+simian` }),
  );

  const release = (): void => {
    proxies.clear();
    metrics.dispose();
    emitter.clear();
  };

  try {
    if (options.proxies?.length) {
      const { error } = await proxies.populate(options.proxies);
      if (error) throw new SimianError('toxiproxy.populate', `could not create the configured proxies: ${error.message}`, { cause: error });
    }
    await listen(http, host, options.port ?? 8474);
  } catch (error) {
    release();
    throw error;
  }

  const port = (http.address() as AddressInfo).port;
  const url = `http://${formatHostPort(host, port)}`;
  logger.info({ url }, 'toxiproxy API listening');
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    events: emitter.event,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        http.close(() => resolve());
        // Keep-alive connections (fetch keeps them) would hold close() open.
        http.closeAllConnections();
        release();
      })),
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error): void => {
      reject(new SimianError('toxiproxy.listen', `cannot listen on ${formatHostPort(host, port)}: ${error.message}`, { cause: error }));
    };
    server.once('error', fail);
    server.listen({ host, port }, () => {
      server.off('error', fail);
      resolve();
    });
  });
}
