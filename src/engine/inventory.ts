/**
 * @module
 * What a provider sees, for any front end: its regions, zones and groups with their instances, read once.
 */
import type { SimianConfig } from '../config/simian-config.js';
import type { Group, Region, Zone } from '../core/model.js';
import { providerSettings, type ProviderRegistry } from './provider-registry.js';

/** One look at a platform. */
export interface InventorySnapshot {
  readonly provider: string;
  readonly groups: readonly Group[];
  /** Listed only when asked for (`locations: true`): each list is a call to the platform. */
  readonly regions?: readonly Region[];
  readonly zones?: readonly Zone[];
}

/**
 * Builds the provider `name` of the configuration and lists its groups (and, with `locations`, its regions and
 * zones).
 *
 * @throws SimianError from the provider (no stack running, an unreachable API)
 */
export async function readInventory(config: SimianConfig, providers: ProviderRegistry, name: string, options: { readonly locations?: boolean } = {}): Promise<InventorySnapshot> {
  await providers.prepare?.([name]);
  const provider = providers.create(name, providerSettings(config));
  if (!options.locations) return { provider: provider.name, groups: await provider.inventory.groups() };
  const [groups, zones, regions] = await Promise.all([provider.inventory.groups(), provider.inventory.zones(), provider.inventory.regions()]);
  return { provider: provider.name, groups, zones, regions };
}
