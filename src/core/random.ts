/**
 * @module
 * Randomness, injected: jitter, victim selection and fault coin-flips draw from a {@link Random}, so a seed
 * replays them exactly.
 */

/** A source of uniformly distributed numbers in [0, 1). */
export interface Random {
  next(): number;
}

/** `Math.random()`: for production. */
export class SystemRandom implements Random {
  next(): number {
    return Math.random();
  }
}

/** One shared system random source. */
export const systemRandom: Random = new SystemRandom();

/**
 * A deterministic generator (mulberry32): the same seed gives the same sequence on every machine.
 *
 * @example
 * const a = new SeededRandom(42), b = new SeededRandom(42);
 * a.next() === b.next(); // true
 */
export class SeededRandom implements Random {
  private state: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new TypeError(`SeededRandom: seed must be a finite number, got ${seed}`);
    this.state = Math.trunc(seed) >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
}

/** An integer in [0, maxExclusive) drawn from `random`. */
export function randomInt(random: Random, maxExclusive: number): number {
  return Math.floor(random.next() * maxExclusive);
}
