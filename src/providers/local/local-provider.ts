/**
 * @module
 * The local provider: the reference stack running on this machine, seen through its admin API (`GET
 * <adminUrl>/inventory`) and acted on through it (the stack's supervisor signals its own processes), through the
 * stack's Toxiproxy (every instance has a proxy of its own, named by its slot id) and through the front door's
 * evacuation switch. Every
 * instance of the bundled stack is opted in (it exists to be broken), unless its own tags say otherwise.
 */
import { errorMessage, isSimianError, SimianError } from '../../core/errors.js';
import { DEFAULT_OPT_IN_TAG, type Group, type Instance, type InstanceState, type Region, type Zone } from '../../core/model.js';
import type { Random } from '../../core/random.js';
import { StackAdminClient, type AdminInstance, type TerminateAnswer } from '../../reference-stack/stack/stack-admin-client.js';
import { GLOBAL_LOCATION } from '../../reference-stack/topology/desired-instances.js';
import {
  matchesInstanceFilter,
  type ActionOptions,
  type Actuator,
  type InstanceFilter,
  type Inventory,
  type Provider,
  type RevertHandle,
  type TerminateOptions,
  type TrafficShift,
} from '../provider.js';
import { HttpTrafficShift } from '../toxiproxy/http-traffic-shift.js';
import { evacuateWith, revertById } from '../toxiproxy/reversible.js';
import { ToxiproxyActuator } from '../toxiproxy/toxiproxy-actuator.js';

/** The tag on every local instance that carries its current process id. */
export const PID_TAG = 'simian/pid';

/** The tag on every local instance that says how many times the supervisor replaced it (Doctor reads it). */
export const RESTARTS_TAG = 'simian/restarts';

export type { AdminInstance } from '../../reference-stack/stack/stack-admin-client.js';

/** Options of {@link LocalProvider}. */
export interface LocalProviderOptions {
  /** The running stack's admin API, `http://127.0.0.1:PORT` (from `<state-dir>/stack.json`). */
  readonly adminUrl: string;
  /** The opt-in tag to add to instances that do not say otherwise. @default 'simian/opt-in' */
  readonly optInTag?: string;
  /**
   * The running stack's token (`<state-dir>/stack.token`), which terminations on the admin API and the front door's
   * evacuate and restore require. Without it the stack refuses them (401).
   */
  readonly stackToken?: string;
  /** How long one admin (or front door) request may take, ms. @default 5000 */
  readonly timeoutMs?: number;
  /**
   * The stack's Toxiproxy admin API (`toxiproxyUrl` in stack.json), where every instance has a proxy named by its
   * slot id. Toxics, zone outages and their reverts need it.
   */
  readonly toxiproxyUrl?: string;
  /**
   * Where regions are evacuated and restored (`POST …/admin/regions/:region/evacuate`): the stack's admin API
   * (`adminUrl` in stack.json), which sends the list to every front door, or a lone front door's own.
   */
  readonly trafficShiftUrl?: string;
  /** Draws the names of new toxics. @default the system random */
  readonly random?: Random;
}

const STATES: Readonly<Record<string, InstanceState>> = {
  starting: 'pending',
  running: 'running',
  stopping: 'stopping',
  stopped: 'stopped',
  crashed: 'terminated',
};

function unsupported(what: string): never {
  throw new SimianError('provider.unsupported', `the local provider cannot ${what}`);
}

/**
 * The reference stack as a {@link Provider}. Groups are services per region: named after the service when the
 * stack has one region (`catalog`), `service@region` when it has several (the front door, in region `global`, is
 * always `frontdoor`). Instance ids are the supervisor's slot ids
 * (`catalog-us-east-1a-0`), stable across replacements; the current process id is in the {@link PID_TAG} tag.
 *
 * Terminate asks the stack, whose supervisor signals the process by slot id. Toxics go on the instance's proxy; a
 * zone outage disables the proxies of the zone's instances, so they stop answering while their processes live (an
 * AZ network partition: the supervisor sees nothing to replace); a region evacuation flips the front door. Revert
 * ids carry everything their revert needs, so a provider built after a restart reverts them too.
 *
 * @example
 * const state = readStackState('.simian');
 * const provider = new LocalProvider({ adminUrl: state.adminUrl, toxiproxyUrl: state.toxiproxyUrl, trafficShiftUrl: state.adminUrl, stackToken: readStackToken('.simian') });
 * const handle = await provider.actuator.isolateZone({ name: 'us-east-1a', region: 'us-east' });
 * await handle.revert();
 */
export class LocalProvider implements Provider {
  readonly name = 'local';
  readonly inventory: Inventory;
  readonly actuator: Actuator;
  private readonly admin: StackAdminClient;
  private readonly optInTag: string;
  private readonly toxiproxy: ToxiproxyActuator | undefined;
  private readonly trafficShift: TrafficShift | undefined;

