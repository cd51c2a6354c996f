/**
 * @module
 * Random inventories for property-style tests and for trying a configuration: a seed gives the same regions,
 * zones, groups, states and tags every time.
 */
import { DEFAULT_OPT_IN_TAG, type Instance, type InstanceState } from '../../core/model.js';
import { randomInt, type Random } from '../../core/random.js';
import type { MemoryProviderSpec } from './memory-provider.js';

/** Bounds for {@link randomInventory}. */
export interface RandomInventoryOptions {
  /** @default 2 */
  readonly maxRegions?: number;
  /** @default 3 */
  readonly maxZonesPerRegion?: number;
  /** @default 5 */
  readonly maxGroups?: number;
  /** @default 12 */
  readonly maxInstancesPerGroup?: number;
  /** The tag that opts in; about half of the groups and a tenth of the instances carry it. @default 'simian/opt-in' */
  readonly optInTag?: string;
  /** Launch times fall in the day before this. @default 2026-01-01T00:00:00Z */
  readonly nowMs?: number;
}

const STATES: readonly InstanceState[] = ['running', 'running', 'running', 'running', 'running', 'pending', 'stopped', 'unknown'];

/**
 * Builds a random but reproducible {@link MemoryProviderSpec}.
 *
 * @example
 * const provider = new MemoryProvider(randomInventory(new SeededRandom(7)));
 */
export function randomInventory(random: Random, options: RandomInventoryOptions = {}): MemoryProviderSpec {
  const optInTag = options.optInTag ?? DEFAULT_OPT_IN_TAG;
  const nowMs = options.nowMs ?? Date.UTC(2026, 0, 1);
  const regionCount = 1 + randomInt(random, options.maxRegions ?? 2);
  const zonesPerRegion = 1 + randomInt(random, options.maxZonesPerRegion ?? 3);
  const regions = Array.from({ length: regionCount }, (_, r) => ({ name: `region-${r}` }));
  const zones = regions.flatMap((region) =>
    Array.from({ length: zonesPerRegion }, (_, z) => ({ name: `${region.name}-${'abcdefgh'[z] ?? z}`, region: region.name })),
  );
  const groupCount = 1 + randomInt(random, options.maxGroups ?? 5);
  const instances: Instance[] = [];
  const groupTags: Record<string, Record<string, string>> = {};
  for (let g = 0; g < groupCount; g++) {
    const group = `group-${g}`;
    const region = regions[randomInt(random, regions.length)]!;
    const regionZones = zones.filter((z) => z.region === region.name);
    // Some groups opt in, some explicitly opt out, some say nothing: eligibility must handle all three.
    const roll = random.next();
    groupTags[group] = roll < 0.5 ? { [optInTag]: 'true' } : roll < 0.6 ? { [optInTag]: 'false' } : {};
    const size = randomInt(random, (options.maxInstancesPerGroup ?? 12) + 1);
    for (let i = 0; i < size; i++) {
      const tagRoll = random.next();
      instances.push({
        id: `${group}-i${i}`,
        group,
        region: region.name,
        zone: regionZones[randomInt(random, regionZones.length)]!.name,
        state: STATES[randomInt(random, STATES.length)]!,
        launchedAt: nowMs - randomInt(random, 86_400_000),
        tags: tagRoll < 0.1 ? { [optInTag]: 'true' } : tagRoll < 0.15 ? { [optInTag]: 'false' } : {},
      });
    }
  }
  return { instances, groupTags, zones, regions };
}
