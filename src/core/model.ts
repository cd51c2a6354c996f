/**
 * @module
 * The shared model: what monkeys see of a platform, whatever the platform is (reference-stack processes,
 * Kubernetes pods, EC2 instances).
 */

/** A region, the unit that Chaos Kong evacuates. */
export interface Region {
  readonly name: string;
}

/** An availability zone inside a region, the unit that Chaos Gorilla takes down. */
export interface Zone {
  readonly name: string;
  readonly region: string;
}

/** Lifecycle states an instance reports; platforms map theirs onto these. */
export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated' | 'unknown';

/** One running copy of a service: a process, a pod or a VM. */
export interface Instance {
  /** Unique within the provider (a PID-based id, a pod's namespace/name, an EC2 instance id). */
  readonly id: string;
  /** The group it belongs to (service, deployment, Auto Scaling group). */
  readonly group: string;
  readonly region: string;
  readonly zone: string;
  readonly state: InstanceState;
  /** When it was launched, epoch milliseconds. */
  readonly launchedAt: number;
  /** Where it answers, when it does (`http://127.0.0.1:4100`). */
  readonly address?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The tag that opts an instance (or, for all its instances, a group) in to faults when none is configured: the
 * safety pipeline's default `optInTag`, and the tag that providers of stacks built to be broken put on everything.
 * It lives in the model because both sides name it and providers may not import monkeys.
 */
export const DEFAULT_OPT_IN_TAG = 'simian/opt-in';

/** A set of interchangeable instances kept at a desired size (a service, a deployment, an ASG). */
export interface Group {
  readonly name: string;
  readonly region: string;
  readonly instances: readonly Instance[];
  readonly tags: Readonly<Record<string, string>>;
}

/** A platform resource the hygiene monkeys look after (a volume, a snapshot, a security group). */
export interface Resource {
  readonly id: string;
  readonly kind: string;
  readonly region: string;
  readonly zone?: string;
  readonly createdAt: number;
  readonly tags: Readonly<Record<string, string>>;
  /** Platform-specific facts the rules read (attachment, owner, rules of a security group). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

/** The kinds of fault Simian injects. */
export type FaultKind =
  | 'terminate'
  | 'stop'
  | 'zone-outage'
  | 'region-evacuation'
  | 'latency'
  | 'bandwidth'
  | 'timeout'
  | 'reset-peer'
  | 'limit-data'
  | 'down'
  // A Janitor Monkey cleanup: a resource deleted, as irreversible as a termination.
  | 'delete';

/** A fault that was (or would be) injected: what, where, and until when it reverts. */
export interface Fault {
  readonly id: string;
  readonly kind: FaultKind;
  /** Instance ids, a zone name, a region name, or proxy names, depending on `kind`. */
  readonly targets: readonly string[];
  readonly startedAt: number;
  /** When the fault reverts itself; absent for faults that cannot be reverted (a termination). */
  readonly expiresAt?: number;
  readonly parameters: Readonly<Record<string, unknown>>;
}
