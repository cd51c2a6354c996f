/**
 * @module
 * A fault in a few words, as the console's fault list, its timeline and the drill report name it.
 */
import type { Fault } from '../../core/model.js';

/** `killed gateway-us-east-1a-0`, `zone us-east/us-east-1a down`, `+500ms on playback`, `region eu-west evacuated`. */
export function describeFault(fault: Pick<Fault, 'kind' | 'targets' | 'parameters'>, scope: string): string {
  const targets = fault.targets.join(', ');
  switch (fault.kind) {
    case 'terminate':
      return `killed ${targets}`;
    case 'stop':
      return `stopped ${targets}`;
    case 'zone-outage':
      return `zone ${scope.replace(/^zone:/, '')} down`;
    case 'region-evacuation':
      return `region ${targets} evacuated`;
    case 'latency': {
      const toxic = fault.parameters.toxic as { attributes?: { latency?: number } } | undefined;
      const latency = toxic?.attributes?.latency;
      return `${latency !== undefined ? `+${latency}ms` : 'latency'} on ${scope} (${fault.targets.length} instance${fault.targets.length === 1 ? '' : 's'})`;
    }
    default:
      return `${fault.kind} on ${scope}`;
  }
}
