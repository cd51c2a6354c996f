/**
 * @module
 * The catalog's titles, generated from a seed: every catalog instance (and every test) holds the same titles
 * without a shared database.
 */
import { SeededRandom, randomInt, type Random } from '../../core/random.js';

/** One rung of an adaptive-bitrate ladder. */
export interface Rendition {
  readonly bitrateKbps: number;
  readonly resolution: string;
}

/** A title of the catalog. */
export interface Title {
  readonly id: string;
  readonly name: string;
  readonly genres: readonly string[];
  readonly languages: readonly string[];
  /** Renditions from the lowest bitrate to the highest. */
  readonly ladder: readonly Rendition[];
  /** Segments of 4 s each. */
  readonly segments: number;
  /** Popularity score; the trending row sorts on it. */
  readonly popularity: number;
}

export const GENRES = ['drama', 'comedy', 'documentary', 'thriller', 'animation', 'sci-fi', 'romance', 'crime'] as const;
const LANGUAGES = ['en', 'es', 'fr', 'de', 'ja', 'ko', 'pt'];
const ADJECTIVES = ['Silent', 'Crimson', 'Hidden', 'Last', 'Electric', 'Golden', 'Broken', 'Northern', 'Quiet', 'Wild'];
const NOUNS = ['Harbor', 'Signal', 'Garden', 'Frontier', 'Monkey', 'Orbit', 'Letter', 'Kingdom', 'River', 'Circuit'];
const FULL_LADDER: readonly Rendition[] = [
  { bitrateKbps: 235, resolution: '320x240' },
  { bitrateKbps: 750, resolution: '640x480' },
  { bitrateKbps: 1750, resolution: '1280x720' },
  { bitrateKbps: 4300, resolution: '1920x1080' },
  { bitrateKbps: 15600, resolution: '3840x2160' },
];

function pick<T>(random: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const chosen: T[] = [];
  while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(randomInt(random, pool.length), 1)[0]!);
  return chosen;
}

/** Generates `count` titles from `seed`; the same arguments always give the same titles. */
export function generateTitles(count = 120, seed = 2026): Title[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `t${String(i + 1).padStart(3, '0')}`,
    name: `The ${ADJECTIVES[randomInt(random, ADJECTIVES.length)]} ${NOUNS[randomInt(random, NOUNS.length)]}`,
    genres: pick(random, GENRES, 1 + randomInt(random, 2)),
    languages: ['en', ...pick(random, LANGUAGES.slice(1), randomInt(random, 3))],
    // Older titles were not mastered in 4K: their ladder stops earlier.
    ladder: FULL_LADDER.slice(0, 3 + randomInt(random, 3)),
    segments: 30 + randomInt(random, 90),
    popularity: Math.round(random.next() * 1000),
  }));
}
