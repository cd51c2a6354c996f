/**
 * @module
 * `simian inventory`: what a provider sees (groups, instances, zones, and whether each instance opted in), the
 * first thing to run before pointing a monkey at a platform.
 */
import { Command, Option } from 'commander';
import type { Instance } from '../../core/model.js';
import { isOptedIn } from '../../monkeys/safety/eligibility.js';
import type { CommandFactory } from '../command-deps.js';
import { readInventory } from '../../engine/inventory.js';
import { PROVIDER_NAMES } from '../../engine/provider-registry.js';
import { formatTable } from '../table.js';
import { addConfigOptions, resolveCommandConfig, type ConfigOptionValues } from './config.js';

interface InventoryFlags extends ConfigOptionValues {
  provider: string;
  group?: string;
  zone?: string;
  json?: boolean;
}

/** The `inventory` command. */
export const inventoryCommand: CommandFactory = (deps) => {
  const command = new Command('inventory')
    .description('List what a provider sees: groups, instances, their zone, state and whether they opted in')
    .addOption(new Option('--provider <name>', `the platform: ${PROVIDER_NAMES.join(', ')}`).choices(PROVIDER_NAMES).makeOptionMandatory())
    .option('--group <name>', 'only this group')
    .option('--zone <zone>', 'only this zone')
    .option('--json', 'print as JSON');
  addConfigOptions(command);
  return command.action(async (flags: InventoryFlags) => {
    const config = await resolveCommandConfig(flags);
    const seen = await readInventory(config, deps.providers, flags.provider, { locations: flags.json === true });
    const optInTag = config.safety.optInTag;
    const groups = seen.groups.filter((g) => flags.group === undefined || g.name === flags.group);
    const pick = (instances: readonly Instance[]) => instances.filter((i) => flags.zone === undefined || i.zone === flags.zone);
    if (flags.json) {
      const { provider, regions, zones } = seen;
      deps.writeOut(`${JSON.stringify({ provider, regions, zones, groups: groups.map((g) => ({ ...g, instances: pick(g.instances) })) }, null, 2)}\n`);
      return;
    }
    const rows = groups.flatMap((g) =>
      pick(g.instances).map((i) => [g.name, i.id, i.region, i.zone, i.state, isOptedIn(i, g, optInTag) ? 'yes' : 'no', i.address ?? '']),
    );
    deps.writeOut(rows.length === 0 ? 'no instances\n' : formatTable(['GROUP', 'INSTANCE', 'REGION', 'ZONE', 'STATE', 'OPTED-IN', 'ADDRESS'], rows));
  });
};
