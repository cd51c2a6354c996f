/**
 * @module
 * How many instances a termination takes, and which: kube-monkey's kill modes. Pure functions of a
 * {@link Random} and the eligible instances, so a seed replays a choice exactly.
 */
import type { Instance } from '../../core/model.js';
import { randomInt, type Random } from '../../core/random.js';

/**
 * - `one`: a single instance (Chaos Monkey's default).
 * - `fixed`: exactly `count` (fewer if fewer are eligible).
 * - `percent`: `percent`% of the eligible, rounded down.
 * - `max-percent`: a random number from 0 to `percent`% of the eligible (rounded down), so the size of the hit
 *   is itself a surprise.
 * - `instances`: exactly these instance ids, those of them that are eligible (Doctor Monkey treats the sick it
 *   found, not a random pick); ids that are not eligible are dropped, never substituted.
 * - `as-many-as-allowed`: as many of the eligible (of `within` only, when given) as the blast radius allows, at
 *   random: Chaos Kong's kills in the region it evacuated.
 */
export type VictimSelection =
  | { readonly mode: 'one' }
  | { readonly mode: 'fixed'; readonly count: number }
  | { readonly mode: 'percent'; readonly percent: number }
  | { readonly mode: 'max-percent'; readonly percent: number }
  | { readonly mode: 'instances'; readonly ids: readonly string[] }
  | { readonly mode: 'as-many-as-allowed'; readonly within?: readonly string[] };

/** Share of `n` rounded down, tolerating float error (57% of 100 is 57, not 56.99…). */
function percentOf(n: number, percent: number): number {
  return Math.floor((n * percent) / 100 + 1e-9);
}

/**
 * How many victims `selection` asks for among `eligibleCount` instances (never more than there are); `allowed` is
 * what the blast radius allows, read by `as-many-as-allowed` only.
 */
export function victimCount(random: Random, eligibleCount: number, selection: VictimSelection, allowed = Number.POSITIVE_INFINITY): number {
  let wanted: number;
  switch (selection.mode) {
    case 'one':
      wanted = 1;
      break;
    case 'fixed':
      wanted = Math.max(0, Math.floor(selection.count));
      break;
    case 'percent':
      wanted = percentOf(eligibleCount, selection.percent);
      break;
    case 'max-percent':
      wanted = randomInt(random, percentOf(eligibleCount, selection.percent) + 1);
      break;
    case 'instances':
      wanted = selection.ids.length;
      break;
    case 'as-many-as-allowed':
      wanted = allowed;
      break;
  }
  return Math.min(Math.max(0, wanted), eligibleCount);
}

/**
 * Picks victims among `eligible`, uniformly, without repeats (a partial Fisher–Yates shuffle on a copy). `allowed`
 * is what the blast radius allows (for `as-many-as-allowed`).
 *
 * @example
 * selectVictims(new SeededRandom(1), eligible, { mode: 'percent', percent: 25 });
 */
export function selectVictims(random: Random, eligible: readonly Instance[], selection: VictimSelection, allowed?: number): Instance[] {
  if (selection.mode === 'instances') {
    const wanted = new Set(selection.ids);
    return eligible.filter((instance) => wanted.has(instance.id));
  }
  const within = selection.mode === 'as-many-as-allowed' && selection.within ? new Set(selection.within) : undefined;
  const pool = within ? eligible.filter((i) => within.has(i.id)) : [...eligible];
  const count = victimCount(random, pool.length, selection, allowed);
  for (let i = 0; i < count; i++) {
    const j = i + randomInt(random, pool.length - i);
    const picked = pool[j]!;
    pool[j] = pool[i]!;
    pool[i] = picked;
  }
  return pool.slice(0, count);
}
