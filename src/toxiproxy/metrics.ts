/**
 * @module
 * Prometheus metrics of the proxy server, in an injected prom-client {@link Registry}:
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `toxiproxy_proxy_received_bytes_total` | counter | `proxy`, `direction` (bytes read from the source socket) |
 * | `toxiproxy_proxy_sent_bytes_total` | counter | `proxy`, `direction` (bytes written to the destination) |
 * | `toxiproxy_proxy_active_toxics` | gauge | `proxy`, `direction` |
 * | `toxiproxy_proxy_active_connections` | gauge | `proxy` |
 * | `toxiproxy_proxy_enabled` | gauge | `proxy` (1 listening, 0 down) |
 *
 * The byte counters carry Toxiproxy's names (`-proxy-metrics`) with a fixed label set: its `listener` and
 * `upstream` labels would start new series whenever a proxy moves. Series of a proxy exist at 0 from its
 * creation, so `rate()` sees the first bytes, and go away with it.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Disposable, Event } from '../core/events.js';
import type { ToxiproxyEvent } from './events.js';
import type { TcpProxy } from './proxy.js';
import { DIRECTIONS } from './toxic.js';

/** Keeps the metrics of a server's proxies. */
export class ToxiproxyMetrics implements Disposable {
  private readonly received: Counter<'proxy' | 'direction'>;
  private readonly sent: Counter<'proxy' | 'direction'>;
  private readonly toxics: Gauge<'proxy' | 'direction'>;
  private readonly connections: Gauge<'proxy'>;
  private readonly enabled: Gauge<'proxy'>;
  private readonly subscription: Disposable;

  /**
   * @param proxies the server's proxies now, read on every scrape for the gauges
   * @param events the server's events, which drive the counters
   */
  constructor(
    private readonly registry: Registry,
    proxies: () => readonly TcpProxy[],
    events: Event<ToxiproxyEvent>,
  ) {
    this.received = new Counter({
      name: 'toxiproxy_proxy_received_bytes_total',
      help: 'Bytes the proxy read from the sending side of its connections, by stream direction.',
      labelNames: ['proxy', 'direction'],
      registers: [registry],
    });
    this.sent = new Counter({
      name: 'toxiproxy_proxy_sent_bytes_total',
      help: 'Bytes the proxy wrote to the receiving side of its connections after its toxics, by stream direction.',
      labelNames: ['proxy', 'direction'],
      registers: [registry],
    });
    this.toxics = new Gauge({
      name: 'toxiproxy_proxy_active_toxics',
      help: 'Toxics on the proxy, by stream direction.',
      labelNames: ['proxy', 'direction'],
      registers: [registry],
      collect: () => {
        this.toxics.reset();
        for (const proxy of proxies()) {
          for (const direction of DIRECTIONS) this.toxics.set({ proxy: proxy.name, direction }, proxy.toxics.count(direction));
        }
      },
    });
    this.connections = new Gauge({
      name: 'toxiproxy_proxy_active_connections',
      help: 'Client connections open through the proxy.',
      labelNames: ['proxy'],
      registers: [registry],
      collect: () => {
        this.connections.reset();
        for (const proxy of proxies()) this.connections.set({ proxy: proxy.name }, proxy.connectionCount);
      },
    });
    this.enabled = new Gauge({
      name: 'toxiproxy_proxy_enabled',
      help: 'Whether the proxy listens (1) or is down (0).',
      labelNames: ['proxy'],
      registers: [registry],
      collect: () => {
        this.enabled.reset();
        for (const proxy of proxies()) this.enabled.set({ proxy: proxy.name }, proxy.enabled ? 1 : 0);
      },
    });
    this.subscription = events((event) => this.observe(event));
  }

  /** Stops counting and takes the metrics out of the registry, so it can serve another server. */
  dispose(): void {
    this.subscription.dispose();
    for (const metric of [this.received, this.sent, this.toxics, this.connections, this.enabled]) {
      this.registry.removeSingleMetric((metric as unknown as { name: string }).name);
    }
  }

  private observe(event: ToxiproxyEvent): void {
    switch (event.type) {
      case 'bytes.received':
        this.received.inc({ proxy: event.proxy, direction: event.direction }, event.bytes);
        break;
      case 'bytes.sent':
        this.sent.inc({ proxy: event.proxy, direction: event.direction }, event.bytes);
        break;
      case 'proxy.created':
        for (const direction of DIRECTIONS) {
          this.received.inc({ proxy: event.proxy, direction }, 0);
          this.sent.inc({ proxy: event.proxy, direction }, 0);
        }
        break;
      case 'proxy.deleted':
        for (const direction of DIRECTIONS) {
          this.received.remove({ proxy: event.proxy, direction });
          this.sent.remove({ proxy: event.proxy, direction });
        }
        break;
      default:
        break;
    }
  }
}
