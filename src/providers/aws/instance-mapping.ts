/**
 * @module
 * How an EC2 instance, as DescribeInstances returns it, becomes a Simian {@link Instance}: the id is the instance
 * id, the zone its placement, the group the value of one tag (the Auto Scaling group's, by default), and the tags
 * are the instance's own, so that an opt-in tag set on the instance (or propagated from its ASG) is what the
 * safety pipeline reads.
 */
import type { Instance as Ec2Instance, Tag } from '@aws-sdk/client-ec2';
import type { Instance, InstanceState } from '../../core/model.js';

/** The tag EC2 Auto Scaling puts on every instance it launches, valued with the group's name. */
export const ASG_TAG = 'aws:autoscaling:groupName';

/**
 * How instances form groups: by their Auto Scaling group (the `aws:autoscaling:groupName` tag) or by the value of
 * any other tag (`{ kind: 'tag', key: 'service' }`). Instances without that tag belong to no group and are left out
 * of the inventory altogether: a monkey cannot weigh the blast radius of a group it cannot see, so it must not
 * touch its instances either.
 */
export type GroupBy = { readonly kind: 'asg' } | { readonly kind: 'tag'; readonly key: string };

/** The tag whose value names an instance's group under `groupBy`. */
export function groupTagKey(groupBy: GroupBy): string {
  return groupBy.kind === 'asg' ? ASG_TAG : groupBy.key;
}

/**
 * EC2 instance-state names → Simian states. `shutting-down` is a termination under way: the instance no longer
 * serves, and it cannot come back, so it counts as `stopping` (not running, not yet gone).
 */
const STATES: Readonly<Record<string, InstanceState>> = {
  pending: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  'shutting-down': 'stopping',
  terminated: 'terminated',
};

/** The Simian state of an EC2 instance-state name; `unknown` for anything EC2 may add later. */
export function mapInstanceState(name: string | undefined): InstanceState {
  return (name !== undefined ? STATES[name] : undefined) ?? 'unknown';
}

/** EC2's tag list as a record; a tag without a key is dropped, one without a value is the empty string. */
export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/**
 * The Simian instance for `raw`, or undefined when it cannot be one: no id, no zone, or no group tag (see
 * {@link GroupBy}).
 *
 * @example
 * toInstance(reservation.Instances[0], 'us-east-1', { kind: 'asg' });
 * // { id: 'i-0abc…', group: 'web-asg', region: 'us-east-1', zone: 'us-east-1a', state: 'running', … }
 */
export function toInstance(raw: Ec2Instance, region: string, groupBy: GroupBy): Instance | undefined {
  const id = raw.InstanceId;
  const zone = raw.Placement?.AvailabilityZone;
  const tags = tagsToRecord(raw.Tags);
  const group = tags[groupTagKey(groupBy)];
  if (id === undefined || zone === undefined || group === undefined || group === '') return undefined;
  return {
    id,
    group,
    region,
    zone,
    state: mapInstanceState(raw.State?.Name),
    // A launch time EC2 did not report is unknown, not "now": 0 keeps age-based rules from treating it as new.
    launchedAt: raw.LaunchTime?.getTime() ?? 0,
    ...(raw.PrivateIpAddress ? { address: raw.PrivateIpAddress } : {}),
    tags,
  };
}
