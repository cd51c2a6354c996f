/**
 * @module
 * The EC2 calls the audit monkeys make: paginated listings of the account's instances, volumes, snapshots, images,
 * security groups and network interfaces (read once per audit run), and the deletions the Janitor makes, one
 * resource per call. Like {@link Ec2Api}, every call (every page) is retried through {@link withEc2Retry} and its
 * failure mapped to a `provider.*` error.
 */
import {
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeleteVolumeCommand,
  DescribeImagesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeVolumesCommand,
  type EC2Client,
  type Filter,
  type Image,
  type Instance as Ec2Instance,
  type NetworkInterface,
  type SecurityGroup,
  type Snapshot,
  type Volume,
} from '@aws-sdk/client-ec2';
import type { Clock } from '../../core/clock.js';
import { Ec2Api } from './ec2-api.js';
import type { Ec2Operation } from './ec2-errors.js';
import { resolveEc2Retry, withEc2Retry, type Ec2RetryOptions } from './ec2-retry.js';

/** What {@link Ec2AuditApi} needs. */
export interface Ec2AuditApiOptions {
  readonly client: EC2Client;
  readonly clock: Clock;
  /** @default DEFAULT_EC2_RETRY */
  readonly retry?: Ec2RetryOptions;
}

/**
 * `MaxResults` of each listing: EC2's maximum for that action (DescribeVolumes stops at 500, the others at 1000),
 * so that a big account takes few calls.
 */
export const AUDIT_PAGE_SIZES = {
  DescribeVolumes: 500,
  DescribeSnapshots: 1000,
  DescribeImages: 1000,
  DescribeSecurityGroups: 1000,
  DescribeNetworkInterfaces: 1000,
} as const satisfies Partial<Record<Ec2Operation, number>>;

/** One page of a listing: its items and the token of the next page, if any. */
interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken: string | undefined;
}

/**
 * A retrying, paginating layer over the EC2 client for the Conformity, Security and Janitor monkeys.
 *
 * @example
 * const api = new Ec2AuditApi({ client, clock });
 * const volumes = await api.describeVolumes();
 * await api.deleteVolume('vol-0123456789abcdef0');
 */
export class Ec2AuditApi {
  private readonly retry: Required<Ec2RetryOptions>;
  private readonly instances: Ec2Api;

  constructor(private readonly options: Ec2AuditApiOptions) {
    this.retry = resolveEc2Retry(options.retry);
    this.instances = new Ec2Api({ client: options.client, clock: options.clock, retry: this.retry });
  }

  /** Every instance matching `filters` (DescribeInstances through {@link Ec2Api}). */
  describeInstances(filters: readonly Filter[]): Promise<Ec2Instance[]> {
    return this.instances.describeInstances(filters);
  }

  /** Every EBS volume of the region. */
  describeVolumes(): Promise<Volume[]> {
    return this.list('DescribeVolumes', async (NextToken) => {
      const page = await this.options.client.send(new DescribeVolumesCommand({ MaxResults: AUDIT_PAGE_SIZES.DescribeVolumes, ...(NextToken ? { NextToken } : {}) }));
      return { items: page.Volumes ?? [], nextToken: page.NextToken };
    });
  }

  /** The account's own snapshots (`OwnerIds: ['self']`: without it EC2 lists every public snapshot too). */
  describeSnapshots(): Promise<Snapshot[]> {
    return this.list('DescribeSnapshots', async (NextToken) => {
      const page = await this.options.client.send(
        new DescribeSnapshotsCommand({ OwnerIds: ['self'], MaxResults: AUDIT_PAGE_SIZES.DescribeSnapshots, ...(NextToken ? { NextToken } : {}) }),
      );
      return { items: page.Snapshots ?? [], nextToken: page.NextToken };
    });
  }

  /** The account's own images (`Owners: ['self']`), whose block device mappings keep their snapshots in use. */
  describeImages(): Promise<Image[]> {
    return this.list('DescribeImages', async (NextToken) => {
      const page = await this.options.client.send(new DescribeImagesCommand({ Owners: ['self'], MaxResults: AUDIT_PAGE_SIZES.DescribeImages, ...(NextToken ? { NextToken } : {}) }));
      return { items: page.Images ?? [], nextToken: page.NextToken };
    });
  }

  /** Every security group of the region, with its ingress and egress permissions. */
  describeSecurityGroups(): Promise<SecurityGroup[]> {
    return this.list('DescribeSecurityGroups', async (NextToken) => {
      const page = await this.options.client.send(new DescribeSecurityGroupsCommand({ MaxResults: AUDIT_PAGE_SIZES.DescribeSecurityGroups, ...(NextToken ? { NextToken } : {}) }));
      return { items: page.SecurityGroups ?? [], nextToken: page.NextToken };
    });
  }

  /** Every network interface of the region (instances', load balancers', Lambda's …): what uses a security group. */
  describeNetworkInterfaces(): Promise<NetworkInterface[]> {
    return this.list('DescribeNetworkInterfaces', async (NextToken) => {
      const page = await this.options.client.send(
        new DescribeNetworkInterfacesCommand({ MaxResults: AUDIT_PAGE_SIZES.DescribeNetworkInterfaces, ...(NextToken ? { NextToken } : {}) }),
      );
      return { items: page.NetworkInterfaces ?? [], nextToken: page.NextToken };
    });
  }

  /** Deletes one volume. */
  async deleteVolume(volumeId: string): Promise<void> {
    await this.send('DeleteVolume', [volumeId], () => this.options.client.send(new DeleteVolumeCommand({ VolumeId: volumeId })));
  }

  /** Deletes one snapshot. */
  async deleteSnapshot(snapshotId: string): Promise<void> {
    await this.send('DeleteSnapshot', [snapshotId], () => this.options.client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
  }

  /** Deletes one security group, by id (a name only works in the default VPC). */
  async deleteSecurityGroup(groupId: string): Promise<void> {
    await this.send('DeleteSecurityGroup', [groupId], () => this.options.client.send(new DeleteSecurityGroupCommand({ GroupId: groupId })));
  }

  /** Terminates one instance. */
  async terminateInstance(instanceId: string): Promise<void> {
    await this.instances.terminate([instanceId]);
  }

  /**
   * Follows `NextToken` to the end, each page retried on its own (a throttled third page must not restart the
   * listing, see {@link Ec2Api.describeInstances}).
   */
  private async list<T>(operation: Ec2Operation, fetchPage: (nextToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
    const items: T[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.send(operation, [], () => fetchPage(token));
      items.push(...page.items);
      // An empty token is the end too: looping on it would list the first page forever.
      nextToken = page.nextToken || undefined;
    } while (nextToken !== undefined);
    return items;
  }

  private send<T>(operation: Ec2Operation, ids: readonly string[], call: () => Promise<T>): Promise<T> {
    return withEc2Retry(this.options.clock, this.retry, { operation, instanceIds: ids }, call);
  }
}
