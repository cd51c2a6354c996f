/**
 * @module
 * A loopback HTTP server exporting prom-client counters, as a stack instance would: `http_requests_total` by status
 * code, with the error codes pre-created at 0. Tests drive the counters by hand and can "restart" the process
 * (fresh counters at the same address) to produce a counter reset.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';

/** One fake instance. */
export interface MetricsTarget {
  /** `http://127.0.0.1:PORT` */
  readonly address: string;
  /** `http://127.0.0.1:PORT/metrics` */
  readonly metricsUrl: string;
  /** Counts `n` requests answered with `code`. */
  record(code: string, n?: number): void;
  /** Drops every counter to 0, as a restarted process would. */
  restart(): void;
  /** Makes `/metrics` answer 503 (down) or normally again. */
  setDown(down: boolean): void;
  /** Makes `/metrics` answer only after `ms` of real time. */
  setDelay(ms: number): void;
  /** How many times `/metrics` was asked for. */
  readonly scrapes: number;
  close(): Promise<void>;
}

/** Starts a target on a free loopback port, with default labels such as `{ service: 'api', instance: 'api-0' }`. */
export async function startMetricsTarget(defaultLabels: Record<string, string> = {}): Promise<MetricsTarget> {
  let registry: Registry;
  let requests: Counter<'code'>;
  const fresh = (): void => {
    registry = new Registry();
    registry.setDefaultLabels(defaultLabels);
    requests = new Counter({ name: 'http_requests_total', help: 'requests by code', labelNames: ['code'], registers: [registry] });
    for (const code of ['200', '500']) requests.labels({ code }).inc(0);
  };
  fresh();
  let down = false;
  let delayMs = 0;
  let scrapes = 0;
  const server: Server = createServer((req, res) => {
    scrapes++;
    if (delayMs > 0) {
      setTimeout(() => answer(res), delayMs);
      return;
    }
    answer(res);
  });
  const answer = (res: ServerResponse): void => {
    if (down) {
      res.statusCode = 503;
      res.end('down');
      return;
    }
    void registry.metrics().then((text) => {
      res.setHeader('content-type', registry.contentType);
      res.end(text);
    });
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    address,
    metricsUrl: `${address}/metrics`,
    record: (code, n = 1) => requests.inc({ code }, n),
    restart: fresh,
    setDown: (value) => {
      down = value;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    get scrapes() {
      return scrapes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
