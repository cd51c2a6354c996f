/**
 * @module
 * What the EC2 rules read from a resource's tags: its owner, and whether it opted out of the Janitor.
 */
import { JANITOR_OPT_OUT_KEY, JANITOR_OPT_OUT_VALUE, OWNER_KEY } from '../audit-config.js';

type Tags = Readonly<Record<string, string>>;

/** `{ owner }` from the `owner` tag, `{}` without one (an empty tag names nobody). */
export function tagOwner(tags: Tags): { owner?: string } {
  const owner = tags[OWNER_KEY];
  return owner ? { owner } : {};
}

/** `{ owner }` from the `owner` tag, else `defaultOwner` (audit.janitor.defaultOwner), else `{}`. */
export function janitorOwner(tags: Tags, defaultOwner: string | undefined): { owner?: string } {
  const owner = tags[OWNER_KEY] || defaultOwner;
  return owner ? { owner } : {};
}

/** `{ optedOut: true }` when the tag `simian/janitor` is `opt-out`, `{}` otherwise. */
export function janitorOptOut(tags: Tags): { optedOut?: true } {
  return tags[JANITOR_OPT_OUT_KEY] === JANITOR_OPT_OUT_VALUE ? { optedOut: true } : {};
}
