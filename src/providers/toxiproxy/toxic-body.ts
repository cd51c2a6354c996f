/**
 * @module
 * From our {@link ToxicSpec} to the body Toxiproxy wants (`POST /proxies/{proxy}/toxics`), and the names of the
 * toxics we add.
 */
import { InvalidInputError } from '../../core/errors.js';
import { randomInt, type Random } from '../../core/random.js';
import type { ToxicSpec } from '../provider.js';

/** The toxic types that are real Toxiproxy toxics (`down` is not: it disables the proxy). */
export type ProxyToxicType = Exclude<ToxicSpec['type'], 'down'>;

/** A toxic as Toxiproxy takes it: every field present, as `toxiproxy-node-client` requires. */
export interface ToxicBody {
  readonly name: string;
  readonly type: ProxyToxicType;
  readonly stream: 'upstream' | 'downstream';
  readonly toxicity: number;
  readonly attributes: Readonly<Record<string, number>>;
}

/** Per type: each attribute Toxiproxy knows, with its default (`undefined` = required). */
const ATTRIBUTES: Readonly<Record<ProxyToxicType, Readonly<Record<string, number | undefined>>>> = {
  latency: { latency: undefined, jitter: 0 },
  bandwidth: { rate: undefined },
  // 0 holds every byte until the toxic is removed: the "hangs forever" failure.
  timeout: { timeout: 0 },
  // 0 resets the connection at once.
  reset_peer: { timeout: 0 },
  // Lets `bytes` through on each connection, then closes it: answers cut short.
  limit_data: { bytes: undefined },
};

/** The prefix of every toxic Simian adds, so an operator can tell ours from theirs. */
export const TOXIC_NAME_PREFIX = 'simian-';

const NAME_LENGTH = 12;

/**
 * A fresh toxic name, `simian-` and 12 base-36 characters drawn from `random`: unique per fault, so removing one
 * fault's toxic never removes another's on the same proxy.
 */
export function newToxicName(random: Random): string {
  let suffix = '';
  for (let i = 0; i < NAME_LENGTH; i++) suffix += randomInt(random, 36).toString(36);
  return `${TOXIC_NAME_PREFIX}${suffix}`;
}

/**
 * The Toxiproxy body of `spec`, named `name`, at full toxicity. Attributes Toxiproxy would not know for the type,
 * missing required ones and negative or non-finite values are an InvalidInputError `provider.badToxic`: a typo
 * such as `latencyMs` must not quietly inject a zero-latency toxic.
 *
 * @example
 * toxicBody({ type: 'latency', attributes: { latency: 300 } }, 'simian-abc');
 * // { name: 'simian-abc', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 300, jitter: 0 } }
 */
export function toxicBody(spec: ToxicSpec & { readonly type: ProxyToxicType }, name: string): ToxicBody {
  const known = ATTRIBUTES[spec.type];
  const given = spec.attributes ?? {};
  const unknown = Object.keys(given).filter((key) => !(key in known));
  if (unknown.length > 0) {
    throw new InvalidInputError('provider.badToxic', `a ${spec.type} toxic has no attribute ${unknown.join(', ')} (it takes ${Object.keys(known).join(', ')})`);
  }
  const attributes: Record<string, number> = {};
  for (const [key, fallback] of Object.entries(known)) {
    const value = given[key] ?? fallback;
    if (value === undefined) throw new InvalidInputError('provider.badToxic', `a ${spec.type} toxic needs the attribute ${key}`);
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidInputError('provider.badToxic', `the ${key} of a ${spec.type} toxic must be a finite number ≥ 0, got ${value}`);
    }
    attributes[key] = value;
  }
  return { name, type: spec.type, stream: spec.stream ?? 'downstream', toxicity: 1, attributes };
}
