/**
 * @module
 * What the Janitor's local rules read: a plain snapshot of the reference stack's instances, the data under its
 * state directory and the proxies of its Toxiproxy, gathered once by `collectLocalJanitorSnapshot` and judged by
 * pure rules. A fact that could not be gathered is `undefined` (cannot tell), and rules skip it: the Janitor deletes,
 * so what it cannot see it leaves alone.
 */

/** One instance of the stack's inventory, whatever its state. */
export interface JanitorInstance {
  /** The supervisor's slot id (`catalog-us-east-1a-0`), also the name of its proxy. */
  readonly id: string;
  readonly service: string;
  readonly region: string;
  readonly zone: string;
  /** The supervisor's state: `starting`, `running`, `stopping`, `stopped`, `crashed`. */
  readonly state: string;
  /** Epoch ms of the current (or last) process's launch. */
  readonly launchedAt: number;
  readonly pid?: number;
  /** The `owner` tag, if it has one. */
  readonly owner?: string;
  /** Its tags say `simian/janitor: opt-out`. */
  readonly optedOut: boolean;
  /**
   * Whether discovery lists it: absent when it is not running, when its service never registers (discovery, the
   * front door), or when no discovery instance of its region answered.
   */
  readonly registered?: boolean;
  /**
   * Whether the supervisor will launch it again. Absent: cannot tell. The stack's admin API does not say (see
   * `janitor.stopped-instance`), so the collector never sets it today.
   */
  readonly restarting?: boolean;
}

/** A file or directory directly inside the stack's data directory. */
export interface JanitorDataPath {
  /** Its path relative to the state directory, `/`-separated (`data/billing-us-east.db`): its resource is `data/<path>`. */
  readonly path: string;
  readonly kind: 'file' | 'directory';
  /** The instances of the inventory that use it (billing's ledger: every billing instance); empty: none does. */
  readonly usedBy: readonly string[];
  /** Epoch ms of its last modification. */
  readonly modifiedAt: number;
  /** A `.simian-keep` file is inside it (a directory) or in the data directory above it. */
  readonly optedOut: boolean;
}

/** A toxic on one of the stack's proxies. */
export interface JanitorToxic {
  readonly name: string;
  readonly type: string;
  /** An active fault of the state store holds its revert id (`toxic:<proxy>:<toxic>`): it is reverted on time, not cleaned. */
  readonly ownedByFault: boolean;
}

/** A proxy of the stack's Toxiproxy. */
export interface JanitorProxy {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  /**
   * Its name has the form of a slot id of the stack (`<service>-<place>-<index>` of a service the stack knows).
   * Other proxies (a shared Toxiproxy serves other users too) are not the stack's, and never judged.
   */
  readonly stackSlot: boolean;
  /** The inventory (or the topology's desired slots, when given) has an instance of that name. */
  readonly instanceKnown: boolean;
  readonly toxics: readonly JanitorToxic[];
}

/** Everything the local Janitor rules read. */
export interface LocalJanitorSnapshot {
  /** When it was taken, epoch ms: ages are measured from here. */
  readonly takenAt: number;
  /** Every instance of the inventory, in its order. */
  readonly instances: readonly JanitorInstance[];
  /** The entries of the data directory; absent when it is not under the state directory or could not be read. */
  readonly data?: readonly JanitorDataPath[];
  /** The proxies of the stack's Toxiproxy; absent when it did not answer. */
  readonly proxies?: readonly JanitorProxy[];
}
