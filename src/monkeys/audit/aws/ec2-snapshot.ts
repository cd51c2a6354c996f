/**
 * @module
 * What the EC2 Conformity, Security and Janitor rules read: a plain snapshot of one region of an account, gathered
 * once by `collectEc2Snapshot` (the only code of the EC2 audit that does I/O) and judged by pure rules. It holds
 * only what the rules read, with EC2's ids as they are (`i-…`, `vol-…`, `snap-…`, `sg-…`).
 */

/** An EC2 instance that is not terminated. */
export interface Ec2InstanceFacts {
  readonly id: string;
  /** EC2's instance-state name: `pending`, `running`, `shutting-down`, `stopping`, `stopped`. */
  readonly state: string;
  /** `Placement.AvailabilityZone`. */
  readonly zone: string;
  /** Epoch ms; absent when EC2 did not say (then age rules cannot tell). */
  readonly launchedAt?: number;
  /** Its Auto Scaling group, from the `aws:autoscaling:groupName` tag; absent for an instance in none. */
  readonly autoScalingGroup?: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** An EBS volume. */
export interface Ec2VolumeFacts {
  readonly id: string;
  /** EC2's volume state: `available` is attached to nothing; `in-use`, `creating`, `deleting` … */
  readonly state: string;
  /** Epoch ms of its creation; absent when EC2 did not say. */
  readonly createdAt?: number;
  /** The instances it is attached to. */
  readonly attachedTo: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** An EBS snapshot the account owns. */
export interface EbsSnapshotFacts {
  readonly id: string;
  /** The volume it was taken of (which may be long deleted); absent when EC2 gives none. */
  readonly volumeId?: string;
  /** Epoch ms it was started; absent when EC2 did not say. */
  readonly startedAt?: number;
  readonly tags: Readonly<Record<string, string>>;
}

/** An image (AMI) the account owns, reduced to the snapshots it needs. */
export interface Ec2ImageFacts {
  readonly id: string;
  /** The snapshots of its EBS block device mappings: deleting one breaks every launch of the image. */
  readonly snapshotIds: readonly string[];
}

/** One ingress permission of a security group. */
export interface IngressPermission {
  /** `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `-1` for every protocol and port. */
  readonly protocol: string;
  /** The first port (for ICMP, the type); absent or -1 with protocol -1. */
  readonly fromPort?: number;
  /** The last port (for ICMP, the code). */
  readonly toPort?: number;
  /** The IPv4 and IPv6 ranges it admits (`0.0.0.0/0`, `::/0`, `10.0.0.0/8` …). */
  readonly cidrs: readonly string[];
}

/** A security group. */
export interface Ec2SecurityGroupFacts {
  readonly id: string;
  /** Its name; every VPC has one named `default`, which cannot be deleted. */
  readonly name: string;
  readonly vpcId?: string;
  readonly ingress: readonly IngressPermission[];
  /** Other groups its ingress or egress permissions name (a group it references stays in use through it). */
  readonly referencedGroupIds: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
}

/** A network interface, reduced to the security groups it uses. */
export interface Ec2NetworkInterfaceFacts {
  readonly id: string;
  readonly groupIds: readonly string[];
}

/** Everything the EC2 audit rules read, for one region. */
export interface Ec2Snapshot {
  /** When it was taken, epoch ms: ages are measured from here. */
  readonly takenAt: number;
  readonly region: string;
  /** Instances in any state but `terminated`. */
  readonly instances: readonly Ec2InstanceFacts[];
  readonly volumes: readonly Ec2VolumeFacts[];
  readonly snapshots: readonly EbsSnapshotFacts[];
  readonly images: readonly Ec2ImageFacts[];
  readonly securityGroups: readonly Ec2SecurityGroupFacts[];
  readonly networkInterfaces: readonly Ec2NetworkInterfaceFacts[];
}
