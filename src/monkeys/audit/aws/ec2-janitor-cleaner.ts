/**
 * @module
 * The Janitor's cleaner on EC2: deletes a volume, snapshot or security group, or terminates an instance, picked by
 * the prefix of the EC2 id the Janitor rules report.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Clock } from '../../../core/clock.js';
import { SimianError } from '../../../core/errors.js';
import { Ec2AuditApi } from '../../../providers/aws/ec2-audit-api.js';
import { ec2ErrorCode } from '../../../providers/aws/ec2-errors.js';
import type { Ec2RetryOptions } from '../../../providers/aws/ec2-retry.js';
import type { JanitorCleaner } from '../janitor-cleaner.js';

/** Options of {@link Ec2JanitorCleaner}. */
export interface Ec2JanitorCleanerOptions {
  readonly client: EC2Client;
  /** Paces the retries of throttled calls. */
  readonly clock: Clock;
  /** @default DEFAULT_EC2_RETRY */
  readonly retry?: Ec2RetryOptions;
}

/** EC2's answers that mean the resource is already gone: for the Janitor, cleaned. */
export const EC2_GONE_CODES: ReadonlySet<string> = new Set(['InvalidVolume.NotFound', 'InvalidSnapshot.NotFound', 'InvalidGroup.NotFound', 'InvalidInstanceID.NotFound']);

/**
 * Deletes EC2 resources by id: `vol-…` (DeleteVolume), `snap-…` (DeleteSnapshot), `sg-…` (DeleteSecurityGroup),
 * `i-…` (TerminateInstances).
 *
 * @example
 * const cleaner = new Ec2JanitorCleaner({ client, clock });
 * await cleaner.clean('vol-0123456789abcdef0');
 */
export class Ec2JanitorCleaner implements JanitorCleaner {
  readonly provider = 'aws';
  private readonly api: Ec2AuditApi;

  constructor(options: Ec2JanitorCleanerOptions) {
    this.api = new Ec2AuditApi({ client: options.client, clock: options.clock, ...(options.retry ? { retry: options.retry } : {}) });
  }

  /**
   * Deletes `resource`; already gone resolves, any other EC2 answer rejects with its `provider.*` error (a volume
   * attached again is `VolumeInUse`, a group in use `DependencyViolation`: the Janitor retries next run, by which
   * time its rules no longer find them).
   *
   * @throws SimianError `janitor.unknownResource` for anything but an `i-`, `vol-`, `snap-` or `sg-` id
   */
  async clean(resource: string): Promise<void> {
    const call = this.callFor(resource);
    try {
      await call();
    } catch (error) {
      if (EC2_GONE_CODES.has(ec2ErrorCode(error) ?? '')) return;
      throw error;
    }
  }

  private callFor(resource: string): () => Promise<void> {
    const prefix = /^(i|vol|snap|sg)-[0-9a-f]+$/.exec(resource)?.[1];
    switch (prefix) {
      case 'vol':
        return () => this.api.deleteVolume(resource);
      case 'snap':
        return () => this.api.deleteSnapshot(resource);
      case 'sg':
        return () => this.api.deleteSecurityGroup(resource);
      case 'i':
        return () => this.api.terminateInstance(resource);
      default:
        throw new SimianError('janitor.unknownResource', `aws janitor: ${JSON.stringify(resource)} is not an EC2 instance, volume, snapshot or security group id (i-…, vol-…, snap-…, sg-…)`);
    }
  }
}
