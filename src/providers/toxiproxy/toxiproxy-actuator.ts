/**
 * @module
 * Proxy faults through `toxiproxy-node-client`, against the embedded server or a real Toxiproxy: toxics added and
 * removed by name, proxies disabled and enabled (Toxiproxy's "down" is a disabled proxy, not a toxic).
 */
import { Toxiproxy, ToxiproxyError, type Proxy } from 'toxiproxy-node-client';
import { SimianError } from '../../core/errors.js';
import { systemRandom, type Random } from '../../core/random.js';
import { announceIntent, type ActionOptions, type RevertHandle, type ToxicSpec } from '../provider.js';
import { withRollbackFailure } from '../rollback-error.js';
import { formatRevertId, type RevertAction } from './revert-id.js';
import { TimedHttpClient } from './timed-http-client.js';
import { newToxicName, toxicBody, type ProxyToxicType } from './toxic-body.js';

/** A proxy as Toxiproxy lists it. */
export interface ProxyInfo {
  readonly name: string;
  /** Where it listens, as bound (`127.0.0.1:40123`). */
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
}

/** Options of {@link ToxiproxyActuator}. */
export interface ToxiproxyActuatorOptions {
  /** Draws the names of new toxics. @default the system random */
  readonly random?: Random;
  /** How long one request to the admin API may take, its answer included; past it, `provider.unreachable`. @default 5000 */
  readonly timeoutMs?: number;
  /** @default the global fetch */
  readonly fetch?: typeof fetch;
}

/** How many fresh names to try when a toxic name is taken (only a reused seed makes that happen). */
const NAME_ATTEMPTS = 3;

/**
 * Adds and removes faults on the proxies of one Toxiproxy admin API. Failures are SimianErrors:
 * `provider.notFound` (no such proxy), `provider.unreachable` (no answer), `provider.toxiproxyFailed` (anything
 * else); removing or enabling what is already gone is harmless.
 *
 * Proxy names go into URL paths unescaped (the client does not escape them), so they must be path-safe, as the
 * stack's slot ids are.
 *
 * @example
 * const toxiproxy = new ToxiproxyActuator(stack.toxiproxyUrl);
 * const handle = await toxiproxy.injectToxic('catalog-us-east-1a-0', { type: 'latency', attributes: { latency: 300 } });
 * await handle.revert();
 */
export class ToxiproxyActuator {
  /** The admin API's base URL, without a trailing slash (the client appends `/proxies` to it as is). */
  readonly url: string;
  private readonly client: Toxiproxy;
  private readonly random: Random;

  constructor(url: string, options: ToxiproxyActuatorOptions = {}) {
    this.url = url.replace(/\/+$/, '');
    this.client = new Toxiproxy(this.url);
    // Every Proxy and Toxic the client hands out does its HTTP through this one field: all of it gets the timeout.
    this.client.api = new TimedHttpClient({ timeoutMs: options.timeoutMs ?? 5000, ...(options.fetch ? { fetch: options.fetch } : {}) });
    this.random = options.random ?? systemRandom;
  }

  /** Every proxy, in the server's order. */
  async listProxies(): Promise<ProxyInfo[]> {
    const all = await this.call('list the proxies', () => this.client.getAll());
    return Object.values(all).map(({ name, listen, upstream, enabled }) => ({ name, listen, upstream, enabled }));
  }

  /** Adds toxic `toxicName` to `proxyName`. `down` is not a toxic: use {@link disableProxy}. */
  async addToxic(proxyName: string, spec: ToxicSpec & { readonly type: ProxyToxicType }, toxicName: string): Promise<void> {
    const body = toxicBody(spec, toxicName);
    const proxy = await this.proxy(proxyName, `add a ${spec.type} toxic to proxy ${proxyName}`);
    await this.call(`add ${spec.type} toxic ${toxicName} to proxy ${proxyName}`, () => proxy.addToxic(body));
  }

  /** Removes toxic `toxicName` from `proxyName`; harmless when either is gone. */
  async removeToxic(proxyName: string, toxicName: string): Promise<void> {
    await this.ignoringGone(`remove toxic ${toxicName} from proxy ${proxyName}`, async () => {
      const proxy = await this.client.get(proxyName);
      const toxic = await proxy.getToxic(toxicName);
      await toxic.remove();
    });
  }

  /** Disables (takes down) a proxy; resolves with whether this call disabled it (false: it was down already). */
  async disableProxy(proxyName: string): Promise<boolean> {
    return this.setEnabled(proxyName, false, `disable proxy ${proxyName}`);
  }

  /**
   * Enables a proxy; harmless when it is enabled or gone. Toxiproxy (and the embedded server) listen again on the
   * address the proxy had, so clients holding that address reconnect.
   */
  async enableProxy(proxyName: string): Promise<void> {
    await this.ignoringGone(`enable proxy ${proxyName}`, () => this.setEnabled(proxyName, true, `enable proxy ${proxyName}`));
  }

