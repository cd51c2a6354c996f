/**
 * @module
 * Gathers an {@link Ec2Snapshot} of one region: the only I/O of the EC2 audit. Six paginated listings, made one
 * after the other (the account's API budget is shared with everything else that runs in it), and nothing changes.
 * A listing that fails fails the whole collection: a Janitor rule judged on a partial listing (a snapshot whose
 * image was not listed) would find unused what is in use.
 */
import type { EC2Client, Image, Instance, IpPermission, NetworkInterface, SecurityGroup, Snapshot, Volume } from '@aws-sdk/client-ec2';
import type { Clock } from '../../../core/clock.js';
import { Ec2AuditApi } from '../../../providers/aws/ec2-audit-api.js';
import type { Ec2RetryOptions } from '../../../providers/aws/ec2-retry.js';
import { ASG_TAG, tagsToRecord } from '../../../providers/aws/instance-mapping.js';
import type {
  EbsSnapshotFacts,
  Ec2ImageFacts,
  Ec2InstanceFacts,
  Ec2NetworkInterfaceFacts,
  Ec2SecurityGroupFacts,
  Ec2Snapshot,
  Ec2VolumeFacts,
  IngressPermission,
} from './ec2-snapshot.js';

/** Options of {@link collectEc2Snapshot}. */
export interface CollectEc2SnapshotOptions {
  readonly client: EC2Client;
  /** Takes the time of the snapshot and paces the retries. */
  readonly clock: Clock;
  /** The client's region, which the snapshot names. */
  readonly region: string;
  /** @default DEFAULT_EC2_RETRY */
  readonly retry?: Ec2RetryOptions;
}

/** Every state but `terminated`: a terminated instance is already gone, and stays listed only for a while. */
const LIVE_STATES = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/**
 * Reads the region once and returns what the rules judge.
 *
 * @example
 * const snapshot = await collectEc2Snapshot({ client, clock, region: 'us-east-1' });
 * const findings = runRules(ec2JanitorRules(config.audit), snapshot);
 */
export async function collectEc2Snapshot(options: CollectEc2SnapshotOptions): Promise<Ec2Snapshot> {
  const api = new Ec2AuditApi({ client: options.client, clock: options.clock, ...(options.retry ? { retry: options.retry } : {}) });
  const takenAt = options.clock.now();
  const instances = await api.describeInstances([{ Name: 'instance-state-name', Values: LIVE_STATES }]);
  const volumes = await api.describeVolumes();
  const snapshots = await api.describeSnapshots();
  const images = await api.describeImages();
  const securityGroups = await api.describeSecurityGroups();
  const networkInterfaces = await api.describeNetworkInterfaces();
  return {
    takenAt,
    region: options.region,
    instances: instances.flatMap(toInstanceFacts),
    volumes: volumes.flatMap(toVolumeFacts),
    snapshots: snapshots.flatMap(toSnapshotFacts),
    images: images.flatMap(toImageFacts),
    securityGroups: securityGroups.flatMap(toSecurityGroupFacts),
    networkInterfaces: networkInterfaces.flatMap(toNetworkInterfaceFacts),
  };
}

/** `{ key: ms }` when EC2 gave the date, `{}` otherwise (an unknown date is not "now", nor the epoch). */
function epoch<K extends string>(key: K, date: Date | undefined): Partial<Record<K, number>> {
  return date === undefined ? {} : ({ [key]: date.getTime() } as Record<K, number>);
}

/** The facts of an instance; one without an id (never seen from EC2) is dropped. */
export function toInstanceFacts(raw: Instance): Ec2InstanceFacts[] {
  if (raw.InstanceId === undefined) return [];
  const tags = tagsToRecord(raw.Tags);
  const group = tags[ASG_TAG];
  return [
    {
      id: raw.InstanceId,
      state: raw.State?.Name ?? 'unknown',
      zone: raw.Placement?.AvailabilityZone ?? '',
      ...epoch('launchedAt', raw.LaunchTime),
      ...(group ? { autoScalingGroup: group } : {}),
      tags,
    },
  ];
}

/** The facts of a volume. */
export function toVolumeFacts(raw: Volume): Ec2VolumeFacts[] {
  if (raw.VolumeId === undefined) return [];
  return [
    {
      id: raw.VolumeId,
      state: raw.State ?? 'unknown',
      ...epoch('createdAt', raw.CreateTime),
      attachedTo: (raw.Attachments ?? []).flatMap((a) => (a.InstanceId ? [a.InstanceId] : [])),
      tags: tagsToRecord(raw.Tags),
    },
  ];
}

/** The facts of a snapshot. */
export function toSnapshotFacts(raw: Snapshot): EbsSnapshotFacts[] {
  if (raw.SnapshotId === undefined) return [];
  return [{ id: raw.SnapshotId, ...(raw.VolumeId ? { volumeId: raw.VolumeId } : {}), ...epoch('startedAt', raw.StartTime), tags: tagsToRecord(raw.Tags) }];
}

/** The facts of an image: the snapshots behind its EBS block devices. */
export function toImageFacts(raw: Image): Ec2ImageFacts[] {
  if (raw.ImageId === undefined) return [];
  return [{ id: raw.ImageId, snapshotIds: (raw.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])) }];
}

function toIngress(raw: IpPermission): IngressPermission {
  return {
    protocol: raw.IpProtocol ?? '-1',
    ...(raw.FromPort === undefined ? {} : { fromPort: raw.FromPort }),
    ...(raw.ToPort === undefined ? {} : { toPort: raw.ToPort }),
    cidrs: [...(raw.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])), ...(raw.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : []))],
  };
}

/** The facts of a security group: its ingress, and the groups either direction of it names. */
export function toSecurityGroupFacts(raw: SecurityGroup): Ec2SecurityGroupFacts[] {
  if (raw.GroupId === undefined) return [];
  const permissions = [...(raw.IpPermissions ?? []), ...(raw.IpPermissionsEgress ?? [])];
  const referenced = permissions.flatMap((p) => (p.UserIdGroupPairs ?? []).flatMap((pair) => (pair.GroupId ? [pair.GroupId] : [])));
  return [
    {
      id: raw.GroupId,
      name: raw.GroupName ?? '',
      ...(raw.VpcId ? { vpcId: raw.VpcId } : {}),
      ingress: (raw.IpPermissions ?? []).map(toIngress),
      referencedGroupIds: [...new Set(referenced)],
      tags: tagsToRecord(raw.Tags),
    },
  ];
}

/** The facts of a network interface. */
export function toNetworkInterfaceFacts(raw: NetworkInterface): Ec2NetworkInterfaceFacts[] {
  if (raw.NetworkInterfaceId === undefined) return [];
  return [{ id: raw.NetworkInterfaceId, groupIds: (raw.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : [])) }];
}
