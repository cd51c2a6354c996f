/**
 * @module
 * The revert ids of the AWS provider. A process that dies mid-fault leaves only the id in the state store, so each
 * id carries everything its revert needs and nothing a restart would lose:
 *
 * - `aws:stop-zone:<zone>:<instance id>,<instance id>…`: the instances this zone isolation stopped (possibly
 *   none), and only those, so that an instance somebody else stopped stays stopped after the revert.
 * - `aws:evacuate:<region>`: the region handed to the {@link TrafficShift}.
 *
 * Zone and region names are lower-case letters, digits and dashes, and instance ids are `i-` and hex, so none can
 * hold `:` or `,`, and parsing is exact.
 */
import { InvalidInputError } from '../../core/errors.js';

/** The prefix of every revert id this provider hands out. */
export const AWS_REVERT_ID_PREFIX = 'aws:';

/** A decoded revert id. */
export type AwsRevertTarget =
  | { readonly kind: 'stop-zone'; readonly zone: string; readonly instanceIds: readonly string[] }
  | { readonly kind: 'evacuate'; readonly region: string };

/** An AWS region or availability-zone name: `us-east-1`, `us-east-1a`, `us-west-2-lax-1a`. */
const LOCATION_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

/** An EC2 instance id: `i-` and 8 (older instances) or 17 hex digits. */
const INSTANCE_ID = /^i-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

/** Whether `name` may be a region or zone name (so it is safe in a filter and in an id). */
export function isLocationName(name: string): boolean {
  return LOCATION_NAME.test(name);
}

/** Whether `id` is shaped like an EC2 instance id. */
export function isInstanceId(id: string): boolean {
  return INSTANCE_ID.test(id);
}

function badId(id: string, why: string): never {
  throw new InvalidInputError('provider.badRevertId', `not an AWS revert id (${why}): ${JSON.stringify(id)}`);
}

/**
 * The revert id of a zone isolation that stopped `instanceIds`.
 *
 * @example
 * stopZoneRevertId('us-east-1a', ['i-0123456789abcdef0']); // 'aws:stop-zone:us-east-1a:i-0123456789abcdef0'
 */
export function stopZoneRevertId(zone: string, instanceIds: readonly string[]): string {
  return `${AWS_REVERT_ID_PREFIX}stop-zone:${zone}:${instanceIds.join(',')}`;
}

/** The revert id of a region evacuation: `aws:evacuate:<region>`. */
export function evacuateRevertId(region: string): string {
  return `${AWS_REVERT_ID_PREFIX}evacuate:${region}`;
}

/**
 * Decodes a revert id made by {@link stopZoneRevertId} or {@link evacuateRevertId}.
 *
 * @throws InvalidInputError `provider.badRevertId` when `id` is neither: an id from another provider or a corrupted
 *   store must be refused loudly rather than "reverted" by doing nothing, which would leave instances stopped.
 */
export function parseAwsRevertId(id: string): AwsRevertTarget {
  if (!id.startsWith(AWS_REVERT_ID_PREFIX)) badId(id, `it does not start with ${AWS_REVERT_ID_PREFIX}`);
  const rest = id.slice(AWS_REVERT_ID_PREFIX.length);
  const stop = /^stop-zone:([^:]*):([^:]*)$/.exec(rest);
  if (stop) {
    const zone = stop[1] as string;
    const list = stop[2] as string;
    if (!isLocationName(zone)) badId(id, `bad zone ${JSON.stringify(zone)}`);
    const instanceIds = list === '' ? [] : list.split(',');
    const bad = instanceIds.find((instanceId) => !isInstanceId(instanceId));
    if (bad !== undefined) badId(id, `bad instance id ${JSON.stringify(bad)}`);
    return { kind: 'stop-zone', zone, instanceIds: [...new Set(instanceIds)] };
  }
  const evacuate = /^evacuate:([^:]*)$/.exec(rest);
  if (evacuate) {
    const region = evacuate[1] as string;
    if (!isLocationName(region)) badId(id, `bad region ${JSON.stringify(region)}`);
    return { kind: 'evacuate', region };
  }
  return badId(id, 'expected aws:stop-zone:<zone>:<instance ids> or aws:evacuate:<region>');
}
