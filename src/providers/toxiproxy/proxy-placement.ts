/**
 * @module
 * Where a proxy stands, read from its name. Toxiproxy knows nothing of zones; the reference stack names each
 * proxy after the slot it fronts (`catalog-us-east-1a-0`), and AWS-style zone names carry their region
 * (`us-east-1a` is in `us-east-1`), so a name alone often says service, zone and region.
 */

/** What is known of a proxy's place; `unknown` where the name does not say. */
export interface ProxyPlacement {
  readonly group: string;
  readonly zone: string;
  readonly region: string;
}

/** The zone and region of a proxy whose name says neither. */
export const UNKNOWN_LOCATION = 'unknown';

/** The front door's zone and region in the reference stack: it serves every region and belongs to none. */
const GLOBAL = 'global';

// `<service>-<zone>-<n>` where the zone is AWS-like: `<geo>-<direction…>-<digit><letter>` (`us-east-1a`, `ap-southeast-2b`).
const ZONE_SLOT = /^([a-z][a-z0-9]*)-(([a-z]{2}(?:-[a-z]+)+-\d+)[a-z])-\d+$/;
const GLOBAL_SLOT = /^([a-z][a-z0-9]*)-global-\d+$/;

/**
 * The placement a proxy name implies. The group is the name without a trailing `-<digits>` (the copies of one
 * thing), or the service when the name is a stack slot id; zone and region come from an AWS-like zone inside a
 * slot id, `global` for the front door's slot, `unknown` otherwise.
 *
 * @example
 * placementFromName('catalog-us-east-1a-0'); // { group: 'catalog', zone: 'us-east-1a', region: 'us-east-1' }
 * placementFromName('frontdoor-global-0');   // { group: 'frontdoor', zone: 'global', region: 'global' }
 * placementFromName('redis-2');              // { group: 'redis', zone: 'unknown', region: 'unknown' }
 */
export function placementFromName(name: string): ProxyPlacement {
  const zoned = ZONE_SLOT.exec(name);
  if (zoned) return { group: zoned[1]!, zone: zoned[2]!, region: zoned[3]! };
  const global = GLOBAL_SLOT.exec(name);
  if (global) return { group: global[1]!, zone: GLOBAL, region: GLOBAL };
  return { group: name.replace(/-\d+$/, '') || name, zone: UNKNOWN_LOCATION, region: UNKNOWN_LOCATION };
}
