/**
 * @module
 * Turns whatever `@aws-sdk/client-ec2` throws (an `EC2ServiceException` named after EC2's error code, a Node
 * network error, a credentials error) into a {@link SimianError} with a stable `provider.*` code. Nothing raw leaves
 * the provider: callers and the safety pipeline match on codes, and which codes are worth a retry is decided here,
 * once.
 */
import { SimianError } from '../../core/errors.js';

/** The EC2 API actions this provider calls; each is also the name of the IAM permission `ec2:<action>`. */
export type Ec2Operation =
  | 'DescribeInstances'
  | 'TerminateInstances'
  | 'StopInstances'
  | 'StartInstances'
  | 'DescribeVolumes'
  | 'DescribeSnapshots'
  | 'DescribeImages'
  | 'DescribeSecurityGroups'
  | 'DescribeNetworkInterfaces'
  | 'DeleteVolume'
  | 'DeleteSnapshot'
  | 'DeleteSecurityGroup';

/** What was being attempted, so that an error can name it (and an IAM hint can name the permission). */
export interface Ec2Action {
  readonly operation: Ec2Operation;
  /** The resources the call was about, if any: instance ids, or the volume, snapshot or group ids of the audit calls. */
  readonly instanceIds?: readonly string[];
}

/** Error codes that mean the instance does not exist (any more) or never could. */
const GONE = new Set(['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed']);

/** Error codes that mean a volume, snapshot or security group does not exist (any more). */
const RESOURCE_GONE = new Set(['InvalidVolume.NotFound', 'InvalidSnapshot.NotFound', 'InvalidGroup.NotFound']);

/** Error codes of the caller's identity or permissions: a retry cannot help, an IAM policy can. */
const FORBIDDEN = new Set(['UnauthorizedOperation', 'AuthFailure', 'Blocked', 'OptInRequired', 'SignatureDoesNotMatch', 'InvalidClientTokenId', 'MissingAuthenticationToken']);

/** EC2's throttling codes (the SDK's own retry strategy treats these as throttling too). */
const THROTTLED = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException', 'RequestThrottled', 'RequestThrottledException', 'EC2ThrottledException', 'TooManyRequestsException']);

/** Error codes EC2 uses for its own failures, whatever the HTTP status says. */
const UNAVAILABLE = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable']);

/** System error codes that mean the endpoint cannot be reached at all (nothing was answered). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

/** The codes worth another attempt: EC2 asked us to slow down, or failed on its side. */
export const RETRYABLE_CODES: ReadonlySet<string> = new Set(['provider.throttled', 'provider.unavailable']);

interface SdkErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown; readonly requestId?: unknown };
}

function shape(error: unknown): SdkErrorShape {
  return typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
}

