/**
 * @module
 * An in-memory {@link Provider}: a seeded inventory that never touches a real system, a log of every actuator
 * call, and failures on request. Tests use it to prove what the safety pipeline did (or did not) do; users use it
 * to try a configuration before pointing it at a real platform.
 */
import { SimianError } from '../../core/errors.js';
import type { Group, Instance, Region, Zone } from '../../core/model.js';
import {
  announceIntent,
  matchesInstanceFilter,
  type ActionOptions,
  type Actuator,
  type InstanceFilter,
  type Inventory,
  type Provider,
  type RevertHandle,
  type TerminateOptions,
  type ToxicSpec,
  type ToxicTarget,
} from '../provider.js';

/** What the memory provider starts with. Zones and regions default to those the instances are in. */
export interface MemoryProviderSpec {
  /** @default 'memory' */
  readonly name?: string;
  readonly instances: readonly Instance[];
  /** Tags per group name (opt-in labels usually live here); groups without an entry have none. */
  readonly groupTags?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly zones?: readonly Zone[];
  readonly regions?: readonly Region[];
}

/** The methods a test can make fail with {@link MemoryProvider.failNext} or {@link MemoryProvider.failAlways}. */
export type MemoryMethod =
  | 'groups'
  | 'instances'
  | 'zones'
  | 'regions'
  | 'terminate'
  | 'stop'
  | 'isolateZone'
  | 'evacuateRegion'
  | 'addToxic'
  | 'revert';

/** One recorded actuator call, whether it succeeded (`ok`) or was made to fail. */
export type ActuatorCall = { readonly ok: boolean } & (
  | { readonly method: 'terminate'; readonly instanceId: string; readonly signal: 'SIGKILL' | 'SIGTERM' }
  | { readonly method: 'stop'; readonly instanceId: string }
  | { readonly method: 'isolateZone'; readonly zone: string; readonly id?: string }
  | { readonly method: 'evacuateRegion'; readonly region: string; readonly id?: string }
  | { readonly method: 'addToxic'; readonly target: string; readonly toxic: ToxicSpec; readonly id?: string }
  | { readonly method: 'revert'; readonly id: string }
);

/** A reversible action still in force, as {@link MemoryProvider.activeActions} lists it. */
export interface ActiveAction {
  readonly id: string;
  readonly method: 'isolateZone' | 'evacuateRegion' | 'addToxic';
  readonly target: string;
}

/**
 * The in-memory provider. Terminating or stopping an instance changes its state in the inventory (nothing
 * replaces it: tests want to see exactly what was hit).
 *
 * @example
 * const provider = new MemoryProvider({ instances });
 * provider.failNext('terminate');
 * await provider.actuator.terminate(instance); // throws SimianError 'memory.injectedFailure'
 * provider.calls; // [{ method: 'terminate', instanceId, signal: 'SIGKILL', ok: false }]
 */
export class MemoryProvider implements Provider {
  readonly name: string;
  readonly inventory: Inventory;
  readonly actuator: Actuator;

  private readonly byId = new Map<string, Instance>();
  private readonly groupTags: Readonly<Record<string, Readonly<Record<string, string>>>>;
  private readonly zoneList: readonly Zone[];
  private readonly regionList: readonly Region[];
  private readonly log: ActuatorCall[] = [];
  private readonly active = new Map<string, ActiveAction>();
  private readonly failOnce = new Map<MemoryMethod, unknown[]>();
  private readonly failEvery = new Map<MemoryMethod, unknown>();
  private nextActionId = 1;

  constructor(spec: MemoryProviderSpec) {
    this.name = spec.name ?? 'memory';
    for (const instance of spec.instances) {
      if (this.byId.has(instance.id)) {
        throw new SimianError('memory.duplicateInstance', `instance id ${instance.id} appears twice`);
      }
      this.byId.set(instance.id, instance);
    }
    this.groupTags = spec.groupTags ?? {};
    this.zoneList = spec.zones ?? uniqueBy(spec.instances.map((i) => ({ name: i.zone, region: i.region })), (z) => z.name);
    this.regionList = spec.regions ?? uniqueBy(spec.instances.map((i) => ({ name: i.region })), (r) => r.name);
    this.inventory = {
      groups: async () => (this.maybeFail('groups'), this.currentGroups()),
      instances: async (filter?: InstanceFilter) => (
        this.maybeFail('instances'),
        [...this.byId.values()].filter((i) => matchesInstanceFilter(i, filter))
      ),
      zones: async () => (this.maybeFail('zones'), [...this.zoneList]),
      regions: async () => (this.maybeFail('regions'), [...this.regionList]),
    };
    this.actuator = {
      terminate: async (instance, options) => this.terminate(instance, options),
      stop: async (instance) => this.stop(instance),
      isolateZone: async (zone, options) =>
        this.reversible('isolateZone', zone.name, (id, ok) => ({ method: 'isolateZone', zone: zone.name, id, ok }), options),
      evacuateRegion: async (region, options) =>
        this.reversible('evacuateRegion', region.name, (id, ok) => ({ method: 'evacuateRegion', region: region.name, id, ok }), options),
      addToxic: async (target, toxic, options) => {
        const name = toxicTargetName(target);
        return this.reversible('addToxic', name, (id, ok) => ({ method: 'addToxic', target: name, toxic, id, ok }), options);
      },
      revert: async (id) => this.revert(id),
    };
  }

