/**
 * @module
 * The EC2 client `providers.aws` describes, for the AWS provider and the EC2 audits. In a module of its own so that
 * the AWS SDK (0.35 s to load) is imported only by what talks to EC2.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import type { AwsProviderConfig } from '../config/simian-config.js';

/** The EC2 client of `providers.aws` (region, endpoint, profile) and its region. */
export function ec2ClientOf(config: AwsProviderConfig | undefined): { readonly client: EC2Client; readonly region: string } {
  const region = config?.region ?? 'us-east-1';
  const client = new EC2Client({
    region,
    // One attempt per SDK call: Simian retries throttling itself, on the injected clock.
    maxAttempts: 1,
    ...(config?.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config?.profile ? { profile: config.profile } : {}),
  });
  return { client, region };
}
