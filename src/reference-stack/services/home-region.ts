/**
 * @module
 * A viewer's home region, which the user service puts in the viewer's token and the front door reads from a login
 * request: on its own, so that the front door does not load the user service (its schemas and token signing) to
 * compute it.
 */

/** A stable 32-bit seed of `text` (FNV-1a): the same viewer gets the same home and profile everywhere. */
export function seedOf(text: string): number {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return hash >>> 0;
}

/** The home region of a viewer: stable, and spread evenly over the regions. */
export function homeRegionOf(userId: string, regions: readonly string[]): string {
  return regions[seedOf(userId) % regions.length]!;
}
