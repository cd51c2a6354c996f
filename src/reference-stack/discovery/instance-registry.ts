/**
 * @module
 * The registry behind the discovery service (like Eureka's): instances hold a lease that heartbeats renew, and an
 * instance whose lease ran out is evicted. Eviction happens when the registry is read, so it needs no timer and
 * follows the injected clock exactly.
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

/** Keeps registrations and evicts those whose lease expired. */
export class InstanceRegistry {
  private readonly byId = new Map<string, Registration>();
  /** Instances evicted for missed heartbeats since start. */
  evictions = 0;

  constructor(
    private readonly clock: Clock,
    /** How long a registration lives without a heartbeat. */
    readonly leaseMs: number,
  ) {}

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
    const cutoff = this.clock.now() - this.leaseMs;
    for (const [id, registration] of this.byId) {
      if (registration.renewedAt < cutoff) {
        this.byId.delete(id);
        this.evictions++;
      }
    }
  }
}
