/**
 * @module
 * The Conformity Monkey's rules on EC2 (SimianArmy's `InstanceInAsg`, `SameZonesInElbAndAsg`, `InstanceTooOld` and
 * a required-tags check): pure functions of an {@link Ec2Snapshot}. Instances on their way out (`shutting-down`)
 * are left alone: whatever is wrong with them is about to stop mattering.
 */
import { formatDuration } from '../../../core/durations.js';
import type { AuditConfig } from '../audit-config.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from '../rule.js';
import type { EC2_CONFORMITY_RULE_IDS } from '../rule-ids.js';
import type { Ec2InstanceFacts, Ec2Snapshot } from './ec2-snapshot.js';
import { tagOwner } from './ec2-tags.js';

type ConformityRuleId = (typeof EC2_CONFORMITY_RULE_IDS)[number];

/** The instances the rules judge: every one but those being terminated. */
function judged(snapshot: Ec2Snapshot): Ec2InstanceFacts[] {
  return snapshot.instances.filter((i) => i.state !== 'shutting-down');
}

/** `conformity.auto-scaling-group`: every instance belongs to an Auto Scaling group, which replaces it when it dies. */
export const autoScalingGroupRule: RuleDefinition<Ec2Snapshot> = {
  id: 'conformity.auto-scaling-group' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'an EC2 instance in no Auto Scaling group (nothing replaces it when it dies)',
  evaluate: (snapshot) =>
    judged(snapshot)
      .filter((i) => i.autoScalingGroup === undefined)
      .map((i) => ({ resource: i.id, ...tagOwner(i.tags), why: `${i.state} in ${i.zone || 'an unknown zone'} without the aws:autoscaling:groupName tag: it belongs to no Auto Scaling group` })),
};

/** `conformity.single-zone`: an Auto Scaling group has running instances in at least `minZones` availability zones. */
export const singleZoneRule: RuleDefinition<Ec2Snapshot> = {
  id: 'conformity.single-zone' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'medium',
  description: 'an Auto Scaling group whose running instances are in fewer than audit.minZones availability zones (one zone outage takes it down)',
  evaluate: (snapshot, thresholds) => {
    const minZones = thresholds['minZones'] ?? 2;
    const groups = new Map<string, Ec2InstanceFacts[]>();
    for (const i of snapshot.instances) {
      if (i.state !== 'running' || i.autoScalingGroup === undefined) continue;
      groups.set(i.autoScalingGroup, [...(groups.get(i.autoScalingGroup) ?? []), i]);
    }
    return [...groups].flatMap(([group, instances]): Violation[] => {
      const zones = [...new Set(instances.map((i) => i.zone))].sort();
      if (zones.length >= minZones) return [];
      const owner = instances.map((i) => tagOwner(i.tags)).find((o) => o.owner !== undefined) ?? {};
      const where = `${zones.length} availability zone${zones.length === 1 ? '' : 's'} (${zones.join(', ')})`;
      return [
        {
          resource: `${group}@${snapshot.region}`,
          ...owner,
          why: `Auto Scaling group ${group} has ${instances.length} running instance(s) in ${where} of ${snapshot.region}; at least ${minZones} wanted`,
        },
      ];
    });
  },
};

/** `conformity.instance-age`: no instance was launched longer ago than `maxInstanceAgeMs` (old hosts drift). */
export const instanceAgeRule: RuleDefinition<Ec2Snapshot> = {
  id: 'conformity.instance-age' satisfies ConformityRuleId,
  monkey: 'conformity',
  severity: 'low',
  description: 'an EC2 instance launched longer ago than audit.maxInstanceAge',
  evaluate: (snapshot, thresholds) => {
    const maxAgeMs = thresholds['maxInstanceAgeMs'] ?? Infinity;
    return judged(snapshot).flatMap((i): Violation[] => {
      // An unknown launch time cannot be judged either way.
      if (i.launchedAt === undefined) return [];
      const age = snapshot.takenAt - i.launchedAt;
      return age > maxAgeMs ? [{ resource: i.id, ...tagOwner(i.tags), why: `launched ${formatDuration(age)} ago; at most ${formatDuration(maxAgeMs)} wanted` }] : [];
    });
  },
};

/**
 * `conformity.required-tags`: every instance carries every tag of `audit.requiredTags`, with a value. A factory,
 * because the tags are names, not numbers, and thresholds hold numbers.
 */
export function requiredTagsRule(requiredTags: readonly string[]): RuleDefinition<Ec2Snapshot> {
  return {
    id: 'conformity.required-tags' satisfies ConformityRuleId,
    monkey: 'conformity',
    severity: 'low',
    description: 'an EC2 instance missing a tag of audit.requiredTags (or carrying it empty)',
    evaluate: (snapshot) =>
      judged(snapshot).flatMap((i): Violation[] => {
        const missing = requiredTags.filter((key) => !i.tags[key]);
        if (missing.length === 0) return [];
        return [{ resource: i.id, ...tagOwner(i.tags), why: `missing the tag${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (audit.requiredTags: ${requiredTags.join(', ')})` }];
      }),
  };
}

/** Every EC2 Conformity rule, configured by the `audit:` section. */
export function ec2ConformityRules(config: AuditConfig): Rule<Ec2Snapshot>[] {
  return [
    configureRule(autoScalingGroupRule, config),
    configureRule(singleZoneRule, config, { minZones: config.minZones }),
    configureRule(instanceAgeRule, config, { maxInstanceAgeMs: config.maxInstanceAgeMs }),
    configureRule(requiredTagsRule(config.requiredTags), config),
  ];
}
