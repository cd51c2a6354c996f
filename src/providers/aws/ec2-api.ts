/**
 * @module
 * The EC2 calls the provider makes, each one retried through {@link withEc2Retry} and mapped to a
 * {@link SimianError} on failure: a paginated DescribeInstances, and Terminate/Stop/Start for one batch of ids.
 */
import {
  DescribeInstancesCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  TerminateInstancesCommand,
  type EC2Client,
  type Filter,
  type Instance as Ec2Instance,
  type InstanceStateChange,
} from '@aws-sdk/client-ec2';
import type { Clock } from '../../core/clock.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Ec2Operation } from './ec2-errors.js';
import { withEc2Retry, type Ec2RetryOptions } from './ec2-retry.js';

/** Instances per DescribeInstances page when not configured: EC2's maximum, so that big fleets take few calls. */
export const DEFAULT_PAGE_SIZE = 1000;

/**
 * Instance ids per Terminate/Stop/Start call, and values per `instance-id` filter, when not configured. EC2 takes
 * up to 1000 ids per call but only 200 values per filter; one number for both keeps a batch describable.
 */
export const DEFAULT_BATCH_SIZE = 200;

/** What {@link Ec2Api} needs. */
export interface Ec2ApiOptions {
  readonly client: EC2Client;
  readonly clock: Clock;
  readonly retry: Required<Ec2RetryOptions>;
  /** DescribeInstances `MaxResults`, 5–1000. @default 1000 */
  readonly pageSize?: number;
  /** Ids per call, 1–200. @default 200 */
  readonly batchSize?: number;
}

/** Splits `items` into slices of at most `size`, in order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const slices: T[][] = [];
  for (let i = 0; i < items.length; i += size) slices.push(items.slice(i, i + size));
  return slices;
}

function checkInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidInputError('provider.invalidOption', `aws provider: ${field} must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

/**
 * A thin, retrying layer over the EC2 client.
 *
 * @example
 * const api = new Ec2Api({ client, clock, retry: resolveEc2Retry() });
 * const running = await api.describeInstances([{ Name: 'instance-state-name', Values: ['running'] }]);
 */
export class Ec2Api {
  /** Ids per call; callers split their lists with {@link chunk} and this. */
  readonly batchSize: number;
  private readonly pageSize: number;

  constructor(private readonly options: Ec2ApiOptions) {
    this.pageSize = checkInteger('pageSize', options.pageSize ?? DEFAULT_PAGE_SIZE, 5, 1000);
    this.batchSize = checkInteger('batchSize', options.batchSize ?? DEFAULT_BATCH_SIZE, 1, 200);
  }

  /**
   * Every instance matching `filters`, following `NextToken` to the end. The loop is written out rather than using
   * `paginateDescribeInstances` so that each page is retried on its own: a throttled third page must not restart
   * the listing.
   */
  async describeInstances(filters: readonly Filter[]): Promise<Ec2Instance[]> {
    const instances: Ec2Instance[] = [];
    let nextToken: string | undefined;
    do {
      const command = new DescribeInstancesCommand({
        Filters: [...filters],
        MaxResults: this.pageSize,
        ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
      });
      const page = await this.send('DescribeInstances', [], () => this.options.client.send(command));
      for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
      // An empty token is the end too: looping on it would list the first page forever.
      nextToken = page.NextToken || undefined;
    } while (nextToken !== undefined);
    return instances;
  }

  /** The instances among `ids` that exist, whatever their state; ids that do not exist are simply absent. */
  async describeByIds(ids: readonly string[], extraFilters: readonly Filter[] = []): Promise<Ec2Instance[]> {
    const found: Ec2Instance[] = [];
    // A filter, not InstanceIds: with InstanceIds one unknown id fails the whole call (InvalidInstanceID.NotFound).
    for (const batch of chunk(ids, this.batchSize)) found.push(...(await this.describeInstances([{ Name: 'instance-id', Values: batch }, ...extraFilters])));
    return found;
  }

  /** Terminates one batch of instances. */
  async terminate(ids: readonly string[]): Promise<InstanceStateChange[]> {
    const command = new TerminateInstancesCommand({ InstanceIds: this.batch(ids) });
    return (await this.send('TerminateInstances', ids, () => this.options.client.send(command))).TerminatingInstances ?? [];
  }

  /** Stops one batch of instances (a clean stop, not `Force`: the outage is the point, a corrupted disk is not). */
  async stop(ids: readonly string[]): Promise<InstanceStateChange[]> {
    const command = new StopInstancesCommand({ InstanceIds: this.batch(ids), Force: false });
    return (await this.send('StopInstances', ids, () => this.options.client.send(command))).StoppingInstances ?? [];
  }

  /** Starts one batch of instances. */
  async start(ids: readonly string[]): Promise<InstanceStateChange[]> {
    const command = new StartInstancesCommand({ InstanceIds: this.batch(ids) });
    return (await this.send('StartInstances', ids, () => this.options.client.send(command))).StartingInstances ?? [];
  }

  private batch(ids: readonly string[]): string[] {
    if (ids.length === 0 || ids.length > this.batchSize) {
      throw new RangeError(`Ec2Api: a batch holds 1 to ${this.batchSize} instance ids, got ${ids.length}`);
    }
    return [...ids];
  }

  private send<T>(operation: Ec2Operation, instanceIds: readonly string[], call: () => Promise<T>): Promise<T> {
    return withEc2Retry(this.options.clock, this.options.retry, { operation, instanceIds }, call);
  }
}
