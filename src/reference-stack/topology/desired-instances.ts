/**
 * @module
 * What a topology asks for, one slot per instance: the supervisor keeps each slot filled, as an Auto Scaling group
 * keeps its desired capacity. A slot's id is stable (`catalog-us-east-1a-0`), so a replacement takes over the id,
 * the discovery registration and the metrics labels of the instance it replaces.
 */
import type { ServiceName } from '../service-kit/identity.js';
import { TOPOLOGY_SERVICES, type Topology } from './topology-schema.js';

/** The region and zone of the front door, which serves every region and belongs to none. */
export const GLOBAL_LOCATION = 'global';

/** One instance the topology asks for. */
export interface DesiredInstance {
  /**
   * Stable id: `<service>-<zone>-<index>` for services placed per zone (`catalog-us-east-1a-0`),
   * `<service>-<region>-<index>` for services placed per region (`gateway-us-east-0`), `frontdoor-global-0`, `-1`….
   */
  readonly id: string;
  readonly service: ServiceName;
  readonly region: string;
  readonly zone: string;
  /** Position among the service's slots in the same zone (or region, for per-region services). */
  readonly index: number;
  /** Tags from the topology, plus `simian:service`, `simian:region`, `simian:zone` and `simian:slot`. */
  readonly tags: Readonly<Record<string, string>>;
  /** The service's `config` from the topology. */
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Expands a topology into its slots: region by region, services in the order of {@link TOPOLOGY_SERVICES}, then the
 * front doors. Per-region instances go to the region's zones in turn (index 0 to the first zone, 1 to the second…).
 *
 * @example
 * desiredInstances(await loadTopology('small')).map((slot) => slot.id);
 * // ['gateway-us-east-1a-0', 'gateway-us-east-1b-0', 'discovery-us-east-1a-0', …, 'frontdoor-global-0', 'frontdoor-global-1']
 */
export function desiredInstances(topology: Topology): DesiredInstance[] {
  const slots: DesiredInstance[] = [];
  const add = (
    service: ServiceName,
    region: string,
    zone: string,
    place: string,
    index: number,
    placement: { tags: Readonly<Record<string, string>>; config: Readonly<Record<string, unknown>> },
  ): void => {
    slots.push({
      id: `${service}-${place}-${index}`,
      service,
      region,
      zone,
      index,
      tags: {
        ...placement.tags,
        'simian:service': service,
        'simian:region': region,
        'simian:zone': zone,
        'simian:slot': String(index),
      },
      config: placement.config,
    });
  };

  for (const region of topology.regions) {
    for (const service of TOPOLOGY_SERVICES) {
      const placement = topology.services[service];
      if (!placement) continue;
      if (placement.scope === 'zone') {
        for (const zone of region.zones) {
          for (let i = 0; i < placement.instances; i++) add(service, region.name, zone, zone, i, placement);
        }
      } else {
        for (let i = 0; i < placement.instances; i++) {
          add(service, region.name, region.zones[i % region.zones.length]!, region.name, i, placement);
        }
      }
    }
  }
  for (let i = 0; i < topology.frontDoor.instances; i++) add('frontdoor', GLOBAL_LOCATION, GLOBAL_LOCATION, GLOBAL_LOCATION, i, { tags: {}, config: {} });
  return slots;
}
