/**
 * @module
 * The Security Monkey's rules on EC2 (Security Monkey's security-group auditor): pure functions of an
 * {@link Ec2Snapshot}.
 */
import type { AuditConfig } from '../audit-config.js';
import { configureRule, type Rule, type RuleDefinition, type Violation } from '../rule.js';
import type { EC2_SECURITY_RULE_IDS } from '../rule-ids.js';
import type { Ec2Snapshot, IngressPermission } from './ec2-snapshot.js';
import { tagOwner } from './ec2-tags.js';

/** The ports a group may open to the whole internet: a web server's. */
export const PUBLIC_PORTS: readonly number[] = [80, 443];

/**
 * Whether `cidr` is the whole address space: `0.0.0.0/0`, `::/0`, or any other way of writing a prefix of length
 * 0 (`::0/0`, `10.0.0.0/0` admit everyone just the same).
 */
export function isWholeInternet(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}

/**
 * The ports a permission opens beyond {@link PUBLIC_PORTS}, for people (`all ports`, `tcp 22`, `tcp 80-8080`,
 * `icmp`), or undefined when it opens only a public port. Protocol `-1` is every protocol and port; TCP and UDP
 * (`tcp`/`6`, `udp`/`17`) are open unless their range is exactly 80 or exactly 443; any other protocol (ICMP, GRE,
 * ESP …) has no ports and is open as a whole.
 */
export function openPorts(permission: IngressPermission): string | undefined {
  const protocol = permission.protocol.toLowerCase();
  if (protocol === '-1' || protocol === 'all') return 'all ports';
  const name = protocol === '6' ? 'tcp' : protocol === '17' ? 'udp' : protocol;
  if (name !== 'tcp' && name !== 'udp') return name;
  const from = permission.fromPort;
  const to = permission.toPort ?? from;
  // A TCP/UDP permission without ports, or with -1, is EC2's way of writing every port.
  if (from === undefined || to === undefined || from < 0 || to < 0) return `${name} all ports`;
  if (from === to && PUBLIC_PORTS.includes(from)) return undefined;
  return from === to ? `${name} ${from}` : `${name} ${from}-${to}`;
}

/** `security.open-security-group`: no security group admits the whole internet on a port other than 80 and 443. */
export const openSecurityGroupRule: RuleDefinition<Ec2Snapshot> = {
  id: 'security.open-security-group' satisfies (typeof EC2_SECURITY_RULE_IDS)[number],
  monkey: 'security',
  severity: 'high',
  description: 'a security group with an ingress permission from 0.0.0.0/0 or ::/0 on a port other than 80 and 443',
  evaluate: (snapshot) =>
    snapshot.securityGroups.flatMap((group): Violation[] => {
      const open = group.ingress.flatMap((permission) => {
        const ports = openPorts(permission);
        const world = permission.cidrs.filter(isWholeInternet);
        return ports === undefined || world.length === 0 ? [] : [`${ports} from ${world.join(' and ')}`];
      });
      if (open.length === 0) return [];
      return [{ resource: group.id, ...tagOwner(group.tags), why: `${group.name || group.id} admits the whole internet on ${open.join('; ')}; only ports 80 and 443 may be open to it` }];
    }),
};

/** Every EC2 Security rule, configured by the `audit:` section. */
export function ec2SecurityRules(config: AuditConfig): Rule<Ec2Snapshot>[] {
  return [configureRule(openSecurityGroupRule, config)];
}