  constructor(options: LocalProviderOptions) {
    const timeoutMs = options.timeoutMs ?? 5000;
    this.admin = new StackAdminClient({ adminUrl: options.adminUrl, timeoutMs, ...(options.stackToken ? { stackToken: options.stackToken } : {}) });
    this.optInTag = options.optInTag ?? DEFAULT_OPT_IN_TAG;
    this.toxiproxy = options.toxiproxyUrl ? new ToxiproxyActuator(options.toxiproxyUrl, options.random ? { random: options.random } : {}) : undefined;
    this.trafficShift = options.trafficShiftUrl
      ? new HttpTrafficShift(options.trafficShiftUrl, { timeoutMs, ...(options.stackToken ? { token: options.stackToken } : {}) })
      : undefined;
    this.inventory = {
      groups: () => this.groups(),
      instances: async (filter?: InstanceFilter) => (await this.fetchInstances()).filter((i) => matchesInstanceFilter(i, filter)),
      zones: () => this.zones(),
      // The front door's `global` is where traffic is steered from, not a region or zone that can be taken away.
      regions: async () =>
        [...new Set((await this.fetchInstances()).map((i) => i.region).filter((r) => r !== GLOBAL_LOCATION))].map((name): Region => ({ name })),
    };
    this.actuator = {
      terminate: (instance, terminateOptions) => this.terminate(instance, terminateOptions),
      // async, so every refusal is a rejected promise rather than a synchronous throw.
      stop: async () => unsupported('stop an instance yet'),
      isolateZone: (zone, actionOptions) => this.isolateZone(zone, actionOptions),
      evacuateRegion: async (region, actionOptions) => evacuateWith(this.requireTrafficShift(`evacuate region ${region.name}`), region.name, actionOptions),
      addToxic: async (target, toxic, actionOptions) =>
        this.requireToxiproxy(`add a ${toxic.type} toxic`).injectToxic('proxy' in target ? target.proxy : target.instance.id, toxic, actionOptions),
      revert: (id) =>
        revertById(id, {
          toxiproxy: () => this.requireToxiproxy(`revert ${id}`),
          trafficShift: () => this.requireTrafficShift(`revert ${id}`),
        }),
    };
  }

  /** What the admin API reports, unchanged. */
  async adminInventory(): Promise<AdminInstance[]> {
    try {
      return await this.admin.inventory();
    } catch (error) {
      if (isSimianError(error, 'stack.badAnswer')) throw new SimianError('provider.badInventory', error.message, { cause: error });
      throw new SimianError('provider.unreachable', `the local ${errorMessage(error).replace(/^the /, '')}`, { cause: error });
    }
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
    for (const i of await this.fetchInstances()) {
      if (i.region !== GLOBAL_LOCATION) seen.set(`${i.region}/${i.zone}`, { name: i.zone, region: i.region });
    }
    return [...seen.values()];
  }

  /**
   * Disables the proxy of every instance in the zone, whatever its state, so the whole zone goes dark. The
   * processes live on, so the supervisor replaces nothing; but an instance that (re)starts meanwhile points its
   * proxy at itself with `enabled: true` (service-main), which lifts the partition for that one slot. The front
   * door's `global` zone serves every region and is never isolated.
   */
  private async isolateZone(zone: Zone, options?: ActionOptions): Promise<RevertHandle> {
    if (zone.name === GLOBAL_LOCATION || zone.region === GLOBAL_LOCATION) {
      unsupported(`isolate the ${GLOBAL_LOCATION} zone: the front door serves every region, and taking it down is not a zone outage`);
    }
    const toxiproxy = this.requireToxiproxy(`isolate zone ${zone.name}`);
    const slots = (await this.adminInventory()).filter((i) => i.zone === zone.name && i.region === zone.region);
    if (slots.length === 0) throw new SimianError('provider.notFound', `the local stack has no instance in zone ${zone.name} of region ${zone.region}`);
    return toxiproxy.takeDown(slots.map((slot) => slot.id), options);
  }

  private requireToxiproxy(what: string): ToxiproxyActuator {
    return this.toxiproxy ?? unsupported(`${what} without toxiproxyUrl (the stack's toxiproxyUrl from stack.json)`);
  }

  private requireTrafficShift(what: string): TrafficShift {
    return this.trafficShift ?? unsupported(`${what} without trafficShiftUrl (the stack's adminUrl from stack.json; the stack needs a front door)`);
  }

  /**
   * Asks the stack to signal the instance: `POST <adminUrl>/instances/<id>/terminate` with the pid this inventory
   * saw. The stack's supervisor signals its own child by slot id, and refuses (409) when the slot no longer runs
   * that pid, so a stale inventory (the slot was replaced, the pid reused) never gets an unrelated process killed.
   */
  private async terminate(instance: Instance, options: TerminateOptions = {}): Promise<void> {
    const pid = Number(instance.tags[PID_TAG]);
    if (!Number.isSafeInteger(pid) || pid <= 0) {
      throw new SimianError('provider.instanceGone', `instance ${instance.id} has no process in the local stack: it is not running`);
    }
    let answer: TerminateAnswer;
    try {
      answer = await this.admin.terminate(instance.id, { pid, signal: options.signal ?? 'SIGKILL' });
    } catch (error) {
      throw new SimianError('provider.unreachable', `cannot terminate ${instance.id}: the local ${errorMessage(error).replace(/^the /, '')}`, { cause: error });
    }
    const { outcome } = answer;
    if (outcome === 'signalled') return;
    const { reason } = answer;
    if (outcome === 'gone') throw new SimianError('provider.instanceGone', reason);
    if (outcome === 'unauthorized') {
      throw new SimianError('provider.unauthorized', `the local stack refused to terminate ${instance.id}: ${reason} (is the stack token in <state-dir>/stack.token the running stack's?)`);
    }
    throw new SimianError('provider.terminateFailed', `the local stack could not terminate ${instance.id}: ${reason}`);
  }
}
