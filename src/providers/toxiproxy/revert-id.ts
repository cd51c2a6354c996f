/**
 * @module
 * Revert ids of proxy faults. The state store keeps only the id, and a restarted process must undo the fault from
 * it alone, so an id names everything its revert needs:
 *
 * | id | undoes |
 * |---|---|
 * | `toxic:<proxy>:<toxic>` | a toxic: remove toxic `<toxic>` from proxy `<proxy>` |
 * | `proxies-down:<p1>,<p2>,…` | proxies this fault disabled (a `down` toxic, an isolated zone): enable them |
 * | `evacuate:<region>` | an evacuated region: restore it |
 *
 * Every name is percent-encoded (`encodeURIComponent`), so a `:` or `,` inside a name cannot be misread.
 */
import { SimianError } from '../../core/errors.js';

/** What a revert id says to undo. */
export type RevertAction =
  | { readonly kind: 'toxic'; readonly proxy: string; readonly toxic: string }
  | { readonly kind: 'proxies-down'; readonly proxies: readonly string[] }
  | { readonly kind: 'evacuate'; readonly region: string };

/**
 * The revert id of `action`.
 *
 * @example
 * formatRevertId({ kind: 'toxic', proxy: 'catalog-us-east-1a-0', toxic: 'simian-k3x9' }); // 'toxic:catalog-us-east-1a-0:simian-k3x9'
 * formatRevertId({ kind: 'proxies-down', proxies: ['a', 'b'] }); // 'proxies-down:a,b'
 */
export function formatRevertId(action: RevertAction): string {
  switch (action.kind) {
    case 'toxic':
      return `toxic:${encode(action.proxy)}:${encode(action.toxic)}`;
    case 'proxies-down':
      return `proxies-down:${action.proxies.map(encode).join(',')}`;
    case 'evacuate':
      return `evacuate:${encode(action.region)}`;
  }
}

/**
 * Reads a revert id written by {@link formatRevertId}. Throws a SimianError `provider.badRevertId` for anything
 * else: an id we cannot read is not one we can safely call "already reverted".
 */
export function parseRevertId(id: string): RevertAction {
  const colon = id.indexOf(':');
  const kind = colon < 0 ? id : id.slice(0, colon);
  const rest = colon < 0 ? undefined : id.slice(colon + 1);
  if (rest !== undefined) {
    if (kind === 'toxic') {
      const parts = rest.split(':');
      if (parts.length === 2 && parts[0] && parts[1]) return { kind, proxy: decode(parts[0], id), toxic: decode(parts[1], id) };
    } else if (kind === 'proxies-down') {
      // Empty is valid: the fault found every proxy already down and disabled none of its own.
      const names = rest === '' ? [] : rest.split(',');
      if (names.every((n) => n !== '')) return { kind, proxies: names.map((n) => decode(n, id)) };
    } else if (kind === 'evacuate' && rest !== '') {
      return { kind, region: decode(rest, id) };
    }
  }
  throw badId(id);
}

function encode(name: string): string {
  return encodeURIComponent(name);
}

function decode(part: string, id: string): string {
  try {
    return decodeURIComponent(part);
  } catch (error) {
    throw badId(id, error);
  }
}

function badId(id: string, cause?: unknown): SimianError {
  return new SimianError(
    'provider.badRevertId',
    `"${id}" is not a proxy revert id (expected toxic:<proxy>:<toxic>, proxies-down:<proxy>,… or evacuate:<region>)`,
    cause === undefined ? {} : { cause },
  );
}
