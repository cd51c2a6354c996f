/**
 * Test harness for the safety pipeline: a memory provider, a ledger and an outage check that count how often each
 * seam was consulted, so tests can prove the order of the guards.
 */
import { ManualClock } from '../../../src/core/manual-clock.js';
import type { Instance } from '../../../src/core/model.js';
import { SeededRandom } from '../../../src/core/random.js';
import { MemoryProvider, type MemoryProviderSpec } from '../../../src/providers/memory/memory-provider.js';
import type { Provider } from '../../../src/providers/provider.js';
import { MemoryFaultLedger, type LedgerFault } from '../../../src/monkeys/safety/fault-ledger.js';
import type { OutageAnswer, OutageCheck } from '../../../src/monkeys/safety/outage-check.js';
import type { SafetyConfig } from '../../../src/monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../../src/monkeys/safety/safety-pipeline.js';

export const OPT_IN = 'simian/opt-in';

/** A running, opted-in instance of `group` unless `overrides` say otherwise. */
export function instance(id: string, group: string, overrides: Partial<Instance> = {}): Instance {
  return {
    id,
    group,
    region: 'region-0',
    zone: 'region-0-a',
    state: 'running',
    launchedAt: 0,
    tags: { [OPT_IN]: 'true' },
    ...overrides,
  };
}

/** Counts of every seam consultation. */
export interface SeamCounts {
  outage: number;
  fileExists: number;
  inventoryReads: number;
  ledgerReads: number;
  ledgerRecords: number;
}

/** A ledger that counts calls on top of {@link MemoryFaultLedger}. */
export class CountingLedger extends MemoryFaultLedger {
  constructor(private readonly counts: SeamCounts, initial: readonly LedgerFault[] = []) {
    super(initial);
  }
  override async lastFaultAt(group: string): Promise<number | undefined> {
    this.counts.ledgerReads++;
    return super.lastFaultAt(group);
  }
  override async faultsSince(group: string, since: number): Promise<number> {
    this.counts.ledgerReads++;
    return super.faultsSince(group, since);
  }
  override async record(fault: LedgerFault): Promise<void> {
    this.counts.ledgerRecords++;
    return super.record(fault);
  }
}

export interface HarnessOptions {
  spec?: MemoryProviderSpec;
  config?: Partial<SafetyConfig>;
  outage?: () => OutageAnswer | Promise<OutageAnswer>;
  fileExists?: (path: string) => Promise<boolean>;
  seed?: number;
  history?: readonly LedgerFault[];
}

/** A group `api` of four running, opted-in instances. */
export const DEFAULT_SPEC: MemoryProviderSpec = {
  instances: [0, 1, 2, 3].map((i) => instance(`api-${i}`, 'api')),
};

export function harness(options: HarnessOptions = {}) {
  const counts: SeamCounts = { outage: 0, fileExists: 0, inventoryReads: 0, ledgerReads: 0, ledgerRecords: 0 };
  const memory = new MemoryProvider(options.spec ?? DEFAULT_SPEC);
  // Counts inventory reads without changing them.
  const provider: Provider = {
    name: memory.name,
    actuator: memory.actuator,
    inventory: {
      groups: () => (counts.inventoryReads++, memory.inventory.groups()),
      instances: (filter) => (counts.inventoryReads++, memory.inventory.instances(filter)),
      zones: () => (counts.inventoryReads++, memory.inventory.zones()),
      regions: () => (counts.inventoryReads++, memory.inventory.regions()),
    },
  };
  const outageCheck: OutageCheck = {
    inOutage: () => {
      counts.outage++;
      return options.outage ? options.outage() : false;
    },
  };
  const ledger = new CountingLedger(counts, options.history);
  const clock = new ManualClock();
  const pipeline = new SafetyPipeline({
    provider,
    ledger,
    clock,
    random: new SeededRandom(options.seed ?? 1),
    config: options.config ?? { leashed: false },
    outageCheck,
    fileExists: async (path) => {
      counts.fileExists++;
      return options.fileExists ? options.fileExists(path) : false;
    },
  });
  return { pipeline, memory, ledger, clock, counts };
}
