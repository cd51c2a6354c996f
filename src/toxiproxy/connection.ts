/**
 * @module
 * A proxied connection: the client's socket, a socket to the upstream, and a {@link Link} each way
 * (`upstream` carries client → server data, `downstream` server → client).
 *
 * How it ends, and why:
 * - A FIN from one side half-closes the other side once the toxics have let the data before it go. Toxiproxy
 *   closes both sockets instead; half-closing keeps protocols that send FIN after a request working.
 * - A toxic that closes (timeout, limit_data) closes the destination gracefully, and the other direction ends
 *   after its own toxics, which is how the close travels through Toxiproxy's chains.
 * - reset_peer resets both sockets (TCP RST).
 * - A socket error tears the connection down at once; a reset by one peer is passed on as a reset to the other.
 */
import type { Socket } from 'node:net';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { Random } from '../core/random.js';
import { Link } from './link.js';
import type { EndKind } from './stage.js';
import type { StreamDirection, Toxic } from './toxic.js';

/** What a connection reports to its proxy. */
export interface ConnectionHooks {
  received(direction: StreamDirection, bytes: number): void;
  sent(direction: StreamDirection, bytes: number): void;
  inputEnded(direction: StreamDirection, kind: EndKind): void;
  /** Both sockets are closed and every timer is cancelled. */
  closed(connection: Connection): void;
}

/** Options of a {@link Connection}. */
export interface ConnectionOptions {
  /** The accepted client socket (created with `allowHalfOpen`). */
  readonly client: Socket;
  /** The socket to the upstream, connecting or connected (created with `allowHalfOpen`). */
  readonly upstream: Socket;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  /** The proxy's toxics for a direction, in chain order. */
  toxics(direction: StreamDirection): readonly Toxic[];
  readonly hooks: ConnectionHooks;
}

/** One client connection through a proxy. */
export class Connection {
  /** The link of each direction. */
  readonly links: Readonly<Record<StreamDirection, Link>>;
  private readonly client: Socket;
  private readonly upstream: Socket;
  private readonly logger: Logger;
  private readonly hooks: ConnectionHooks;
  private done = false;

  constructor(options: ConnectionOptions) {
    this.client = options.client;
    this.upstream = options.upstream;
    this.logger = options.logger;
    this.hooks = options.hooks;
    const link = (direction: StreamDirection, source: Socket, dest: Socket): Link =>
      new Link({
        direction,
        source,
        dest,
        clock: options.clock,
        random: options.random,
        toxics: options.toxics(direction),
        hooks: {
          received: (bytes) => this.hooks.received(direction, bytes),
          sent: (bytes) => this.hooks.sent(direction, bytes),
          inputEnded: (kind) => this.hooks.inputEnded(direction, kind),
          ended: (kind) => this.linkEnded(direction, kind),
        },
      });
    this.links = {
      upstream: link('upstream', this.client, this.upstream),
      downstream: link('downstream', this.upstream, this.client),
    };
    for (const socket of [this.client, this.upstream]) {
      // A proxy must not add delays of its own (Nagle); Go's sockets default to TCP_NODELAY too.
      socket.setNoDelay(true);
      socket.on('error', (error: NodeJS.ErrnoException) => this.socketFailed(socket, error));
      socket.once('close', () => this.socketClosed(socket));
    }
  }

  /** Closes both sockets now and cancels every timer: the proxy was disabled, deleted or shut down. */
  destroy(): void {
    this.client.destroy();
    this.upstream.destroy();
    this.finish();
  }

  private linkEnded(direction: StreamDirection, kind: EndKind): void {
    const link = this.links[direction];
    const other = this.links[direction === 'upstream' ? 'downstream' : 'upstream'];
    switch (kind) {
      case 'eof':
        if (!link.dest.destroyed) link.dest.end();
        break;
      case 'close':
        // Ends after what is already written has been flushed, then closes.
        if (!link.dest.destroyed) link.dest.destroySoon();
        other.endInput('close');
        break;
      case 'reset':
        resetSocket(link.dest);
        other.endInput('reset');
        break;
    }
  }

  private socketFailed(socket: Socket, error: NodeJS.ErrnoException): void {
    const side = socket === this.client ? 'client' : 'upstream';
    this.logger.debug({ err: error, side }, 'toxiproxy connection error');
    const other = socket === this.client ? this.upstream : this.client;
    if (error.code === 'ECONNRESET') resetSocket(other);
    else other.destroy();
    socket.destroy();
  }

  private socketClosed(socket: Socket): void {
    // Nothing more will be read from it: the other direction's toxics drain, then its destination closes.
    const reading = socket === this.client ? this.links.upstream : this.links.downstream;
    reading.endInput('close');
    if (this.client.destroyed && this.upstream.destroyed) this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.links.upstream.stop();
    this.links.downstream.stop();
    this.hooks.closed(this);
  }
}

/** Closes a socket with a TCP RST (SO_LINGER 0), falling back to a plain destroy when it has no TCP handle. */
export function resetSocket(socket: Socket): void {
  if (socket.destroyed) return;
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
