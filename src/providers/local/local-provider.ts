/**
 * @module
 * The local provider: the reference stack running on this machine, seen through its admin API (`GET
 * <adminUrl>/inventory`) and acted on with signals to its real processes. Every instance of the bundled stack is
 * opted in (it exists to be broken), unless its own tags say otherwise.
 */
import { SimianError } from '../../core/errors.js';
import type { Group, Instance, InstanceState, Region, Zone } from '../../core/model.js';
import { DEFAULT_SAFETY_CONFIG } from '../../monkeys/safety/safety-config.js';
import { GLOBAL_LOCATION } from '../../reference-stack/topology/desired-instances.js';
import {
  matchesInstanceFilter,
  type Actuator,
  type InstanceFilter,
  type Inventory,
  type Provider,
  type RevertHandle,
  type TerminateOptions,
} from '../provider.js';

/** The tag on every local instance that carries its current process id. */
export const PID_TAG = 'simian/pid';

/** The tag on every local instance that says how many times the supervisor replaced it (Doctor reads it). */
export const RESTARTS_TAG = 'simian/restarts';

/** One instance as the stack's admin API reports it (`GET /inventory`). */
export interface AdminInstance {
  readonly id: string;
  readonly service: string;
  readonly region: string;
  readonly zone: string;
  readonly pid?: number | null;
  readonly address?: string | null;
  readonly publicAddress?: string;
  readonly launchedAt: number;
  readonly tags?: Readonly<Record<string, string>>;
  readonly state: string;
  readonly restarts?: number;
}

/** Sends a signal to a process; `process.kill` by default (tests may watch it). */
export type KillProcess = (pid: number, signal: 'SIGKILL' | 'SIGTERM') => void;

/** Options of {@link LocalProvider}. */
export interface LocalProviderOptions {
  /** The running stack's admin API, `http://127.0.0.1:PORT` (from `<state-dir>/stack.json`). */
  readonly adminUrl: string;
  /** The opt-in tag to add to instances that do not say otherwise. @default 'simian/opt-in' */
  readonly optInTag?: string;
  /** @default process.kill */
  readonly kill?: KillProcess;
  /** How long one admin request may take, ms. @default 5000 */
  readonly timeoutMs?: number;
}

const STATES: Readonly<Record<string, InstanceState>> = {
  starting: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  crashed: 'terminated',
};

function unsupported(what: string): never {
  throw new SimianError('provider.unsupported', `the local provider cannot ${what} yet`);
}

/**
 * The reference stack as a {@link Provider}. Groups are services per region: named after the service when the
 * stack has one region (`catalog`), `service@region` when it has several (the front door, in region `global`, is
 * always `frontdoor`). Instance ids are the supervisor's slot ids
 * (`catalog-us-east-1a-0`), stable across replacements; the current process id is in the {@link PID_TAG} tag.
 *
 * @example
 * const provider = new LocalProvider({ adminUrl: readStackState('.simian').adminUrl });
 * const [group] = await provider.inventory.groups();
 */
export class LocalProvider implements Provider {
  readonly name = 'local';
  readonly inventory: Inventory;
  readonly actuator: Actuator;
  private readonly adminUrl: string;
  private readonly optInTag: string;
  private readonly kill: KillProcess;
  private readonly timeoutMs: number;

  constructor(options: LocalProviderOptions) {
    this.adminUrl = options.adminUrl;
    this.optInTag = options.optInTag ?? DEFAULT_SAFETY_CONFIG.optInTag;
    this.kill = options.kill ?? ((pid, signal) => process.kill(pid, signal));
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.inventory = {
      groups: () => this.groups(),
      instances: async (filter?: InstanceFilter) => (await this.fetchInstances()).filter((i) => matchesInstanceFilter(i, filter)),
      zones: () => this.zones(),
      regions: async () => [...new Set((await this.fetchInstances()).map((i) => i.region))].map((name): Region => ({ name })),
    };
    this.actuator = {
      terminate: (instance, terminateOptions) => this.terminate(instance, terminateOptions),
      stop: () => unsupported('stop an instance'),
      isolateZone: (): Promise<RevertHandle> => unsupported('isolate a zone'),
      evacuateRegion: (): Promise<RevertHandle> => unsupported('evacuate a region'),
      addToxic: (): Promise<RevertHandle> => unsupported('add a toxic'),
      revert: () => unsupported('revert an action'),
    };
  }