  /**
   * Injects one fault on a proxy and returns its handle: a toxic under a fresh `simian-…` name, or for `down` the
   * proxy disabled (the handle then enables only what this call disabled). The toxic's name is drawn first, so its
   * revert id is announced to `options.onIntent` before the toxic exists.
   */
  async injectToxic(proxyName: string, spec: ToxicSpec, options?: ActionOptions): Promise<RevertHandle> {
    if (spec.type === 'down') return this.takeDown([proxyName], options);
    const toxicSpec = { ...spec, type: spec.type };
    for (let attempt = 1; ; attempt++) {
      const name = newToxicName(this.random);
      const action = { kind: 'toxic', proxy: proxyName, toxic: name } as const;
      await announceIntent(options, formatRevertId(action));
      try {
        await this.addToxic(proxyName, toxicSpec, name);
        return this.handle(action);
      } catch (error) {
        // A name is taken only when a seeded random repeats itself across runs; a fresh draw fixes it.
        if (!(error instanceof SimianError && error.code === 'provider.conflict') || attempt >= NAME_ATTEMPTS) throw error;
      }
    }
  }

  /**
   * Disables every proxy in `proxyNames`, one by one. The handle names only those this call disabled, so reverting
   * never re-enables a proxy another fault took down; `options.onIntent` hears, before the first is disabled, the
   * revert id of every proxy that is up now (those this call is about to take down). When one fails, those already
   * disabled are enabled again and the error is thrown: half a zone down is not the fault that was asked for. If
   * enabling them fails too, the error says so and names them (the announced intent still reverts them).
   */
  async takeDown(proxyNames: readonly string[], options?: ActionOptions): Promise<RevertHandle> {
    const up: string[] = [];
    for (const name of proxyNames) if ((await this.proxy(name, `take down proxy ${name}`)).enabled) up.push(name);
    await announceIntent(options, formatRevertId({ kind: 'proxies-down', proxies: up }));
    const disabled: string[] = [];
    try {
      for (const name of up) if (await this.disableProxy(name)) disabled.push(name);
    } catch (error) {
      try {
        await this.enableAll(disabled);
      } catch (rollbackError) {
        throw withRollbackFailure(error, rollbackError, `enabling proxies ${disabled.join(', ')} again`);
      }
      throw error;
    }
    return this.handle({ kind: 'proxies-down', proxies: disabled });
  }

  /** Undoes a toxic or a take-down; harmless when it is undone already. */
  async revert(action: Extract<RevertAction, { kind: 'toxic' | 'proxies-down' }>): Promise<void> {
    if (action.kind === 'toxic') await this.removeToxic(action.proxy, action.toxic);
    else await this.enableAll(action.proxies);
  }

  /** Enables each proxy, all of them even when one fails; then throws the first failure. */
  private async enableAll(proxyNames: readonly string[]): Promise<void> {
    const failures: unknown[] = [];
    for (const name of proxyNames) await this.enableProxy(name).catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  }

  private handle(action: Extract<RevertAction, { kind: 'toxic' | 'proxies-down' }>): RevertHandle {
    return { id: formatRevertId(action), revert: () => this.revert(action) };
  }

  private async setEnabled(proxyName: string, enabled: boolean, what: string): Promise<boolean> {
    const proxy = await this.proxy(proxyName, what);
    if (proxy.enabled === enabled) return false;
    // The resolved listen goes back as is, so the proxy keeps its port (a listen of port 0 would pick a new one).
    await this.call(what, () => proxy.update({ enabled, listen: proxy.listen, upstream: proxy.upstream }));
    return true;
  }

  private proxy(proxyName: string, what: string): Promise<Proxy> {
    return this.call(what, () => this.client.get(proxyName));
  }

  /** Runs a client call and turns its failure into a SimianError that says what we were doing. */
  private async call<T>(what: string, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw toProviderError(error, what, this.url);
    }
  }

  private async ignoringGone(what: string, operation: () => Promise<unknown>): Promise<void> {
    try {
      await this.call(what, operation);
    } catch (error) {
      if (!(error instanceof SimianError && error.code === 'provider.notFound')) throw error;
    }
  }
}

/** The HTTP status in a ToxiproxyError ("Request failed with status code 404"), when it has one. */
export function toxiproxyStatusOf(error: unknown): number | undefined {
  if (!(error instanceof ToxiproxyError)) return undefined;
  const match = /status code (\d{3})/.exec(error.message);
  return match ? Number(match[1]) : undefined;
}

function toProviderError(error: unknown, what: string, url: string): SimianError {
  if (error instanceof SimianError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = toxiproxyStatusOf(error);
  if (status === 404) return new SimianError('provider.notFound', `cannot ${what}: not found at ${url} (HTTP 404)`, { cause: error });
  if (status === 409) return new SimianError('provider.conflict', `cannot ${what}: the name is taken at ${url} (HTTP 409)`, { cause: error });
  // The client reports a failed fetch as a ToxiproxyError named after fetch's TypeError, without a status; an
  // answer it could not parse is a SyntaxError and means something answered.
  if (status === undefined && error instanceof ToxiproxyError && error.name !== 'SyntaxError') {
    return new SimianError('provider.unreachable', `cannot ${what}: the Toxiproxy API at ${url} does not answer: ${message}`, { cause: error });
  }
  return new SimianError('provider.toxiproxyFailed', `cannot ${what} at ${url}: ${message}`, { cause: error });
}
