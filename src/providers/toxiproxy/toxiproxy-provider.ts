/**
 * @module
 * A Toxiproxy server as a provider: its proxies are the instances, and network faults are all it can do to them.
 */
import { SimianError } from '../../core/errors.js';
import { DEFAULT_OPT_IN_TAG, type Group, type Instance, type Region, type Zone } from '../../core/model.js';
import type { Random } from '../../core/random.js';
import { matchesInstanceFilter, type ActionOptions, type Actuator, type InstanceFilter, type Inventory, type Provider, type RevertHandle, type TrafficShift } from '../provider.js';
import { placementFromName, UNKNOWN_LOCATION, type ProxyPlacement } from './proxy-placement.js';
import { evacuateWith, revertById } from './reversible.js';
import { ToxiproxyActuator, type ProxyInfo } from './toxiproxy-actuator.js';

/** The tag on every proxy instance that carries its upstream address. */
export const UPSTREAM_TAG = 'toxiproxy/upstream';

/** Options of {@link ToxiproxyProvider}. */
export interface ToxiproxyProviderOptions {
  /** The Toxiproxy admin API, `http://127.0.0.1:8474` (or the stack's `toxiproxyUrl`). */
  readonly url: string;
  /** Moves a region's traffic; without one, evacuateRegion is `provider.unsupported`. */
  readonly trafficShift?: TrafficShift;
  /** Where a proxy stands. @default {@link placementFromName} of its name */
  readonly placement?: (proxy: ProxyInfo) => ProxyPlacement;
  /** The opt-in tag every proxy carries: proxies exist to be broken. @default 'simian/opt-in' */
  readonly optInTag?: string;
  /** Draws toxic names. @default the system random */
  readonly random?: Random;
}

/** Zones no zone outage may take: the front door's, and the bucket of proxies whose zone we cannot tell. */
const UNISOLATABLE = new Set(['global', UNKNOWN_LOCATION]);

/**
 * The proxies of a Toxiproxy server as a {@link Provider} named `toxiproxy`. Each proxy is an instance (id = proxy
 * name, `running` when enabled, `stopped` when disabled, address `http://<listen>`); group, zone and region come
 * from {@link ToxiproxyProviderOptions.placement}. A proxy cannot be killed: terminate and stop are
 * `provider.unsupported`. A zone outage disables the zone's proxies; toxics go on a proxy by name or instance.
 *
 * @example
 * const provider = new ToxiproxyProvider({ url: 'http://127.0.0.1:8474' });
 * const handle = await provider.actuator.addToxic({ proxy: 'redis' }, { type: 'latency', attributes: { latency: 500 } });
 * await provider.actuator.revert(handle.id); // also from another process
 */
export class ToxiproxyProvider implements Provider {
  readonly name = 'toxiproxy';
  readonly inventory: Inventory;
  readonly actuator: Actuator;
  /** The client wrapper the actuator uses. */
  readonly toxiproxy: ToxiproxyActuator;
  private readonly trafficShift: TrafficShift | undefined;
  private readonly placement: (proxy: ProxyInfo) => ProxyPlacement;
  private readonly optInTag: string;

  constructor(options: ToxiproxyProviderOptions) {
    this.toxiproxy = new ToxiproxyActuator(options.url, options.random ? { random: options.random } : {});
    this.trafficShift = options.trafficShift;
    this.placement = options.placement ?? ((proxy) => placementFromName(proxy.name));
    this.optInTag = options.optInTag ?? DEFAULT_OPT_IN_TAG;
    this.inventory = {
      groups: () => this.groups(),
      instances: async (filter?: InstanceFilter) => (await this.instances()).filter((i) => matchesInstanceFilter(i, filter)),
      zones: () => this.zones(),
      regions: async () => [...new Set((await this.zones()).map((z) => z.region))].map((name): Region => ({ name })),
    };
    this.actuator = {
      // async, so the refusal is a rejected promise like every other failure, not a synchronous throw.
      terminate: async () => unsupported('terminate a proxy (a proxy is not an instance you can kill; add a down toxic instead)'),
      stop: async () => unsupported('stop a proxy (add a down toxic instead)'),
      isolateZone: (zone, options) => this.isolateZone(zone, options),
      evacuateRegion: (region, options) => this.evacuateRegion(region, options),
      addToxic: (target, toxic, options) => this.toxiproxy.injectToxic('proxy' in target ? target.proxy : target.instance.id, toxic, options),
      revert: (id) => revertById(id, { toxiproxy: () => this.toxiproxy, trafficShift: () => this.requireTrafficShift() }),
    };
  }

  private async instances(): Promise<Instance[]> {
    return (await this.toxiproxy.listProxies()).map((proxy) => {
      const { group, zone, region } = this.placement(proxy);
      return {
        id: proxy.name,
        group,
        region,
        zone,
        state: proxy.enabled ? 'running' : 'stopped',
        // Toxiproxy does not say when a proxy was created.
        launchedAt: 0,
        address: `http://${proxy.listen}`,
        tags: { [this.optInTag]: 'true', [UPSTREAM_TAG]: proxy.upstream },
      };
    });
  }

  private async groups(): Promise<Group[]> {
    const byName = new Map<string, Instance[]>();
    for (const instance of await this.instances()) byName.set(instance.group, [...(byName.get(instance.group) ?? []), instance]);
    return [...byName].map(([name, instances]) => ({ name, region: instances[0]!.region, instances, tags: {} }));
  }

  /** Zones that proxies are known to stand in; the `unknown` bucket is no zone. */
  private async zones(): Promise<Zone[]> {
    const seen = new Map<string, Zone>();
    for (const i of await this.instances()) {
      if (i.zone !== UNKNOWN_LOCATION && i.region !== UNKNOWN_LOCATION) seen.set(`${i.region}/${i.zone}`, { name: i.zone, region: i.region });
    }
    return [...seen.values()];
  }

  private async isolateZone(zone: Zone, options?: ActionOptions): Promise<RevertHandle> {
    if (UNISOLATABLE.has(zone.name) || UNISOLATABLE.has(zone.region)) unsupported(`isolate zone ${zone.name}: it is not a zone a proxy is known to stand in`);
    const proxies = (await this.instances()).filter((i) => i.zone === zone.name && i.region === zone.region);
    if (proxies.length === 0) throw new SimianError('provider.notFound', `no proxy stands in zone ${zone.name} of region ${zone.region}`);
    return this.toxiproxy.takeDown(proxies.map((p) => p.id), options);
  }

  private async evacuateRegion(region: Region, options?: ActionOptions): Promise<RevertHandle> {
    return evacuateWith(this.requireTrafficShift(), region.name, options);
  }

  private requireTrafficShift(): TrafficShift {
    return this.trafficShift ?? unsupported('evacuate or restore a region without a traffic shift (pass trafficShift)');
  }
}

function unsupported(what: string): never {
  throw new SimianError('provider.unsupported', `the toxiproxy provider cannot ${what}`);
}
