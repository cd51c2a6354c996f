/**
 * The EC2 Janitor rules on seeded snapshots: each finds its unused resource by its exact EC2 id, passes the
 * conforming account, and reports the owner (tag, else the default owner) and the opt-out.
 */
import { describe, expect, it } from 'vitest';
import { ec2JanitorRules } from '../../../../src/monkeys/audit/aws/ec2-janitor-rules.js';
import type { Ec2Snapshot } from '../../../../src/monkeys/audit/aws/ec2-snapshot.js';
import { DEFAULT_AUDIT_CONFIG, type AuditConfig } from '../../../../src/monkeys/audit/audit-config.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { EC2_JANITOR_RULE_IDS } from '../../../../src/monkeys/audit/rule-ids.js';
import { DAY, ec2Instance, ec2Snapshot, NOW, securityGroup } from './seeded-ec2-snapshot.js';

const findingsOf = (s: Ec2Snapshot, config: AuditConfig = DEFAULT_AUDIT_CONFIG) => runRules(ec2JanitorRules(config), s);
const withDefaultOwner: AuditConfig = { ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, defaultOwner: 'cloud-team@example.com' } };
const orphan = (launchedAt: number, tags: Record<string, string> = {}) => ec2Instance('i-0c', { autoScalingGroup: undefined, launchedAt, tags });
const withInstance = (i: Ec2Snapshot['instances'][number]) => ec2Snapshot((s) => ({ ...s, instances: [...s.instances, i] }));

