/**
 * @module
 * One proxy: a TCP listener that forwards every accepted connection to the upstream through the proxy's toxics.
 * Disabling it ("down" in Toxiproxy) stops listening and closes every open connection.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { ApiError } from './api-error.js';
import { bindHost, formatHostPort, parseHostPort, sameListenHost, type HostPort } from './address.js';
import { Connection } from './connection.js';
import type { EmitToxiproxyEvent } from './events.js';
import type { Link } from './link.js';
import type { ProxyChanges, ProxySpec } from './proxy-spec.js';
import { toxicToJson, type StreamDirection, type ToxicJson } from './toxic.js';
import { ToxicCollection } from './toxic-collection.js';

/** What every proxy of a server shares. */
export interface ProxyDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly emit: EmitToxiproxyEvent;
}

/** The JSON of a proxy. */
export interface ProxyJson {
  name: string;
  /** Where it listens; once it has listened, the address it really bound (the real port for port 0). */
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/** A proxy (Toxiproxy's `Proxy`; named apart from the global `Proxy`). Create it with {@link TcpProxy.create}, then {@link TcpProxy.start} it unless it starts disabled. */
export class TcpProxy {
  readonly name: string;
  /** The toxics; changes reach open connections. */
  readonly toxics: ToxicCollection;
  private listenAt: HostPort;
  private listenText: string;
  private upstreamAt: HostPort;
  private upstreamText: string;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly logger: Logger;

  private constructor(
    spec: ProxySpec,
    private readonly deps: ProxyDeps,
  ) {
    this.name = spec.name;
    this.listenText = spec.listen;
    this.listenAt = parseHostPort(spec.listen, 'listen');
    this.upstreamText = spec.upstream;
    this.upstreamAt = parseHostPort(spec.upstream, 'upstream');
    this.logger = deps.logger.child({ proxy: spec.name });
    this.toxics = new ToxicCollection(
      (direction) => this.links(direction),
      (type, toxic) => deps.emit({ type, proxy: this.name, toxic: toxicToJson(toxic) }),
    );
  }

  /** A stopped proxy for `spec` (its `enabled` is for the caller to act on). Throws 400 on a bad address. */
  static create(spec: ProxySpec, deps: ProxyDeps): TcpProxy {
    return new TcpProxy(spec, deps);
  }

  /** Whether it listens. */
  get enabled(): boolean {
    return this.server !== undefined;
  }

  /** The listen address, as bound once it has listened. */
  get listen(): string {
    return this.listenText;
  }

  /** The upstream address as given. */
  get upstream(): string {
    return this.upstreamText;
  }

  /** How many connections are open. */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Starts listening; a no-op when already listening. A bind failure is a 500 with Go's wording
   * (`listen tcp 127.0.0.1:3310: …`), as Toxiproxy answers.
   */
  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(server, socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.listenAt.port, host: bindHost(this.listenAt.host) }, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      throw new ApiError(`listen tcp ${this.listenText}: ${message}`, 500);
    });
    server.on('error', (error) => this.logger.warn({ err: error }, 'toxiproxy listener error'));
    const address = server.address() as AddressInfo;
    // Later starts (re-enabling) bind the same port again, as Toxiproxy re-listens on its resolved address.
    this.listenAt = { host: this.listenAt.host, port: address.port };
    this.listenText = formatHostPort(address.address, address.port);
    this.server = server;
    this.logger.info({ listen: this.listenText, upstream: this.upstreamText }, 'toxiproxy proxy started');
    this.deps.emit({ type: 'proxy.enabled', proxy: this.name, listen: this.listenText });
  }

  /** Stops listening and closes every open connection; a no-op when stopped. */
  stop(): void {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.close();
    for (const connection of [...this.connections]) connection.destroy();
    this.logger.info('toxiproxy proxy stopped');
    this.deps.emit({ type: 'proxy.disabled', proxy: this.name });
  }

  /**
   * Whether `listen`/`upstream` name another place than now. Port 0 matches whatever port was bound, so
   * repeating a /populate that asked for an ephemeral port leaves the proxy alone (idempotent).
   */
  differs(listen: string, upstream: string): boolean {
    const at = parseHostPort(listen, 'listen');
    const listenDiffers = !sameListenHost(at.host, this.listenAt.host) || (at.port !== 0 && at.port !== this.listenAt.port);
    return listenDiffers || upstream !== this.upstreamText;
  }

  /**
   * Applies an update as Toxiproxy does: a new listen or upstream restarts the proxy (dropping connections);
   * `enabled` starts or stops it.
   */
  async update(changes: ProxyChanges): Promise<void> {
    const listen = changes.listen ?? this.listenText;
    const upstream = changes.upstream ?? this.upstreamText;
    const enabled = changes.enabled ?? this.enabled;
    if (this.differs(listen, upstream)) {
      this.stop();
      const at = parseHostPort(listen, 'listen');
      // Port 0 on the same host keeps the port already bound: only the upstream changed.
      if (at.port !== 0 || !sameListenHost(at.host, this.listenAt.host)) {
        this.listenAt = at;
        this.listenText = listen;
      }
      this.upstreamAt = parseHostPort(upstream, 'upstream');
      this.upstreamText = upstream;
    }
    if (enabled) await this.start();
    else this.stop();
  }

  /** The JSON the API answers with. */
  toJSON(): ProxyJson {
    return {
      name: this.name,
      listen: this.listenText,
      upstream: this.upstreamText,
      enabled: this.enabled,
      toxics: this.toxics.list().map(toxicToJson),
    };
  }

  private *links(direction: StreamDirection): Iterable<Link> {
    for (const connection of this.connections) yield connection.links[direction];
  }

  private accept(server: Server, client: Socket): void {
    if (this.server !== server) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: this.upstreamAt.host || 'localhost', port: this.upstreamAt.port, allowHalfOpen: true });
    const connection = new Connection({
      client,
      upstream,
      clock: this.deps.clock,
      random: this.deps.random,
      logger: this.logger,
      toxics: (direction) => this.toxics.chain(direction),
      hooks: {
        received: (direction, bytes) => this.deps.emit({ type: 'bytes.received', proxy: this.name, direction, bytes }),
        sent: (direction, bytes) => this.deps.emit({ type: 'bytes.sent', proxy: this.name, direction, bytes }),
        inputEnded: (direction, kind) => this.deps.emit({ type: 'stream.ended', proxy: this.name, direction, kind }),
        closed: (closed) => {
          if (this.connections.delete(closed)) this.deps.emit({ type: 'connection.closed', proxy: this.name });
        },
      },
    });
    this.connections.add(connection);
    this.logger.debug({ client: `${client.remoteAddress}:${client.remotePort}` }, 'toxiproxy accepted client');
    this.deps.emit({ type: 'connection.opened', proxy: this.name });
  }
}
