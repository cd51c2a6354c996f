/**
 * The EC2 Conformity rules on seeded snapshots: each finds its violation, and passes the conforming snapshot.
 */
import { describe, expect, it } from 'vitest';
import { ec2ConformityRules } from '../../../../src/monkeys/audit/aws/ec2-conformity-rules.js';
import type { Ec2Snapshot } from '../../../../src/monkeys/audit/aws/ec2-snapshot.js';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../../../../src/monkeys/audit/audit-config.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { EC2_CONFORMITY_RULE_IDS } from '../../../../src/monkeys/audit/rule-ids.js';
import { DAY, ec2Instance, ec2Snapshot, NOW } from './seeded-ec2-snapshot.js';

const findingsOf = (s: Ec2Snapshot = ec2Snapshot(), config: AuditConfig = DEFAULT_AUDIT_CONFIG) => runRules(ec2ConformityRules(config), s);
const withInstances = (...instances: Ec2Snapshot['instances']) => ec2Snapshot((s) => ({ ...s, instances: [...s.instances, ...instances] }));

describe('EC2 Conformity rules', () => {
  it('are the rules of EC2_CONFORMITY_RULE_IDS and pass a conforming account', () => {
    expect(ec2ConformityRules(DEFAULT_AUDIT_CONFIG).map((r) => r.id)).toEqual([...EC2_CONFORMITY_RULE_IDS]);
    expect(findingsOf()).toEqual([]);
  });

  it('conformity.auto-scaling-group: an instance in no Auto Scaling group, owner from its tag; not one shutting down', () => {
    const loner = ec2Instance('i-0c', { autoScalingGroup: undefined, zone: 'us-east-1c', tags: { owner: 'team-data' } });
    expect(findingsOf(withInstances(loner))).toEqual([
      {
        monkey: 'conformity',
        rule: 'conformity.auto-scaling-group',
        severity: 'medium',
        resource: 'i-0c',
        owner: 'team-data',
        why: 'running in us-east-1c without the aws:autoscaling:groupName tag: it belongs to no Auto Scaling group',
      },
    ]);
    expect(findingsOf(withInstances({ ...loner, state: 'shutting-down' }))).toEqual([]);
  });

  it('conformity.single-zone: a group whose running instances are in fewer than audit.minZones zones', () => {
    const oneZone = ec2Snapshot((s) => ({ ...s, instances: s.instances.map((i) => ({ ...i, zone: 'us-east-1a' })) }));
    expect(findingsOf(oneZone)).toEqual([
      {
        monkey: 'conformity',
        rule: 'conformity.single-zone',
        severity: 'medium',
        resource: 'web@us-east-1',
        owner: 'team-web',
        why: 'Auto Scaling group web has 2 running instance(s) in 1 availability zone (us-east-1a) of us-east-1; at least 2 wanted',
      },
    ]);
    // A stopped instance in the other zone serves nothing: the group is still in one zone.
    const stoppedInB = ec2Snapshot((s) => ({ ...s, instances: s.instances.map((i) => (i.zone === 'us-east-1b' ? { ...i, state: 'stopped' } : i)) }));
    expect(findingsOf(stoppedInB).map((f) => [f.rule, f.resource])).toEqual([['conformity.single-zone', 'web@us-east-1']]);
    expect(findingsOf(oneZone, { ...DEFAULT_AUDIT_CONFIG, minZones: 1 })).toEqual([]);
    expect(findingsOf(ec2Snapshot(), { ...DEFAULT_AUDIT_CONFIG, minZones: 3 }).map((f) => f.why)).toEqual([
      'Auto Scaling group web has 2 running instance(s) in 2 availability zones (us-east-1a, us-east-1b) of us-east-1; at least 3 wanted',
    ]);
  });

  it('conformity.instance-age: an instance launched longer ago than audit.maxInstanceAge; an unknown launch time is not judged', () => {
    const old = ec2Snapshot((s) => ({ ...s, instances: s.instances.map((i) => (i.id === 'i-0a' ? { ...i, launchedAt: NOW - 200 * DAY } : i)) }));
    expect(findingsOf(old)).toEqual([
      { monkey: 'conformity', rule: 'conformity.instance-age', severity: 'low', resource: 'i-0a', owner: 'team-web', why: 'launched 200d ago; at most 180d wanted' },
    ]);
    const exactly = ec2Snapshot((s) => ({ ...s, instances: s.instances.map((i) => ({ ...i, launchedAt: NOW - 180 * DAY })) }));
    expect(findingsOf(exactly)).toEqual([]);
    const { launchedAt: _, ...unknownLaunch } = ec2Instance('i-0a');
    expect(findingsOf(ec2Snapshot((s) => ({ ...s, instances: [unknownLaunch, s.instances[1]!] })), { ...DEFAULT_AUDIT_CONFIG, maxInstanceAgeMs: 1 }).map((f) => f.resource)).toEqual(['i-0b']);
  });

  it('conformity.required-tags: an instance missing a tag of audit.requiredTags, or carrying it empty', () => {
    const untagged = ec2Snapshot((s) => ({ ...s, instances: s.instances.map((i) => (i.id === 'i-0b' ? { ...i, tags: { 'aws:autoscaling:groupName': 'web' } } : i)) }));
    expect(findingsOf(untagged)).toEqual([
      { monkey: 'conformity', rule: 'conformity.required-tags', severity: 'low', resource: 'i-0b', why: 'missing the tag owner (audit.requiredTags: owner)' },
    ]);
    const empty = ec2Snapshot((s) => ({ ...s, instances: s.instances.map((i) => (i.id === 'i-0b' ? { ...i, tags: { ...i.tags, owner: '' } } : i)) }));
    expect(findingsOf(empty).map((f) => f.resource)).toEqual(['i-0b']);
    const more = findingsOf(ec2Snapshot(), { ...DEFAULT_AUDIT_CONFIG, requiredTags: ['owner', 'cost-center', 'env'] });
    expect(more.map((f) => [f.resource, f.owner, f.why])).toEqual([
      ['i-0a', 'team-web', 'missing the tags cost-center, env (audit.requiredTags: owner, cost-center, env)'],
      ['i-0b', 'team-web', 'missing the tags cost-center, env (audit.requiredTags: owner, cost-center, env)'],
    ]);
    expect(findingsOf(untagged, { ...DEFAULT_AUDIT_CONFIG, requiredTags: [] })).toEqual([]);
  });

  it('a rule named in audit.disabledRules is not evaluated', () => {
    const loner = withInstances(ec2Instance('i-0c', { autoScalingGroup: undefined, tags: {} }));
    expect(findingsOf(loner).map((f) => f.rule)).toEqual(['conformity.auto-scaling-group', 'conformity.required-tags']);
    expect(findingsOf(loner, { ...DEFAULT_AUDIT_CONFIG, disabledRules: ['conformity.required-tags'] }).map((f) => f.rule)).toEqual(['conformity.auto-scaling-group']);
  });
});
