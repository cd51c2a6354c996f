/**
 * A conforming EC2 snapshot to seed rule tests with: an Auto Scaling group in two zones, young and tagged
 * instances, an attached volume, snapshots kept by their volume or an image, security groups open to the internet
 * on 80 and 443 only, each used by a network interface or referenced by another group. Each test breaks one thing
 * and expects exactly that finding.
 */
import type { Ec2InstanceFacts, Ec2SecurityGroupFacts, Ec2Snapshot } from '../../../../src/monkeys/audit/aws/ec2-snapshot.js';

export const NOW = Date.UTC(2026, 2, 2, 12);
export const DAY = 86_400_000;

/** A conforming instance of the `web` group. */
export function ec2Instance(id: string, overrides: Partial<Ec2InstanceFacts> = {}): Ec2InstanceFacts {
  return {
    id,
    state: 'running',
    zone: 'us-east-1a',
    launchedAt: NOW - DAY,
    autoScalingGroup: 'web',
    tags: { 'aws:autoscaling:groupName': 'web', owner: 'team-web' },
    ...overrides,
  };
}

/** A security group used by nothing and referencing nothing, open to nobody. */
export function securityGroup(id: string, overrides: Partial<Ec2SecurityGroupFacts> = {}): Ec2SecurityGroupFacts {
  return { id, name: id, vpcId: 'vpc-1', ingress: [], referencedGroupIds: [], tags: {}, ...overrides };
}

/** The conforming snapshot, with `change` applied to it. */
export function ec2Snapshot(change: (s: Ec2Snapshot) => Ec2Snapshot = (s) => s): Ec2Snapshot {
  return change({
    takenAt: NOW,
    region: 'us-east-1',
    instances: [ec2Instance('i-0a'), ec2Instance('i-0b', { zone: 'us-east-1b' })],
    volumes: [{ id: 'vol-0a', state: 'in-use', createdAt: NOW - 400 * DAY, attachedTo: ['i-0a'], tags: {} }],
    snapshots: [
      { id: 'snap-0a', volumeId: 'vol-0a', startedAt: NOW - 300 * DAY, tags: {} },
      // Its volume is long gone, but the web image boots from it.
      { id: 'snap-0b', volumeId: 'vol-0dead', startedAt: NOW - 300 * DAY, tags: {} },
    ],
    images: [{ id: 'ami-0a', snapshotIds: ['snap-0b'] }],
    securityGroups: [
      securityGroup('sg-0default', { name: 'default', referencedGroupIds: ['sg-0default'], ingress: [{ protocol: '-1', cidrs: [] }] }),
      securityGroup('sg-0web', {
        name: 'web',
        ingress: [
          { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['0.0.0.0/0', '::/0'] },
          { protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['0.0.0.0/0'] },
          { protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['10.0.0.0/8'] },
        ],
      }),
      securityGroup('sg-0db', { name: 'db', ingress: [{ protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: [] }], referencedGroupIds: ['sg-0web', 'sg-0bastion'] }),
      // Used by no interface, but the db group admits it: still needed.
      securityGroup('sg-0bastion', { name: 'bastion' }),
    ],
    networkInterfaces: [
      { id: 'eni-0a', groupIds: ['sg-0web'] },
      { id: 'eni-0b', groupIds: ['sg-0web', 'sg-0db'] },
    ],
  });
}
