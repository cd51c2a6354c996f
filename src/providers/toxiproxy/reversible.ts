/**
 * @module
 * The reversible actions both proxy-backed providers (local, toxiproxy) share: an evacuation through a
 * {@link TrafficShift}, and a revert that reads everything it needs from the id.
 */
import { isSimianError } from '../../core/errors.js';
import { announceIntent, type ActionOptions, type RevertHandle, type TrafficShift } from '../provider.js';
import { formatRevertId, parseRevertId } from './revert-id.js';
import type { ToxiproxyActuator } from './toxiproxy-actuator.js';

/** Evacuates `region` (announcing the restore first) and returns the handle that restores it. */
export async function evacuateWith(shift: TrafficShift, region: string, options?: ActionOptions): Promise<RevertHandle> {
  const id = formatRevertId({ kind: 'evacuate', region });
  await announceIntent(options, id);
  await shift.evacuate(region);
  return { id, revert: () => restoreRegion(shift, region) };
}

/** Where a revert goes; each getter throws (`provider.unsupported`) when the provider has no such thing. */
export interface RevertTargets {
  readonly toxiproxy: () => ToxiproxyActuator;
  readonly trafficShift: () => TrafficShift;
}

/**
 * Reverts the action that `id` names (see `revert-id.ts`); harmless when it is reverted already or its target is
 * gone. A malformed id is a SimianError `provider.badRevertId`.
 */
export async function revertById(id: string, targets: RevertTargets): Promise<void> {
  const action = parseRevertId(id);
  if (action.kind === 'evacuate') await restoreRegion(targets.trafficShift(), action.region);
  else await targets.toxiproxy().revert(action);
}

async function restoreRegion(shift: TrafficShift, region: string): Promise<void> {
  try {
    await shift.restore(region);
  } catch (error) {
    // A region the traffic switch no longer knows cannot be evacuated: the stack behind it was replaced.
    if (!isSimianError(error, 'provider.unknownRegion')) throw error;
  }
}