describe('EC2 Janitor rules', () => {
  it('are the rules of EC2_JANITOR_RULE_IDS and find nothing in a tidy account', () => {
    expect(ec2JanitorRules(DEFAULT_AUDIT_CONFIG).map((r) => r.id)).toEqual([...EC2_JANITOR_RULE_IDS]);
    expect(findingsOf(ec2Snapshot())).toEqual([]);
  });

  it('janitor.orphaned-instance: an instance in no Auto Scaling group older than audit.janitor.orphanedInstanceAge', () => {
    expect(findingsOf(withInstance(orphan(NOW - 3 * DAY, { owner: 'alice' })))).toEqual([
      { monkey: 'janitor', rule: 'janitor.orphaned-instance', severity: 'low', resource: 'i-0c', owner: 'alice', why: 'running, in no Auto Scaling group, launched 3d ago (more than 2d)' },
    ]);
    expect(findingsOf(withInstance(orphan(NOW - 2 * DAY)))).toEqual([]);
    expect(findingsOf(withInstance({ ...orphan(NOW - 3 * DAY), state: 'shutting-down' }))).toEqual([]);
    // An old instance of an Auto Scaling group is the group's business.
    expect(findingsOf(withInstance(ec2Instance('i-0c', { launchedAt: NOW - 300 * DAY })))).toEqual([]);
    const strict: AuditConfig = { ...DEFAULT_AUDIT_CONFIG, janitor: { ...DEFAULT_AUDIT_CONFIG.janitor, orphanedInstanceAgeMs: 3_600_000 } };
    expect(findingsOf(withInstance(orphan(NOW - 2 * 3_600_000)), strict).map((f) => f.resource)).toEqual(['i-0c']);
  });

  it('janitor.detached-volume: a volume attached to nothing created longer ago than audit.janitor.detachedVolumeAge', () => {
    const volumes = (createdAt: number, state = 'available') => ec2Snapshot((s) => ({ ...s, volumes: [...s.volumes, { id: 'vol-0b', state, createdAt, attachedTo: [], tags: {} }] }));
    expect(findingsOf(volumes(NOW - 31 * DAY))).toEqual([
      { monkey: 'janitor', rule: 'janitor.detached-volume', severity: 'low', resource: 'vol-0b', why: 'attached to nothing (available), created 31d ago (more than 30d)' },
    ]);
    expect(findingsOf(volumes(NOW - 30 * DAY))).toEqual([]);
    expect(findingsOf(volumes(NOW - 31 * DAY, 'creating'))).toEqual([]);
    // The seeded vol-0a is 400 days old but attached: in use.
    expect(ec2Snapshot().volumes[0]!.createdAt).toBeLessThan(NOW - 31 * DAY);
  });

  it('janitor.orphaned-snapshot: a snapshot whose volume is gone and that no image uses', () => {
    const gone = ec2Snapshot((s) => ({ ...s, snapshots: [...s.snapshots, { id: 'snap-0c', volumeId: 'vol-0gone', tags: { owner: 'bob' } }, { id: 'snap-0d', tags: {} }] }));
    expect(findingsOf(gone)).toEqual([
      { monkey: 'janitor', rule: 'janitor.orphaned-snapshot', severity: 'low', resource: 'snap-0c', owner: 'bob', why: 'a snapshot of volume vol-0gone, which no longer exists, used by no image of the account' },
      { monkey: 'janitor', rule: 'janitor.orphaned-snapshot', severity: 'low', resource: 'snap-0d', why: 'a snapshot of no known volume, used by no image of the account' },
    ]);
    // Deregister the image and its snapshot (snap-0b, of a deleted volume) is orphaned too.
    expect(findingsOf(ec2Snapshot((s) => ({ ...s, images: [] }))).map((f) => f.resource)).toEqual(['snap-0b']);
    // Delete the volume and its snapshot (snap-0a) is orphaned.
    expect(findingsOf(ec2Snapshot((s) => ({ ...s, volumes: [] }))).map((f) => f.resource)).toEqual(['snap-0a']);
  });

  it('janitor.unused-security-group: a group no interface uses; never the default group nor a group another references', () => {
    const unused = ec2Snapshot((s) => ({ ...s, securityGroups: [...s.securityGroups, securityGroup('sg-0old', { name: 'old-test', referencedGroupIds: ['sg-0old'] })] }));
    expect(findingsOf(unused)).toEqual([
      {
        monkey: 'janitor',
        rule: 'janitor.unused-security-group',
        severity: 'low',
        resource: 'sg-0old',
        why: 'security group old-test of vpc-1 is used by no network interface and referenced by no other group',
      },
    ]);
    // Take db's interface away: db is unused, and then bastion is still referenced by db.
    const noDb = ec2Snapshot((s) => ({ ...s, networkInterfaces: s.networkInterfaces.map((n) => ({ ...n, groupIds: n.groupIds.filter((g) => g !== 'sg-0db') })) }));
    expect(findingsOf(noDb).map((f) => f.resource)).toEqual(['sg-0db']);
    // No interfaces at all: the default group is still never found, nor web and bastion, which db references.
    expect(findingsOf(ec2Snapshot((s) => ({ ...s, networkInterfaces: [] }))).map((f) => f.resource)).toEqual(['sg-0db']);
  });

  it('owner: the owner tag, else audit.janitor.defaultOwner, else none', () => {
    const two = ec2Snapshot((s) => ({ ...s, instances: [...s.instances, orphan(NOW - 3 * DAY, { owner: 'alice' }), { ...orphan(NOW - 3 * DAY), id: 'i-0d' }] }));
    expect(findingsOf(two).map((f) => [f.resource, f.owner])).toEqual([
      ['i-0c', 'alice'],
      ['i-0d', undefined],
    ]);
    expect(findingsOf(two, withDefaultOwner).map((f) => [f.resource, f.owner])).toEqual([
      ['i-0c', 'alice'],
      ['i-0d', 'cloud-team@example.com'],
    ]);
  });

  it('a resource tagged simian/janitor: opt-out is listed with optedOut, on every rule', () => {
    const optOut = { 'simian/janitor': 'opt-out' };
    const tagged = ec2Snapshot((s) => ({
      ...s,
      instances: [...s.instances, orphan(NOW - 3 * DAY, optOut)],
      volumes: [...s.volumes, { id: 'vol-0b', state: 'available', createdAt: NOW - 60 * DAY, attachedTo: [], tags: optOut }],
      snapshots: [...s.snapshots, { id: 'snap-0c', tags: optOut }, { id: 'snap-0d', tags: { 'simian/janitor': 'yes-please' } }],
      securityGroups: [...s.securityGroups, securityGroup('sg-0old', { tags: optOut })],
    }));
    expect(findingsOf(tagged, withDefaultOwner).map((f) => [f.rule, f.resource, f.optedOut])).toEqual([
      ['janitor.detached-volume', 'vol-0b', true],
      ['janitor.orphaned-instance', 'i-0c', true],
      ['janitor.orphaned-snapshot', 'snap-0c', true],
      ['janitor.orphaned-snapshot', 'snap-0d', undefined],
      ['janitor.unused-security-group', 'sg-0old', true],
    ]);
  });

  it('a rule named in audit.disabledRules is not evaluated', () => {
    const off: AuditConfig = { ...DEFAULT_AUDIT_CONFIG, disabledRules: ['janitor.orphaned-snapshot'] };
    expect(findingsOf(ec2Snapshot((s) => ({ ...s, images: [] })), off)).toEqual([]);
  });
});
