/**
 * @module
 * What the confirmation dialog says before a fault: its target, how much of the stack it hits, and what stays
 * healthy, worked out from the instances on the map. It informs the person deciding; the safety pipeline still
 * decides, and may refuse what the preview shows.
 */
import { formatDuration } from '../../slo/burn-rate.js';
import type { FaultAction, FaultPreview, InstanceView } from './drill-controls.js';

const serving = (i: InstanceView) => i.condition === 'up' || i.condition === 'slowed' || i.condition === 'sick';
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The preview of a fault action on `instances` (an experiment's is built where its file is read). */
export function previewFault(action: Exclude<FaultAction, { kind: 'experiment' }>, instances: readonly InstanceView[], durationMs: number): FaultPreview {
  const duration = formatDuration(durationMs);
  const up = instances.filter(serving);
  switch (action.kind) {
    case 'chaos': {
      if (action.instance === undefined) {
        const services = new Set(up.map((i) => i.service));
        return {
          action,
          title: 'Chaos Monkey: kill a random instance',
          target: `one instance of a service the blast radius allows (${plural(services.size, 'service')} up)`,
          blastRadius: '1 instance, killed with SIGKILL; the supervisor replaces it',
          healthyLeft: `${plural(Math.max(0, up.length - 1), 'instance')} of ${up.length} keep serving`,
        };
      }
      const victim = instances.find((i) => i.id === action.instance);
      const peers = victim ? up.filter((i) => i.service === victim.service && i.region === victim.region) : [];
      const left = peers.filter((i) => i.id !== action.instance).length;
      return {
        action,
        title: `Chaos Monkey: kill ${action.instance}`,
        target: victim ? `${action.instance} (${victim.service} in ${victim.region}/${victim.zone})` : action.instance,
        blastRadius: victim ? `1 of ${plural(peers.length, `${victim.service} instance`)} in ${victim.region}, killed with SIGKILL` : '1 instance',
        healthyLeft: victim ? `${plural(left, `${victim.service} instance`)} left serving in ${victim.region}` : 'unknown: the instance is not on the map',
      };
    }
    case 'zone': {
      const inRegion = up.filter((i) => i.region === action.region);
      const hit = inRegion.filter((i) => i.zone === action.zone);
      const otherZones = [...new Set(inRegion.filter((i) => i.zone !== action.zone).map((i) => i.zone))];
      return {
        action,
        title: `Chaos Gorilla: take zone ${action.region}/${action.zone} down`,
        target: `every instance in ${action.region}/${action.zone}: its proxies refuse connections`,
        blastRadius: `${plural(hit.length, 'instance')} of ${inRegion.length} in ${action.region}`,
        healthyLeft: otherZones.length > 0 ? `${plural(inRegion.length - hit.length, 'instance')} in ${otherZones.join(', ')}` : `none in ${action.region}: it is the region's only zone`,
        duration,
      };
    }
    case 'region': {
      const hit = up.filter((i) => i.region === action.region);
      const others = [...new Set(up.filter((i) => i.region !== action.region && i.region !== 'global').map((i) => i.region))];
      return {
        action,
        title: `Chaos Kong: evacuate region ${action.region}`,
        target: `the front door sends ${action.region}'s viewers elsewhere`,
        blastRadius: `all of ${action.region}'s traffic (${plural(hit.length, 'instance')} stop getting viewers)`,
        healthyLeft: others.length > 0 ? `${others.join(', ')} serve every viewer` : 'no other region: the safety pipeline refuses to evacuate the last one',
        duration,
      };
    }
    case 'latency': {
      const hit = up.filter((i) => i.service === action.service);
      return {
        action,
        title: `Latency Monkey: +${action.latencyMs}ms on ${action.service}`,
        target: `every ${action.service} instance, through its fault proxy`,
        blastRadius: `${plural(hit.length, `${action.service} instance`)} answer ${action.latencyMs}ms slower`,
        healthyLeft: `every other service; ${action.service}'s callers time out and fall back if it is too slow`,
        duration,
      };
    }
  }
}
