/**
 * @module
 * The registration check for the local reference stack. Each region runs discovery instances (group `discovery`,
 * or `discovery@<region>` in a multi-region stack), and every other instance registers with all of its region's
 * discovery instances, except discovery itself and the front door, which nobody looks up. Registrations are read
 * from every discovery instance and mapped back to the supervisor's slot ids.
 */
import { SimianError } from '../../core/errors.js';
import type { Instance } from '../../core/model.js';
import { PID_TAG } from '../../providers/local/local-provider.js';
import { describeError, type CheckContext, type HealthCheck } from './health-checks.js';
import { registrationCheck, type RegisteredInstances } from './registration-check.js';

/** Services of the reference stack that never register in discovery. */
export const UNREGISTERED_SERVICES: readonly string[] = ['discovery', 'frontdoor'];

/** What the check reads of a registration (`GET /v1/instances` of the discovery service). */
export interface RegistrationEntry {
  readonly instanceId: string;
  readonly address?: string;
}

/** The service of a local instance: its group without the `@region` of multi-region stacks. */
export function serviceOf(instance: Instance): string {
  const at = instance.group.indexOf('@');
  return at < 0 ? instance.group : instance.group.slice(0, at);
}

/** Whether a local instance is expected to be registered in discovery. */
export function registersInDiscovery(instance: Instance): boolean {
  return !UNREGISTERED_SERVICES.includes(serviceOf(instance));
}

function normalizeAddress(address: string): string {
  try {
    return new URL(address).href;
  } catch {
    return address;
  }
}

/**
 * Maps registrations to the inventory's instance ids. A stack instance registers as `<slot id>@<pid>` (a
 * replacement is a new registration, like a new EC2 instance), so a registration names its slot and the process
 * it was made by: one left by the slot's previous process, whose lease has not run out yet, does not vouch for
 * the current process. Registrations that name no known slot are matched by address (the proxied address, stable
 * per slot).
 *
 * @example
 * matchRegistrations([{ instanceId: 'catalog-us-east-1a-0@4242' }], instances); // Set { 'catalog-us-east-1a-0' }
 */
export function matchRegistrations(registrations: readonly RegistrationEntry[], instances: readonly Instance[]): Set<string> {
  const byId = new Map(instances.map((i) => [i.id, i]));
  const byAddress = new Map(instances.filter((i) => i.address !== undefined).map((i) => [normalizeAddress(i.address!), i]));
  const found = new Set<string>();
  for (const registration of registrations) {
    const exact = byId.get(registration.instanceId);
    if (exact) {
      found.add(exact.id);
      continue;
    }
    const match = /^(.+)@(\d+)$/.exec(registration.instanceId);
    const slot = match ? byId.get(match[1]!) : undefined;
    if (slot) {
      const pid = slot.tags[PID_TAG];
      if (pid === undefined || pid === match![2]) found.add(slot.id);
      continue;
    }
    const byAddr = registration.address === undefined ? undefined : byAddress.get(normalizeAddress(registration.address));
    if (byAddr) found.add(byAddr.id);
  }
  return found;
}

/** Options of {@link localRegistrations} and {@link localRegistrationCheck}. */
export interface LocalRegistrationOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

function parseRegistrations(body: unknown, url: string): RegistrationEntry[] {
  const list = (body as { instances?: unknown } | null)?.instances;
  if (!Array.isArray(list)) throw new SimianError('doctor.badRegistry', `${url} did not return { instances: [...] }`);
  return list.flatMap((entry): RegistrationEntry[] => {
    const { instanceId, address } = (entry ?? {}) as { instanceId?: unknown; address?: unknown };
    if (typeof instanceId !== 'string') return [];
    return [{ instanceId, ...(typeof address === 'string' ? { address } : {}) }];
  });
}

async function readRegistry(discovery: Instance, context: CheckContext, fetchImpl: typeof fetch): Promise<RegistrationEntry[]> {
  const url = new URL('/v1/instances', discovery.address).href;
  const response = await fetchImpl(url, { signal: context.signal, headers: { accept: 'application/json' } });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new SimianError('doctor.badRegistry', `${url} answered HTTP ${response.status}`);
  }
  return parseRegistrations(await response.json(), url);
}

/**
 * Reads the registrations of every discovery instance among the examined ones. Their union counts (an instance
 * registered with any of its region's discovery instances is findable). It rejects, so that nobody is judged,
 * when a region with instances to judge has no discovery instance that answered: its instances would all look
 * unregistered for a fault of discovery's.
 */
export function localRegistrations(options: LocalRegistrationOptions = {}): RegisteredInstances {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  return async (instances, context) => {
    const discovery = instances.filter((i) => serviceOf(i) === 'discovery' && i.address !== undefined);
    const answers = await Promise.all(
      discovery.map(async (instance) => {
        try {
          return { instance, registrations: await readRegistry(instance, context, fetchImpl) };
        } catch (error) {
          return { instance, error };
        }
      }),
    );
    const regions = [...new Set(instances.filter(registersInDiscovery).map((i) => i.region))];
    for (const region of regions) {
      const inRegion = answers.filter((a) => a.instance.region === region);
      if (inRegion.length === 0) throw new SimianError('doctor.noRegistry', `no running discovery instance in region ${region}`);
      if (inRegion.every((a) => a.registrations === undefined)) {
        const why = inRegion.map((a) => `${a.instance.id}: ${describeError(a.error)}`).join('; ');
        throw new SimianError('doctor.registryUnreachable', `no discovery instance of region ${region} answered (${why})`);
      }
    }
    return matchRegistrations(answers.flatMap((a) => a.registrations ?? []), instances);
  };
}

/**
 * The registration check for the local stack: every instance but discovery and the front door must be
 * registered in its region's discovery.
 *
 * @example
 * const doctor = new DoctorMonkey({ inventory: provider.inventory, clock, checks: [httpHealthCheck(), localRegistrationCheck()] });
 */
export function localRegistrationCheck(options: LocalRegistrationOptions = {}): HealthCheck {
  return registrationCheck({ registered: localRegistrations(options), appliesTo: registersInDiscovery, registryName: 'discovery' });
}
