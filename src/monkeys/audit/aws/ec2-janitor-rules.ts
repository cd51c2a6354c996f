/**
 * @module
 * The Janitor Monkey's rules on EC2 (SimianArmy's orphaned-instance, detached-volume, orphaned-snapshot and
 * unused-security-group crawlers): pure functions of an {@link Ec2Snapshot}. Each violation's `resource` is exactly
 * the EC2 id, which is what `Ec2JanitorCleaner` deletes; its owner is the `owner` tag or
 * `audit.janitor.defaultOwner`; a resource tagged `simian/janitor: opt-out` is listed with `optedOut` and never
 * cleaned.
 */
import { formatDuration } from '../../../core/durations.js';
import type { AuditConfig } from '../audit-config.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from '../rule.js';
import type { EC2_JANITOR_RULE_IDS } from '../rule-ids.js';
import type { Ec2Snapshot } from './ec2-snapshot.js';
import { janitorOptOut, janitorOwner } from './ec2-tags.js';

type JanitorRuleId = (typeof EC2_JANITOR_RULE_IDS)[number];

/** The owner and opt-out of a resource with these tags. */
function marks(tags: Readonly<Record<string, string>>, defaultOwner: string | undefined): Pick<Violation, 'owner' | 'optedOut'> {
  return { ...janitorOwner(tags, defaultOwner), ...janitorOptOut(tags) };
}

/**
 * `janitor.orphaned-instance`: an instance in no Auto Scaling group launched longer ago than
 * `orphanedInstanceAgeMs` (someone's experiment, left running). Instances already shutting down are skipped.
 */
export function orphanedInstanceRule(defaultOwner?: string): RuleDefinition<Ec2Snapshot> {
  return {
    id: 'janitor.orphaned-instance' satisfies JanitorRuleId,
    monkey: 'janitor',
    severity: 'low',
    description: 'an EC2 instance in no Auto Scaling group launched longer ago than audit.janitor.orphanedInstanceAge',
    evaluate: (snapshot, thresholds) => {
      const maxAgeMs = thresholds['orphanedInstanceAgeMs'] ?? Infinity;
      return snapshot.instances.flatMap((i): Violation[] => {
        if (i.autoScalingGroup !== undefined || i.state === 'shutting-down' || i.launchedAt === undefined) return [];
        const age = snapshot.takenAt - i.launchedAt;
        if (age <= maxAgeMs) return [];
        return [{ resource: i.id, ...marks(i.tags, defaultOwner), why: `${i.state}, in no Auto Scaling group, launched ${formatDuration(age)} ago (more than ${formatDuration(maxAgeMs)})` }];
      });
    },
  };
}

/**
 * `janitor.detached-volume`: a volume attached to nothing (`available`) created longer ago than
 * `detachedVolumeAgeMs`.
 *
 * EC2 does not say when a volume was detached, only when it was created, so a volume detached a minute ago from a
 * year-old instance is found at once. That is safe: the Janitor only cleans after its retention period and only
 * what its rules still find in that run's snapshot, so a volume re-attached in the meantime is in use again,
 * not found, and unmarked.
 */
export function detachedVolumeRule(defaultOwner?: string): RuleDefinition<Ec2Snapshot> {
  return {
    id: 'janitor.detached-volume' satisfies JanitorRuleId,
    monkey: 'janitor',
    severity: 'low',
    description: 'an EBS volume attached to nothing (available) created longer ago than audit.janitor.detachedVolumeAge',
    evaluate: (snapshot, thresholds) => {
      const maxAgeMs = thresholds['detachedVolumeAgeMs'] ?? Infinity;
      return snapshot.volumes.flatMap((v): Violation[] => {
        if (v.state !== 'available' || v.attachedTo.length > 0 || v.createdAt === undefined) return [];
        const age = snapshot.takenAt - v.createdAt;
        if (age <= maxAgeMs) return [];
        return [{ resource: v.id, ...marks(v.tags, defaultOwner), why: `attached to nothing (available), created ${formatDuration(age)} ago (more than ${formatDuration(maxAgeMs)})` }];
      });
    },
  };
}

/**
 * `janitor.orphaned-snapshot`: a snapshot whose volume no longer exists and that no image of the account needs (an
 * image's block device mapping names it: deleting it would break every launch of the image).
 */
export function orphanedSnapshotRule(defaultOwner?: string): RuleDefinition<Ec2Snapshot> {
  return {
    id: 'janitor.orphaned-snapshot' satisfies JanitorRuleId,
    monkey: 'janitor',
    severity: 'low',
    description: 'an EBS snapshot whose volume no longer exists and that no image of the account uses',
    evaluate: (snapshot) => {
      const volumes = new Set(snapshot.volumes.map((v) => v.id));
      const imaged = new Set(snapshot.images.flatMap((image) => image.snapshotIds));
      return snapshot.snapshots.flatMap((s): Violation[] => {
        if ((s.volumeId !== undefined && volumes.has(s.volumeId)) || imaged.has(s.id)) return [];
        const of = s.volumeId === undefined ? 'of no known volume' : `of volume ${s.volumeId}, which no longer exists`;
        return [{ resource: s.id, ...marks(s.tags, defaultOwner), why: `a snapshot ${of}, used by no image of the account` }];
      });
    },
  };
}

/**
 * `janitor.unused-security-group`: a security group no network interface uses. A VPC's `default` group (EC2
 * refuses to delete it) and a group another group references (deleting it would fail, and would change what the
 * other admits) are never found; a group referencing only itself is still unused. A group named only by a launch
 * template of an Auto Scaling group scaled to zero has no interface yet and is found: the retention period, the
 * owner's notice and the opt-out tag are what protect it (the snapshot does not read launch templates).
 */
export function unusedSecurityGroupRule(defaultOwner?: string): RuleDefinition<Ec2Snapshot> {
  return {
    id: 'janitor.unused-security-group' satisfies JanitorRuleId,
    monkey: 'janitor',
    severity: 'low',
    description: "a security group that no network interface uses (other than a VPC's default group and groups other groups reference)",
    evaluate: (snapshot) => {
      const used = new Set(snapshot.networkInterfaces.flatMap((eni) => eni.groupIds));
      const referenced = new Set(snapshot.securityGroups.flatMap((g) => g.referencedGroupIds.filter((id) => id !== g.id)));
      return snapshot.securityGroups.flatMap((g): Violation[] => {
        if (g.name === 'default' || used.has(g.id) || referenced.has(g.id)) return [];
        return [{ resource: g.id, ...marks(g.tags, defaultOwner), why: `security group ${g.name || g.id}${g.vpcId ? ` of ${g.vpcId}` : ''} is used by no network interface and referenced by no other group` }];
      });
    },
  };
}

/** Every EC2 Janitor rule, configured by the `audit:` section. */
export function ec2JanitorRules(config: AuditConfig): Rule<Ec2Snapshot>[] {
  const { defaultOwner, orphanedInstanceAgeMs, detachedVolumeAgeMs } = config.janitor;
  return [
    configureRule(orphanedInstanceRule(defaultOwner), config, { orphanedInstanceAgeMs }),
    configureRule(detachedVolumeRule(defaultOwner), config, { detachedVolumeAgeMs }),
    configureRule(orphanedSnapshotRule(defaultOwner), config),
    configureRule(unusedSecurityGroupRule(defaultOwner), config),
  ];
}
