/**
 * @module
 * The registry behind the discovery service (like Eureka's): instances hold a lease that heartbeats renew, and an
 * instance whose lease ran out is evicted. Eviction happens when the registry is read, so it needs no timer and
 * follows the injected clock exactly.
 *
 * Like Eureka, the registry preserves itself: when many leases run out at once, it is far likelier that this
 * discovery instance was cut off (a zone outage disables its proxy, so no heartbeat reaches it) than that a sixth
 * of the fleet died in the same second. Evicting them all would hand every client that reads from it, once it is
 * reachable again, a registry without the instances that are in fact alive: the front door read such a registry
 * after Chaos Gorilla brought a zone back and answered `no instance of "gateway" is registered`. So it evicts none
 * until renewals come back, and then gives the ones still expired one more lease to renew before they go. The
 * cost is Eureka's: an instance that did die during the outage is listed one lease longer, and callers' outlier
 * ejection steps around it; a replacement takes over its slot's id and lease.
 */
import type { Clock } from '../../core/clock.js';

/** What an instance says about itself when it registers. */
export interface InstanceInfo {
  readonly instanceId: string;
  readonly service: string;
  readonly region: string;
  readonly zone: string;
  /** Where to reach it: the proxied address, so that network faults can be injected per instance. */
  readonly address: string;
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A registered instance. */
export interface Registration extends InstanceInfo {
  /** Epoch milliseconds. */
  readonly registeredAt: number;
  /** Epoch milliseconds of the last heartbeat (or the registration). */
  readonly renewedAt: number;
}

/**
 * The share of registrations whose leases may run out together and still be evicted: more is taken for this
 * registry's own outage. Eureka's renewal threshold is 85% of the expected renewals, the same figure.
 */
export const SELF_PRESERVATION_SHARE = 0.15;

/** Keeps registrations and evicts those whose lease expired, unless too many expired at once (see the module). */
export class InstanceRegistry {
  private readonly byId = new Map<string, Registration>();
  /** Instances evicted for missed heartbeats since start. */
  evictions = 0;
  private preserving = false;

  constructor(
    private readonly clock: Clock,
    /** How long a registration lives without a heartbeat. */
    readonly leaseMs: number,
  ) {}

  /** Whether the registry keeps expired leases because too many ran out at once. */
  get selfPreserving(): boolean {
    this.evictExpired();
    return this.preserving;
  }

  /** Registers or replaces an instance. */
  register(info: InstanceInfo): Registration {
    const now = this.clock.now();
    const registration: Registration = { ...info, registeredAt: now, renewedAt: now };
    this.byId.set(info.instanceId, registration);
    return registration;
  }

  /** Renews a lease; `false` when the instance is unknown (evicted or never registered) and must register again. */
  renew(instanceId: string): boolean {
    this.evictExpired();
    const current = this.byId.get(instanceId);
    if (!current) return false;
    this.byId.set(instanceId, { ...current, renewedAt: this.clock.now() });
    return true;
  }

  /** Removes an instance that is shutting down; `false` when it was not registered. */
  deregister(instanceId: string): boolean {
    return this.byId.delete(instanceId);
  }

  /**
   * Live instances, optionally of one service; with `zone`, instances of that zone come first so callers stay in
   * their zone while it has capacity and spill over to others when it does not.
   */
  list(filter: { service?: string; zone?: string } = {}): Registration[] {
    this.evictExpired();
    const found = [...this.byId.values()].filter((r) => filter.service === undefined || r.service === filter.service);
    if (filter.zone === undefined) return found;
    return [...found.filter((r) => r.zone === filter.zone), ...found.filter((r) => r.zone !== filter.zone)];
  }

  private evictExpired(): void {
    const now = this.clock.now();
    const cutoff = now - this.leaseMs;
    const expired = [...this.byId.values()].filter((r) => r.renewedAt < cutoff);
    // One lease running out is one instance gone; two or more beyond the share is this registry cut off.
    if (expired.length >= 2 && expired.length > SELF_PRESERVATION_SHARE * this.byId.size) {
      this.preserving = true;
      return;
    }
    if (this.preserving) {
      // Renewals are back: those that have not renewed yet get one lease from now, so an instance whose heartbeat
      // is a moment behind the others' is not evicted only for arriving last.
      this.preserving = false;
      for (const registration of expired) this.byId.set(registration.instanceId, { ...registration, renewedAt: now });
      return;
    }
    for (const { instanceId } of expired) {
      this.byId.delete(instanceId);
      this.evictions++;
    }
  }
}
