/**
 * @module
 * The lock an elector contends for: one record, read and written with an optimistic version, as client-go's
 * `resourcelock.Interface` is. A state-store row and a Kubernetes Lease are both one.
 */

/** What a lease says: who holds it, since when, for how long, and how often it changed hands. */
export interface LeaseRecord {
  /** The holder's identity; undefined once released. */
  readonly holder?: string;
  /** How long the holder may go without renewing before another may take it, in milliseconds. */
  readonly durationMs: number;
  /** When the holder acquired it (epoch ms, the holder's clock). */
  readonly acquiredAt: number;
  /** When the holder last renewed it (epoch ms, the holder's clock). */
  readonly renewedAt: number;
  /** How many times it changed hands: the fencing token of its holder. */
  readonly transitions: number;
}

/** A record as read, with the version a write must name. */
export interface VersionedLease {
  readonly record: LeaseRecord;
  /** Opaque: a row version, a `resourceVersion`. */
  readonly version: string;
}

/** One lease, as the elector reads and writes it. */
export interface LeaseLock {
  /** The lease as it is now; undefined when it does not exist yet. */
  get(): Promise<VersionedLease | undefined>;
  /**
   * Creates the lease; its version, or undefined when another created it first. Returning the version saves the
   * read after every write (a GET after each renewal, every 2 s, on Kubernetes).
   */
  create(record: LeaseRecord): Promise<string | undefined>;
  /** Replaces the lease if it is still at `version`; the new version, or undefined when another wrote it since. */
  update(record: LeaseRecord, version: string): Promise<string | undefined>;
  /** The lease, for messages: `state store lease "simian-daemon"`, `Lease default/simian-daemon`. */
  describe(): string;
}
