/**
 * The EC2 Security rule on seeded snapshots, and its port and CIDR logic in detail.
 */
import { describe, expect, it } from 'vitest';
import { ec2SecurityRules, isWholeInternet, openPorts } from '../../../../src/monkeys/audit/aws/ec2-security-rules.js';
import type { IngressPermission } from '../../../../src/monkeys/audit/aws/ec2-snapshot.js';
import { DEFAULT_AUDIT_CONFIG } from '../../../../src/monkeys/audit/audit-config.js';
import { runRules } from '../../../../src/monkeys/audit/rule.js';
import { EC2_SECURITY_RULE_IDS } from '../../../../src/monkeys/audit/rule-ids.js';
import { ec2Snapshot, securityGroup } from './seeded-ec2-snapshot.js';

const rules = ec2SecurityRules(DEFAULT_AUDIT_CONFIG);
const withGroup = (ingress: IngressPermission[], tags: Record<string, string> = {}) =>
  runRules(rules, ec2Snapshot((s) => ({ ...s, securityGroups: [...s.securityGroups, securityGroup('sg-0open', { name: 'open', ingress, tags })] })));
const world = (protocol: string, fromPort?: number, toPort?: number, cidrs = ['0.0.0.0/0']): IngressPermission => ({
  protocol,
  ...(fromPort === undefined ? {} : { fromPort }),
  ...(toPort === undefined ? {} : { toPort }),
  cidrs,
});

describe('security.open-security-group', () => {
  it('is the rule of EC2_SECURITY_RULE_IDS and passes groups open to the internet on 80 and 443 only', () => {
    expect(rules.map((r) => r.id)).toEqual([...EC2_SECURITY_RULE_IDS]);
    expect(runRules(rules, ec2Snapshot())).toEqual([]);
  });

  it('finds a group admitting 0.0.0.0/0 on another port; resource the group id, why the ports and the CIDR, owner from its tag', () => {
    expect(withGroup([world('tcp', 22, 22), world('tcp', 443, 443)], { owner: 'team-ops' })).toEqual([
      {
        monkey: 'security',
        rule: 'security.open-security-group',
        severity: 'high',
        resource: 'sg-0open',
        owner: 'team-ops',
        why: 'open admits the whole internet on tcp 22 from 0.0.0.0/0; only ports 80 and 443 may be open to it',
      },
    ]);
  });

  it('names every open permission, IPv4 and IPv6', () => {
    const [finding] = withGroup([world('tcp', 22, 22, ['0.0.0.0/0', '10.0.0.0/8', '::/0']), world('-1', -1, -1, ['::/0'])]);
    expect(finding?.why).toBe('open admits the whole internet on tcp 22 from 0.0.0.0/0 and ::/0; all ports from ::/0; only ports 80 and 443 may be open to it');
  });

  it.each<[string, IngressPermission, string | undefined]>([
    ['protocol -1 is every port', world('-1'), 'all ports'],
    ['protocol -1 with ports -1', world('-1', -1, -1), 'all ports'],
    ['exactly 80', world('tcp', 80, 80), undefined],
    ['exactly 443', world('tcp', 443, 443), undefined],
    ['udp 443 (QUIC)', world('udp', 443, 443), undefined],
    ['protocol number 6 is tcp', world('6', 443, 443), undefined],
    ['a single other port', world('tcp', 8080, 8080), 'tcp 8080'],
    ['a range from 80 to 443 holds other ports', world('tcp', 80, 443), 'tcp 80-443'],
    ['a range just around 443', world('tcp', 442, 443), 'tcp 442-443'],
    ['a range of every port', world('tcp', 0, 65535), 'tcp 0-65535'],
    ['udp 53', world('udp', 53, 53), 'udp 53'],
    ['protocol 17 is udp', world('17', 53, 53), 'udp 53'],
    ['tcp without ports is every port', world('tcp'), 'tcp all ports'],
    ['icmp has no ports: open as a whole', world('icmp', -1, -1), 'icmp'],
    ['another protocol (GRE)', world('47'), '47'],
  ])('%s', (_, permission, expected) => {
    expect(openPorts(permission)).toBe(expected);
    expect(withGroup([permission]).map((f) => f.resource)).toEqual(expected === undefined ? [] : ['sg-0open']);
  });

  it('only a range admitting the whole address space is open', () => {
    expect(['0.0.0.0/0', '::/0', '::0/0', '10.0.0.0/0'].every(isWholeInternet)).toBe(true);
    expect(['10.0.0.0/8', '0.0.0.0/1', '::/1', '192.168.0.0/16', '2001:db8::/32', '1.2.3.4/32'].some(isWholeInternet)).toBe(false);
    expect(withGroup([world('tcp', 22, 22, ['10.0.0.0/8', '0.0.0.0/1', '2001:db8::/32'])])).toEqual([]);
    expect(withGroup([world('-1', undefined, undefined, [])])).toEqual([]);
  });

  it('is off when audit.disabledRules names it', () => {
    const off = ec2SecurityRules({ ...DEFAULT_AUDIT_CONFIG, disabledRules: ['security.open-security-group'] });
    expect(runRules(off, ec2Snapshot((s) => ({ ...s, securityGroups: [securityGroup('sg-0open', { ingress: [world('-1')] })] })))).toEqual([]);
  });
});