  /** Every actuator call so far, in order (inventory reads are not actions and are not logged). */
  get calls(): readonly ActuatorCall[] {
    return [...this.log];
  }

  /** Reversible actions not yet reverted: empty when nothing was left behind. */
  activeActions(): readonly ActiveAction[] {
    return [...this.active.values()];
  }

  /** Makes the next call of `method` throw `error` (default: a SimianError `memory.injectedFailure`). Stacks. */
  failNext(method: MemoryMethod, error?: unknown): void {
    const queue = this.failOnce.get(method) ?? [];
    queue.push(error ?? injected(method));
    this.failOnce.set(method, queue);
  }

  /** Makes every call of `method` throw until {@link MemoryProvider.clearFailures}. */
  failAlways(method: MemoryMethod, error?: unknown): void {
    this.failEvery.set(method, error ?? injected(method));
  }

  /** Forgets every failure asked for. */
  clearFailures(): void {
    this.failOnce.clear();
    this.failEvery.clear();
  }

  private currentGroups(): Group[] {
    const groups = new Map<string, Instance[]>();
    for (const instance of this.byId.values()) {
      const members = groups.get(instance.group) ?? [];
      members.push(instance);
      groups.set(instance.group, members);
    }
    return [...groups].map(([name, instances]) => ({
      name,
      // A group spanning regions is reported under its first instance's region, as ASGs are per region anyway.
      region: instances[0]?.region ?? '',
      instances,
      tags: this.groupTags[name] ?? {},
    }));
  }

  private terminate(instance: Instance, options: TerminateOptions = {}): void {
    const signal = options.signal ?? 'SIGKILL';
    this.act('terminate', (ok) => ({ method: 'terminate', instanceId: instance.id, signal, ok }), () =>
      this.setState(instance.id, 'terminated'),
    );
  }

  private stop(instance: Instance): void {
    this.act('stop', (ok) => ({ method: 'stop', instanceId: instance.id, ok }), () => this.setState(instance.id, 'stopped'));
  }

  private async reversible(
    method: ActiveAction['method'],
    target: string,
    describe: (id: string | undefined, ok: boolean) => ActuatorCall,
    options?: ActionOptions,
  ): Promise<RevertHandle> {
    // The id is known before the action, as a real provider knows its targets: announced, then acted on.
    const id = `${this.name}-${method}-${this.nextActionId++}`;
    await announceIntent(options, id);
    try {
      this.maybeFail(method);
    } catch (error) {
      this.log.push(describe(undefined, false));
      throw error;
    }
    this.active.set(id, { id, method, target });
    this.log.push(describe(id, true));
    return { id, revert: () => this.actuator.revert(id) };
  }

  private revert(id: string): void {
    this.act('revert', (ok) => ({ method: 'revert', id, ok }), () => this.active.delete(id));
  }

  private act(method: MemoryMethod, describe: (ok: boolean) => ActuatorCall, effect: () => void): void {
    try {
      this.maybeFail(method);
      effect();
    } catch (error) {
      this.log.push(describe(false));
      throw error;
    }
    this.log.push(describe(true));
  }

  private setState(id: string, state: Instance['state']): void {
    const current = this.byId.get(id);
    if (!current) throw new SimianError('memory.notFound', `no instance ${id}`);
    this.byId.set(id, { ...current, state });
  }

  private maybeFail(method: MemoryMethod): void {
    const queue = this.failOnce.get(method);
    if (queue && queue.length > 0) throw queue.shift();
    if (this.failEvery.has(method)) throw this.failEvery.get(method);
  }
}

function injected(method: MemoryMethod): SimianError {
  return new SimianError('memory.injectedFailure', `injected failure in ${method}`);
}

function toxicTargetName(target: ToxicTarget): string {
  return 'instance' in target ? target.instance.id : target.proxy;
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
