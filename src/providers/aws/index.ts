/**
 * @module
 * The AWS provider: EC2 instances grouped by Auto Scaling group or tag, termination, zone isolation by stopping
 * opted-in instances, region evacuation through a pluggable traffic shift.
 */
export { AwsProvider, DEFAULT_OPT_IN_TAG } from './aws-provider.js';
export type { AwsProviderOptions, ZoneStopHandle } from './aws-provider.js';
export { Ec2Api, chunk, DEFAULT_PAGE_SIZE, DEFAULT_BATCH_SIZE } from './ec2-api.js';
export type { Ec2ApiOptions } from './ec2-api.js';
export { Ec2AuditApi, AUDIT_PAGE_SIZES } from './ec2-audit-api.js';
export type { Ec2AuditApiOptions } from './ec2-audit-api.js';
export { ec2ErrorCode, toProviderError, describeEc2Action, ec2HttpStatus, isUnreachable, RETRYABLE_CODES } from './ec2-errors.js';
export type { Ec2Action, Ec2Operation } from './ec2-errors.js';
export { withEc2Retry, resolveEc2Retry, DEFAULT_EC2_RETRY } from './ec2-retry.js';
export type { Ec2RetryOptions } from './ec2-retry.js';
export { ASG_TAG, groupTagKey, mapInstanceState, tagsToRecord, toInstance } from './instance-mapping.js';
export type { GroupBy } from './instance-mapping.js';
export { AWS_REVERT_ID_PREFIX, evacuateRevertId, isInstanceId, isLocationName, parseAwsRevertId, stopZoneRevertId } from './revert-id.js';
export type { AwsRevertTarget } from './revert-id.js';
export { DEFAULT_START_WAIT, startStoppedInstances, stopInstances, zoneStopCandidates } from './zone-stop.js';
export type { StartWaitOptions, ZoneStopSelection } from './zone-stop.js';
