/**
 * @module
 * The revert ids of the Kubernetes provider. A process that dies mid-fault leaves only the id in the state store,
 * so each id carries everything its revert needs and nothing that a restart would lose:
 *
 * - `kubernetes:cordon:<zone>:<node>,<node>…`: the nodes this isolation cordoned (possibly none), and only those,
 *   so that a node somebody else cordoned stays cordoned after the revert.
 * - `kubernetes:evacuate:<region>`: the region handed to the {@link TrafficShift}.
 *
 * Zones and regions are label values and nodes are DNS names, so none can hold `:` or `,`, and parsing is exact.
 */
import { InvalidInputError } from '../../core/errors.js';

/** The prefix of every revert id this provider hands out. */
export const REVERT_ID_PREFIX = 'kubernetes:';

/** A decoded revert id. */
export type KubeRevertTarget =
  | { readonly kind: 'cordon'; readonly zone: string; readonly nodes: readonly string[] }
  | { readonly kind: 'evacuate'; readonly region: string };

/** A label value (what a zone or a region is): at most 63 alphanumerics, `-`, `_`, `.`, alphanumeric at the ends. */
const LABEL_VALUE = /^[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A node name: a DNS subdomain, lower case, at most 253 characters. */
const NODE_NAME = /^[a-z0-9](?:[-a-z0-9.]{0,251}[a-z0-9])?$/;

/** Whether `value` is a valid label value (so it may be a zone or region name in a selector and an id). */
export function isLabelValue(value: string): boolean {
  return LABEL_VALUE.test(value);
}

/** Whether `value` is a valid node name. */
export function isNodeName(value: string): boolean {
  return NODE_NAME.test(value);
}

function badId(id: string, why: string): never {
  throw new InvalidInputError('provider.badRevertId', `not a Kubernetes revert id (${why}): ${JSON.stringify(id)}`);
}

/** The revert id of a zone isolation that cordoned `nodes`. */
export function cordonRevertId(zone: string, nodes: readonly string[]): string {
  return `${REVERT_ID_PREFIX}cordon:${zone}:${nodes.join(',')}`;
}

/** The revert id of a region evacuation. */
export function evacuateRevertId(region: string): string {
  return `${REVERT_ID_PREFIX}evacuate:${region}`;
}

/**
 * Decodes a revert id made by {@link cordonRevertId} or {@link evacuateRevertId}.
 *
 * @throws InvalidInputError `provider.badRevertId` when `id` is not one of them: an id from another provider or a
 *   corrupted store must be refused loudly rather than "reverted" by doing nothing.
 */
export function parseRevertId(id: string): KubeRevertTarget {
  if (!id.startsWith(REVERT_ID_PREFIX)) badId(id, `it does not start with ${REVERT_ID_PREFIX}`);
  const rest = id.slice(REVERT_ID_PREFIX.length);
  const cordon = /^cordon:([^:]*):([^:]*)$/.exec(rest);
  if (cordon) {
    const zone = cordon[1] as string;
    const list = cordon[2] as string;
    if (!isLabelValue(zone)) badId(id, `bad zone ${JSON.stringify(zone)}`);
    const nodes = list === '' ? [] : list.split(',');
    const bad = nodes.find((node) => !isNodeName(node));
    if (bad !== undefined) badId(id, `bad node name ${JSON.stringify(bad)}`);
    return { kind: 'cordon', zone, nodes };
  }
  const evacuate = /^evacuate:([^:]*)$/.exec(rest);
  if (evacuate) {
    const region = evacuate[1] as string;
    if (!isLabelValue(region)) badId(id, `bad region ${JSON.stringify(region)}`);
    return { kind: 'evacuate', region };
  }
  return badId(id, 'expected kubernetes:cordon:<zone>:<nodes> or kubernetes:evacuate:<region>');
}