  /** What the admin API reports, unchanged. */
  async adminInventory(): Promise<AdminInstance[]> {
    const url = new URL('/inventory', this.adminUrl);
    let body: unknown;
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      if (!answer.ok) throw new Error(`HTTP ${answer.status}`);
      body = await answer.json();
    } catch (error) {
      throw new SimianError('provider.unreachable', `the local stack's admin API ${url.href} does not answer: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    const instances = (body as { instances?: unknown } | null)?.instances;
    if (!Array.isArray(instances)) throw new SimianError('provider.badInventory', `${url.href} did not return { instances: [...] }`);
    return instances as AdminInstance[];
  }

  private async fetchInstances(): Promise<Instance[]> {
    const raw = await this.adminInventory();
    // The front door's region is `global`: it belongs to no region, so it does not make the stack multi-region.
    const multiRegion = new Set(raw.map((i) => i.region).filter((r) => r !== GLOBAL_LOCATION)).size > 1;
    return raw.map((i) => this.toInstance(i, multiRegion));
  }

  private toInstance(raw: AdminInstance, multiRegion: boolean): Instance {
    const tags: Record<string, string> = { ...(raw.tags ?? {}) };
    if (tags[this.optInTag] === undefined) tags[this.optInTag] = 'true';
    if (typeof raw.pid === 'number') tags[PID_TAG] = String(raw.pid);
    if (typeof raw.restarts === 'number') tags[RESTARTS_TAG] = String(raw.restarts);
    const address = raw.publicAddress ?? raw.address ?? undefined;
    return {
      id: raw.id,
      group: multiRegion && raw.region !== GLOBAL_LOCATION ? `${raw.service}@${raw.region}` : raw.service,
      region: raw.region,
      zone: raw.zone,
      state: STATES[raw.state] ?? 'unknown',
      launchedAt: raw.launchedAt,
      ...(address ? { address } : {}),
      tags,
    };
  }

  private async groups(): Promise<Group[]> {
    const byName = new Map<string, { region: string; instances: Instance[] }>();
    for (const instance of await this.fetchInstances()) {
      const group = byName.get(instance.group) ?? { region: instance.region, instances: [] };
      group.instances.push(instance);
      byName.set(instance.group, group);
    }
    return [...byName].map(([name, g]) => ({ name, region: g.region, instances: g.instances, tags: {} }));
  }

  private async zones(): Promise<Zone[]> {
    const seen = new Map<string, Zone>();
    for (const i of await this.fetchInstances()) seen.set(`${i.region}/${i.zone}`, { name: i.zone, region: i.region });
    return [...seen.values()];
  }

  /**
   * Signals the instance's process. It checks first that the stack still runs that very process in that slot, so
   * a stale inventory (the slot was replaced, the pid reused) never gets an unrelated process killed.
   */
  private async terminate(instance: Instance, options: TerminateOptions = {}): Promise<void> {
    const current = (await this.adminInventory()).find((i) => i.id === instance.id);
    const expected = instance.tags[PID_TAG];
    if (!current || typeof current.pid !== 'number' || current.state !== 'running') {
      throw new SimianError('provider.instanceGone', `instance ${instance.id} is not running in the local stack`);
    }
    if (expected !== undefined && String(current.pid) !== expected) {
      throw new SimianError('provider.instanceGone', `instance ${instance.id} now runs pid ${current.pid}, not ${expected}: it was replaced`);
    }
    try {
      this.kill(current.pid, options.signal ?? 'SIGKILL');
    } catch (error) {
      throw new SimianError('provider.terminateFailed', `cannot signal pid ${current.pid} of ${instance.id}: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  }
}
