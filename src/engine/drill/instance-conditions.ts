/**
 * @module
 * How each instance looks on the console's map: the supervisor's state, overlaid with the faults in force (its
 * zone isolated, a latency toxic on it) and with what the drill's scrapes saw (an instance that is running but does
 * not answer is sick).
 */
import type { AdminInstance } from '../../reference-stack/stack/stack-admin-client.js';
import { GLOBAL_LOCATION } from '../../reference-stack/topology/desired-instances.js';
import type { RecordedFault } from '../../state/records.js';
import type { InstanceCondition, InstanceView, RegionView } from './drill-controls.js';

/** Supervisor states of an instance that is not serving and not coming back by itself yet. */
const DOWN_STATES = new Set(['stopping', 'stopped', 'crashed', 'exited']);

/** The condition of one instance. */
export function conditionOf(instance: Pick<AdminInstance, 'id' | 'region' | 'zone' | 'state'>, faults: readonly RecordedFault[], unreachable: ReadonlySet<string>): InstanceCondition {
  if (DOWN_STATES.has(instance.state)) return 'down';
  if (instance.state === 'starting') return 'replacing';
  // A platform that cannot tell how an instance is doing: not up, as far as anyone can see.
  if (instance.state === 'unknown') return 'sick';
  for (const fault of faults) {
    if (fault.kind === 'zone-outage' && fault.parameters.region === instance.region && fault.parameters.zone === instance.zone) return 'isolated';
  }
  if (faults.some((f) => f.kind === 'latency' && f.targets.includes(instance.id))) return 'slowed';
  if (unreachable.has(instance.id)) return 'sick';
  return 'up';
}

/** Every instance as the map shows it, in the inventory's order. */
export function instanceViews(instances: readonly AdminInstance[], faults: readonly RecordedFault[], unreachable: ReadonlySet<string>): InstanceView[] {
  return instances.map((i) => ({
    id: i.id,
    service: i.service,
    region: i.region,
    zone: i.zone,
    condition: conditionOf(i, faults, unreachable),
    restarts: i.restarts ?? 0,
  }));
}

/**
 * Regions and their zones, and the services, in the order the inventory first names them. The front doors' `global`
 * placement is one of the regions, marked {@link RegionView.global} so the map draws it apart.
 */
export function mapAxes(instances: readonly Pick<AdminInstance, 'service' | 'region' | 'zone'>[]): { regions: RegionView[]; services: string[] } {
  const zones = new Map<string, string[]>();
  const services: string[] = [];
  for (const i of instances) {
    const list = zones.get(i.region) ?? [];
    if (!list.includes(i.zone)) list.push(i.zone);
    zones.set(i.region, list);
    if (!services.includes(i.service)) services.push(i.service);
  }
  return { regions: [...zones.entries()].map(([name, z]) => ({ name, zones: z, ...(name === GLOBAL_LOCATION ? { global: true as const } : {}) })), services };
}
