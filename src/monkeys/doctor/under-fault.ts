/**
 * @module
 * The instances another monkey is hurting on purpose (a toxic, an isolated zone, an evacuated region): they look
 * sick, and the doctor must not "treat" an experiment. Doctor probes the proxied address, so an instance Gorilla
 * isolated fails every check, a replacement started inside the isolated zone included.
 */
import type { Instance } from '../../core/model.js';
import { faultsInForce, type FaultInForce } from '../safety/faults-in-force.js';

/**
 * Every instance of `instances` some fault in force touches: its targets and recorded instances, and everything in
 * an isolated zone or an evacuated region as the inventory stands now.
 *
 * @example
 * const leaveAlone = instancesUnderFaults(store.activeFaults(), await provider.inventory.instances(), config.callerTimeoutMs);
 */
export function instancesUnderFaults(faults: readonly FaultInForce[], instances: readonly Instance[], callerTimeoutMs: number): Set<string> {
  const inForce = faultsInForce(faults, instances, { callerTimeoutMs });
  return new Set([...inForce.touched, ...inForce.unavailable.keys()]);
}
