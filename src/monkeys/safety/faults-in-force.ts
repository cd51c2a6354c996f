/**
 * @module
 * What the faults still in force are doing to the platform, so that faults see each other: an instance in an
 * isolated zone, behind an outage-like toxic or in an evacuated region serves nobody, and the blast radius must
 * not count it as healthy; a second Chaos Kong must not evacuate the last region with traffic; Doctor must not
 * "treat" what another monkey hurts on purpose.
 */
import type { FaultKind, Instance } from '../../core/model.js';
import type { ToxicSpec, ToxicType } from '../../providers/provider.js';

/** What this module reads of a fault in force (a {@link LedgerFault} is one). */
export interface FaultInForce {
  readonly id: string;
  readonly kind: FaultKind;
  readonly targets: readonly string[];
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** The effects of the faults in force on one inventory. */
export interface FaultsInForce {
  /** Instance id → the fault that takes it out of service (isolated zone, outage-like toxic, evacuated region). */
  readonly unavailable: ReadonlyMap<string, string>;
  /** Every instance some fault touches, a mild latency included: Doctor leaves them alone. */
  readonly touched: ReadonlySet<string>;
  /** `region/zone` of every isolated zone. */
  readonly isolatedZones: ReadonlySet<string>;
  /** Every evacuated region. */
  readonly evacuatedRegions: ReadonlySet<string>;
}

/** No fault in force. */
export const NOTHING_IN_FORCE: FaultsInForce = { unavailable: new Map(), touched: new Set(), isolatedZones: new Set(), evacuatedRegions: new Set() };

/** The toxic types that end every answer: nothing gets through, or nothing whole. */
const OUTAGE_TOXICS: ReadonlySet<ToxicType> = new Set(['down', 'timeout', 'reset_peer', 'limit_data']);

/**
 * Whether a toxic takes its instance out of service as surely as a termination: `down`, `timeout`, `reset_peer`
 * and `limit_data` always; a latency (with its jitter) at or beyond the callers' timeout, since every call then
 * times out; a bandwidth of 0.
 *
 * @example
 * takesOutOfService({ type: 'latency', attributes: { latency: 1500 } }, 1000); // true
 */
export function takesOutOfService(toxic: Pick<ToxicSpec, 'type' | 'attributes'>, callerTimeoutMs: number): boolean {
  if (OUTAGE_TOXICS.has(toxic.type)) return true;
  const attributes = toxic.attributes ?? {};
  if (toxic.type === 'latency') return (attributes.latency ?? 0) + (attributes.jitter ?? 0) >= callerTimeoutMs;
  if (toxic.type === 'bandwidth') return (attributes.rate ?? 1) <= 0;
  return false;
}

/** The toxic a recorded toxic fault carries in its parameters, when it does. */
function toxicOf(fault: FaultInForce): Pick<ToxicSpec, 'type' | 'attributes'> | undefined {
  const toxic = fault.parameters.toxic as { type?: unknown; attributes?: unknown } | undefined;
  if (!toxic || typeof toxic.type !== 'string') return undefined;
  const attributes = typeof toxic.attributes === 'object' && toxic.attributes !== null ? (toxic.attributes as Record<string, number>) : {};
  return { type: toxic.type as ToxicType, attributes };
}

/** The ids a fault recorded as hit (`parameters.instances`), beside its targets. */
function recordedInstances(fault: FaultInForce): string[] {
  const hit = fault.parameters.instances;
  return Array.isArray(hit) ? hit.filter((id): id is string => typeof id === 'string') : [];
}

/**
 * The effects of `faults` on `instances`. A fault whose kind or parameters are not understood takes its targets
 * out of service: when we cannot tell, we assume the worst. `excluding` leaves one fault out (the fault whose own
 * next step is being judged, such as Chaos Kong's kills inside the region it evacuated).
 */
export function faultsInForce(
  faults: readonly FaultInForce[],
  instances: readonly Instance[],
  options: { readonly callerTimeoutMs: number; readonly excluding?: string },
): FaultsInForce {
  const unavailable = new Map<string, string>();
  const touched = new Set<string>();
  const isolatedZones = new Set<string>();
  const evacuatedRegions = new Set<string>();
  const out = (id: string, fault: string) => {
    touched.add(id);
    if (!unavailable.has(id)) unavailable.set(id, fault);
  };
  for (const fault of faults) {
    if (fault.id === options.excluding) continue;
    switch (fault.kind) {
      case 'terminate':
      case 'stop':
        break; // not in force: the platform replaces what was terminated, and its state says so
      case 'zone-outage': {
        const region = typeof fault.parameters.region === 'string' ? fault.parameters.region : undefined;
        const zone = typeof fault.parameters.zone === 'string' ? fault.parameters.zone : undefined;
        const zones = new Set(fault.targets);
        if (region !== undefined && zone !== undefined) zones.add(`${region}/${zone}`);
        for (const name of zones) isolatedZones.add(name);
        // Replacements started meanwhile are in the zone too: match on the zone, and on what was recorded.
        for (const instance of instances) if (zones.has(`${instance.region}/${instance.zone}`)) out(instance.id, fault.id);
        for (const id of recordedInstances(fault)) out(id, fault.id);
        break;
      }
      case 'region-evacuation':
        for (const region of fault.targets) evacuatedRegions.add(region);
        for (const instance of instances) if (fault.targets.includes(instance.region)) out(instance.id, fault.id);
        break;
      default: {
        const toxic = toxicOf(fault);
        const outage = toxic === undefined || takesOutOfService(toxic, options.callerTimeoutMs);
        for (const id of [...fault.targets, ...recordedInstances(fault)]) {
          if (outage) out(id, fault.id);
          else touched.add(id);
        }
      }
    }
  }
  return { unavailable, touched, isolatedZones, evacuatedRegions };
}

/** Whether `instance` is running and no fault in force takes it out of service: what the blast radius counts. */
export function isHealthy(instance: Instance, inForce: FaultsInForce): boolean {
  return instance.state === 'running' && !inForce.unavailable.has(instance.id);
}
