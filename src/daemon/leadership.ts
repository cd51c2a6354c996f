/**
 * @module
 * What the daemon needs of leader election: whether it leads now, and the fencing token it records with every
 * fault while it does. The elector behind it (a state-store lease on one machine, a Kubernetes Lease in a
 * cluster) is `src/daemon/leader/`.
 */

/** This daemon's standing among the daemons that share its lease. */
export interface Leadership {
  isLeader(): boolean;
  /** The lease's transition count while leading; a write with an older one is refused by the state store. */
  fencingToken(): number | undefined;
  /** Who holds the lease, as last observed. */
  holder(): string | undefined;
  /** Stops electing and gives the lease up, so a successor need not wait for it to expire. */
  stop(): Promise<void>;
}
