/**
 * @module
 * `simian inventory`: what a provider sees (groups, instances, zones, and whether each instance opted in), the
 * first thing to run before pointing a monkey at a platform.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Instance } from '../../core/model.js';
import { isOptedIn } from '../../monkeys/safety/eligibility.js';
import { DEFAULT_SAFETY_CONFIG } from '../../monkeys/safety/safety-config.js';
import type { CommandFactory } from '../program.js';
import { createProvider, PROVIDER_NAMES } from '../provider-factory.js';
import { formatTable } from '../table.js';

interface InventoryFlags {
  provider: string;
  group?: string;
  zone?: string;
  stateDir: string;
  toxiproxyUrl?: string;
  json?: boolean;
}

/** The `inventory` command. */
export const inventoryCommand: CommandFactory = (deps) =>
  new Command('inventory')
    .description('List what a provider sees: groups, instances, their zone, state and whether they opted in')
    .addOption(new Option('--provider <name>', `the platform: ${PROVIDER_NAMES.join(', ')}`).choices(PROVIDER_NAMES).makeOptionMandatory())
    .option('--group <name>', 'only this group')
    .option('--zone <zone>', 'only this zone')
    .option('--state-dir <dir>', 'the state directory of the running stack (local provider)', '.simian')
    .option('--toxiproxy-url <url>', 'the Toxiproxy admin API for --provider toxiproxy (default: the running stack\'s)')
    .option('--json', 'print as JSON')
    .action(async (flags: InventoryFlags) => {
      const provider = createProvider(
        flags.provider,
        { stateDir: resolve(flags.stateDir), ...(flags.toxiproxyUrl ? { toxiproxyUrl: flags.toxiproxyUrl } : {}) },
        deps,
      );
      const groups = (await provider.inventory.groups()).filter((g) => flags.group === undefined || g.name === flags.group);
      const pick = (instances: readonly Instance[]) => instances.filter((i) => flags.zone === undefined || i.zone === flags.zone);
      if (flags.json) {
        const zones = await provider.inventory.zones();
        const regions = await provider.inventory.regions();
        deps.writeOut(`${JSON.stringify({ provider: provider.name, regions, zones, groups: groups.map((g) => ({ ...g, instances: pick(g.instances) })) }, null, 2)}\n`);
        return;
      }
      const rows = groups.flatMap((g) =>
        pick(g.instances).map((i) => [g.name, i.id, i.region, i.zone, i.state, isOptedIn(i, g, DEFAULT_SAFETY_CONFIG.optInTag) ? 'yes' : 'no', i.address ?? '']),
      );
      deps.writeOut(rows.length === 0 ? 'no instances\n' : formatTable(['GROUP', 'INSTANCE', 'REGION', 'ZONE', 'STATE', 'OPTED-IN', 'ADDRESS'], rows));
    });
