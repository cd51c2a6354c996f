/**
 * @module
 * Another platform's instances on the drill's map: a provider's inventory (pods, EC2 instances, proxies) in the
 * shape the bundled stack's admin API gives, its groups as the map's services.
 */
import type { Instance, InstanceState } from '../../core/model.js';
import type { Provider } from '../../providers/provider.js';
import type { AdminInstance } from '../../reference-stack/stack/stack-admin-client.js';

/** A provider's states in the supervisor's words, which the map's conditions read. */
const SUPERVISOR_STATE: Record<InstanceState, string> = {
  pending: 'starting',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  terminated: 'stopped',
  unknown: 'unknown',
};

/** One provider instance as a row of the map. An instance the platform places nowhere sits in zone `-`. */
export function mapInstanceOf(instance: Instance): AdminInstance {
  return {
    id: instance.id,
    service: instance.group,
    region: instance.region || '-',
    zone: instance.zone || '-',
    launchedAt: instance.launchedAt,
    tags: instance.tags,
    state: SUPERVISOR_STATE[instance.state],
    ...(instance.address ? { address: instance.address } : {}),
  };
}

/** The platform's instances now, for the map. */
export async function platformInstances(provider: Provider): Promise<AdminInstance[]> {
  return (await provider.inventory.instances()).map(mapInstanceOf);
}