/** The HTTP status EC2 answered with, if it answered at all. */
export function ec2HttpStatus(error: unknown): number | undefined {
  const status = shape(error).$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

/** Whether `error` is an answer from EC2 (a service exception) rather than a failure to get one. */
function isServiceError(error: unknown): boolean {
  const { $fault } = shape(error);
  return ($fault === 'client' || $fault === 'server') && ec2HttpStatus(error) !== undefined;
}

/** Whether `error` says the endpoint could not be reached. */
export function isUnreachable(error: unknown): boolean {
  const { code, name } = shape(error);
  if (isServiceError(error)) return false;
  return (typeof code === 'string' && UNREACHABLE.has(code)) || name === 'TimeoutError';
}

/** `TerminateInstances i-0abc…`: how messages name an action. */
export function describeEc2Action(action: Ec2Action): string {
  const ids = action.instanceIds ?? [];
  if (ids.length === 0) return action.operation;
  const shown = ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more`;
  return `${action.operation} ${shown}`;
}

/**
 * Maps a failed EC2 call to a {@link SimianError}:
 *
 * | EC2 answer | code |
 * |---|---|
 * | `InvalidInstanceID.NotFound`, `InvalidInstanceID.Malformed` | `provider.instanceGone` |
 * | `InvalidVolume.NotFound`, `InvalidSnapshot.NotFound`, `InvalidGroup.NotFound` | `provider.notFound` |
 * | `UnauthorizedOperation`, `AuthFailure` (and other credential errors), no credentials at all | `provider.forbidden` (the message names the IAM permission) |
 * | `RequestLimitExceeded`, `Throttling` … | `provider.throttled` |
 * | any 5xx, `InternalError`, `Unavailable` | `provider.unavailable` |
 * | `IncorrectInstanceState` | `provider.conflict` |
 * | `OperationNotPermitted` (termination or stop protection) | `provider.refused` |
 * | `UnsupportedOperation` | `provider.unsupported` |
 * | other EC2 errors, unreadable answers | `provider.awsError` |
 * | connection refused, DNS failure, reset, timeout | `provider.unreachable` |
 *
 * A {@link SimianError} passes through unchanged; the original error is always the `cause`. `attempts` (when more
 * than one) is mentioned, so that "kept throttling" is distinguishable from one refusal.
 */
export function toProviderError(error: unknown, action: Ec2Action, attempts = 1): SimianError {
  if (error instanceof SimianError) return error;
  const what = describeEc2Action(action);
  const { name, message: rawMessage } = shape(error);
  const code = typeof name === 'string' ? name : '';
  const message = typeof rawMessage === 'string' && rawMessage !== '' ? rawMessage : code || String(error);
  const after = attempts > 1 ? ` after ${attempts} attempts` : '';
  const make = (simianCode: string, text: string): SimianError => new SimianError(simianCode, `cannot ${what}: ${text}`, { cause: error });

  if (isUnreachable(error)) return make('provider.unreachable', `the EC2 endpoint is unreachable (${message})${after}`);
  if (code === 'CredentialsProviderError') {
    return make('provider.forbidden', `no AWS credentials found (${message}); set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE or a role`);
  }
  if (!isServiceError(error)) return make('provider.awsError', message);

  const status = ec2HttpStatus(error) ?? 0;
  if (GONE.has(code)) return make('provider.instanceGone', `no such instance (${code}: ${message})`);
  if (RESOURCE_GONE.has(code)) return make('provider.notFound', `no such resource (${code}: ${message})`);
  if (code === 'UnauthorizedOperation') {
    return make('provider.forbidden', `not authorized (${code}); grant ec2:${action.operation} to the IAM identity Simian runs as`);
  }
  if (FORBIDDEN.has(code) || status === 401 || status === 403) {
    return make('provider.forbidden', `EC2 rejected the credentials (${code || status}: ${message}); check the access key, its region, and that ec2:${action.operation} is allowed`);
  }
  if (THROTTLED.has(code)) return make('provider.throttled', `EC2 kept throttling the requests (${code})${after}`);
  if (UNAVAILABLE.has(code) || status >= 500 || shape(error).$fault === 'server') {
    return make('provider.unavailable', `EC2 kept failing (${status || code} ${code}: ${message})${after}`);
  }
  if (code === 'IncorrectInstanceState') return make('provider.conflict', `an instance is not in a state that allows it (${message})`);
  if (code === 'OperationNotPermitted') return make('provider.refused', `EC2 refused (${message}); termination or stop protection may be on`);
  if (code === 'UnsupportedOperation') return make('provider.unsupported', `EC2 does not support it for these instances (${message})`);
  return make('provider.awsError', `${code || `HTTP ${status}`}: ${message}`);
}

/**
 * EC2's own error code (`InvalidVolume.NotFound`) behind a mapped error, from its `cause`; undefined when EC2 did
 * not answer (unreachable, no credentials). For callers that must tell two EC2 codes of one Simian code apart.
 */
export function ec2ErrorCode(error: unknown): string | undefined {
  const cause = error instanceof SimianError ? error.cause : error;
  if (!isServiceError(cause)) return undefined;
  const { name } = shape(cause);
  return typeof name === 'string' && name !== '' ? name : undefined;
}
