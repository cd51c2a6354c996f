/**
 * @module
 * What the daemon needs of leader election: whether it leads now, and the fencing token it records with every
 * fault while it does. The elector behind it (a state-store lease on one machine, a Kubernetes Lease in a
 * cluster) is `src/daemon/leader/`.
 */

import type { Fence } from '../state/index.js';

/** This daemon's standing among the daemons that share its lease. */
export interface Leadership {
  isLeader(): boolean;
  /**
   * While leading, the lease's transition count (the fencing token, recorded with each fault) and the store lease
   * it came from, if any: the state store refuses a fault fenced with a token a newer leader has superseded.
   */
  fence(): Fence | undefined;
  /** Who holds the lease, as last observed. */
  holder(): string | undefined;
  /** Stops electing and gives the lease up, so a successor need not wait for it to expire. */
  stop(): Promise<void>;
}
