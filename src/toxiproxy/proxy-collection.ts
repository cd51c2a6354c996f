/**
 * @module
 * The proxies of a server by name, and the operations of the admin API on them. Operations run one at a time
 * (Toxiproxy holds a lock for the same reason): starting a proxy waits for its listener, and two requests
 * creating the same name must not both get past the duplicate check.
 */
import { ApiError, isApiError } from './api-error.js';
import { TcpProxy, type ProxyDeps } from './proxy.js';
import type { ProxyChanges, ProxySpec } from './proxy-spec.js';

/** What /populate did: the proxies created, replaced or kept, and the error that stopped it, if any. */
export interface PopulateResult {
  readonly proxies: TcpProxy[];
  readonly error?: ApiError;
}

/** The proxies of one server. */
export class ProxyCollection {
  private readonly proxies = new Map<string, TcpProxy>();
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ProxyDeps) {}

  /** Runs `operation` after every operation queued before it. */
  exclusive<T>(operation: () => T | Promise<T>): Promise<T> {
    const result = this.tail.then(operation);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Every proxy, in creation order. */
  list(): TcpProxy[] {
    return [...this.proxies.values()];
  }

  /** A proxy by name, or 404 "proxy not found". */
  get(name: string): TcpProxy {
    const proxy = this.proxies.get(name);
    if (!proxy) throw ApiError.proxyNotFound();
    return proxy;
  }

  /** Creates a proxy (409 when the name is taken); it is kept only if it could start. */
  async add(spec: ProxySpec): Promise<TcpProxy> {
    if (this.proxies.has(spec.name)) throw ApiError.proxyAlreadyExists();
    const proxy = TcpProxy.create(spec, this.deps);
    if (spec.enabled) await proxy.start();
    this.register(proxy);
    return proxy;
  }

  /**
   * Creates or replaces proxies, in order. A proxy whose listen and upstream match an existing one of the same
   * name is left untouched (toxics, connections and all), so the call is safe to repeat; one that differs is
   * stopped and replaced by a fresh proxy. Stops at the first failure and reports it with what was done.
   */
  async populate(specs: readonly ProxySpec[]): Promise<PopulateResult> {
    const proxies: TcpProxy[] = [];
    for (const spec of specs) {
      try {
        const existing = this.proxies.get(spec.name);
        if (existing && !existing.differs(spec.listen, spec.upstream)) {
          proxies.push(existing);
          continue;
        }
        if (existing) this.delete(existing);
        proxies.push(await this.add(spec));
      } catch (error) {
        return { proxies, error: isApiError(error) ? error : new ApiError(String(error), 500) };
      }
    }
    return { proxies };
  }

  /** Applies an update to a proxy. */
  async update(name: string, changes: ProxyChanges): Promise<TcpProxy> {
    const proxy = this.get(name);
    await proxy.update(changes);
    return proxy;
  }

  /** Stops and forgets a proxy. */
  remove(name: string): void {
    this.delete(this.get(name));
  }

  /** Toxiproxy's /reset: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.list()) {
      await proxy.start();
      proxy.toxics.reset();
    }
  }

  /** Stops every proxy and forgets them all: the server is shutting down. */
  clear(): void {
    for (const proxy of this.list()) this.delete(proxy);
  }

  private register(proxy: TcpProxy): void {
    this.proxies.set(proxy.name, proxy);
    this.deps.emit({ type: 'proxy.created', proxy: proxy.name });
  }

  private delete(proxy: TcpProxy): void {
    proxy.stop();
    this.proxies.delete(proxy.name);
    this.deps.emit({ type: 'proxy.deleted', proxy: proxy.name });
  }
}
