/**
 * @module
 * The topologies that come with Simian, named on the command line instead of a file (`small`, `default`).
 * They are written as the YAML documents a user would write, and go through the same validation.
 */

/** Names of the built-in topologies. */
export const BUILT_IN_TOPOLOGY_NAMES = ['small', 'default'] as const;

/** The name of a built-in topology. */
export type BuiltInTopologyName = (typeof BUILT_IN_TOPOLOGY_NAMES)[number];

// Every service, once per zone: the smallest stack in which killing one instance leaves another in its region.
const EVERY_SERVICE_PER_ZONE = `services:
  gateway: { instancesPerZone: 1 }
  discovery: { instancesPerZone: 1 }
  user: { instancesPerZone: 1 }
  catalog: { instancesPerZone: 1 }
  recommendation: { instancesPerZone: 1 }
  playback: { instancesPerZone: 1 }
  billing: { instancesPerZone: 1 }
  edge: { instancesPerZone: 1 }
  origin: { instancesPerZone: 1 }
frontDoor: { instances: 2 }
restartDelayMs: 1000
`;

/** The YAML text of each built-in topology. */
export const BUILT_IN_TOPOLOGIES: Readonly<Record<BuiltInTopologyName, string>> = {
  // One region, two zones: 18 processes plus two front doors, light enough for a laptop and for CI.
  small: `# small: one region, two zones, one instance of every service per zone
regions:
  - name: us-east
    zones: [us-east-1a, us-east-1b]
${EVERY_SERVICE_PER_ZONE}`,
  // Two regions of three zones: enough for Chaos Gorilla (a zone) and Chaos Kong (a region) to leave a stack behind.
  default: `# default: two regions of three zones, one instance of every service per zone
regions:
  - name: us-east
    zones: [us-east-1a, us-east-1b, us-east-1c]
  - name: us-west
    zones: [us-west-2a, us-west-2b, us-west-2c]
${EVERY_SERVICE_PER_ZONE}`,
};

/** Whether `name` names a built-in topology. */
export function isBuiltInTopologyName(name: string): name is BuiltInTopologyName {
  return (BUILT_IN_TOPOLOGY_NAMES as readonly string[]).includes(name);
}
