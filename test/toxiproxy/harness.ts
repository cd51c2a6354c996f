/**
 * Shared pieces of the toxiproxy tests: loopback upstreams, socket peers that record what they get, a log of
 * the server's events to wait on, and a harness that closes everything it started, even when a test fails.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { ManualClock, SeededRandom, type Random } from '../../src/core/index.js';
import { createToxiproxyServer, type StreamDirection, type ToxiproxyEvent, type ToxiproxyServer } from '../../src/toxiproxy/index.js';

/** One end of a TCP connection, recording what arrives and how it ends. */
export class Peer {
  received = Buffer.alloc(0);
  /** The other side sent FIN. */
  gotEnd = false;
  closed = false;
  error: NodeJS.ErrnoException | undefined;
  private waiters: Array<() => void> = [];

  constructor(readonly socket: Socket) {
    socket.on('data', (data: Buffer) => {
      this.received = Buffer.concat([this.received, data]);
      this.notify();
    });
    socket.on('end', () => {
      this.gotEnd = true;
      this.notify();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.error = error;
      this.notify();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify();
    });
  }

  text(): string {
    return this.received.toString('utf8');
  }

  /** Resolves once `predicate` holds; rejects if the socket closes first without it holding. */
  until(predicate: () => boolean, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (predicate()) {
          resolve();
          return true;
        }
        if (this.closed) {
          reject(new Error(`socket closed before ${what} (received ${this.received.length} bytes, error ${this.error?.code})`));
          return true;
        }
        return false;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) this.waiters = this.waiters.filter((w) => w !== waiter);
      };
      this.waiters.push(waiter);
    });
  }

  waitForBytes(count: number): Promise<void> {
    return this.until(() => this.received.length >= count, `${count} bytes`);
  }

  /** Resolves when the socket is closed (whatever the reason). */
  waitForClose(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) resolve();
      else this.socket.once('close', () => resolve());
    });
  }

  private notify(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** Connects to a loopback port; resolves once connected. */
export function connectPeer(port: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const peer = new Peer(socket);
    socket.once('connect', () => resolve(peer));
    socket.once('error', reject);
  });
}

/** A loopback TCP server whose accepted sockets are {@link Peer}s; `echo` sends everything back. */
export class Upstream {
  readonly peers: Peer[] = [];
  private arrivals: Array<() => void> = [];

  private constructor(private readonly server: Server) {}

  static async start(options: { echo: boolean }): Promise<Upstream> {
    const server = createServer();
    const upstream = new Upstream(server);
    server.on('connection', (socket) => {
      const peer = new Peer(socket);
      if (options.echo) socket.pipe(socket);
      upstream.accepted(peer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return upstream;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The `index`-th accepted connection (0-based), once it arrives. */
  peer(index: number): Promise<Peer> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const peer = this.peers[index];
        if (peer) resolve(peer);
        return peer !== undefined;
      };
      if (check()) return;
      const waiter = (): void => {
        if (check()) this.arrivals = this.arrivals.filter((w) => w !== waiter);
      };
      this.arrivals.push(waiter);
    });
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  async close(): Promise<void> {
    for (const peer of this.peers) peer.socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accepted(peer: Peer): void {
    this.peers.push(peer);
    for (const waiter of [...this.arrivals]) waiter();
  }
}

type Predicate = (event: ToxiproxyEvent) => boolean;

/** Every event of a server, with byte totals, and a way to wait until a condition on them holds. */
export class EventLog {
  readonly events: ToxiproxyEvent[] = [];
  private waiters: Array<() => void> = [];

  constructor(server: ToxiproxyServer) {
    server.events((event) => {
      this.events.push(event);
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  /** Bytes the proxy read (`bytes.received`) or wrote (`bytes.sent`) in a direction, over every proxy. */
  bytes(type: 'bytes.received' | 'bytes.sent', direction: StreamDirection): number {
    let total = 0;
    for (const e of this.events) if (e.type === type && e.direction === direction) total += e.bytes;
    return total;
  }

  count(predicate: Predicate): number {
    return this.events.filter(predicate).length;
  }

  /** Resolves once `condition` holds, checked now and after every event. */
  until(condition: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      if (condition()) {
        resolve();
        return;
      }
      const waiter = (): void => {
        if (!condition()) return;
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve();
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves once the proxy has read `count` bytes in a direction (so its toxics hold them). */
  received(direction: StreamDirection, count: number): Promise<void> {
    return this.until(() => this.bytes('bytes.received', direction) >= count);
  }

  /** Resolves once an event of `type` in `direction` has happened `times` times. */
  ended(direction: StreamDirection, times = 1): Promise<void> {
    return this.until(() => this.count((e) => e.type === 'stream.ended' && e.direction === direction) >= times);
  }
}

/** Lets pending I/O callbacks and promise continuations run once. */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Everything one test needs; {@link Harness.close} releases it all. */
export class Harness {
  readonly clock = new ManualClock();
  readonly registry = new Registry();
  private readonly closers: Array<() => Promise<void> | void> = [];
  server!: ToxiproxyServer;
  client!: Toxiproxy;
  log!: EventLog;

  /** Starts a server on a random loopback port with a manual clock and a seeded random. */
  static async start(options: { random?: Random } = {}): Promise<Harness> {
    const harness = new Harness();
    harness.server = await createToxiproxyServer({
      port: 0,
      clock: harness.clock,
      random: options.random ?? new SeededRandom(7),
      registry: harness.registry,
    });
    harness.defer(() => harness.server.close());
    harness.client = new Toxiproxy(harness.server.url);
    harness.log = new EventLog(harness.server);
    return harness;
  }

  /** Registers a cleanup; cleanups run last-first. */
  defer(closer: () => Promise<void> | void): void {
    this.closers.push(closer);
  }

  /** A loopback upstream, closed with the harness. */
  async upstream(options: { echo: boolean }): Promise<Upstream> {
    const upstream = await Upstream.start(options);
    this.defer(() => upstream.close());
    return upstream;
  }

  /** Creates a proxy through the official client on an ephemeral port. */
  async proxy(name: string, upstream: Upstream): Promise<{ proxy: Proxy; port: number }> {
    const proxy = await this.client.createProxy({ name, listen: '127.0.0.1:0', upstream: upstream.address });
    return { proxy, port: portOf(proxy.listen) };
  }

  /** Connects a client through a port, closed with the harness; resolves once the proxy has accepted it. */
  async connect(port: number): Promise<Peer> {
    const opened = this.log.count((e) => e.type === 'connection.opened');
    const peer = await connectPeer(port);
    this.defer(() => {
      peer.socket.destroy();
    });
    await this.log.until(() => this.log.count((e) => e.type === 'connection.opened') > opened);
    return peer;
  }

  async close(): Promise<void> {
    for (const closer of this.closers.splice(0).reverse()) {
      try {
        await closer();
      } catch {
        // Keep closing the rest: one failed cleanup must not leak the others.
      }
    }
  }
}

/** The port of a `host:port` listen address. */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}
