import { createAdaptorServer } from '@hono/node-server';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { isSimianError } from '../../src/core/errors.js';
import { ManualClock } from '../../src/core/manual-clock.js';
import { SeededRandom } from '../../src/core/random.js';
import { SafetyPipeline } from '../../src/monkeys/safety/safety-pipeline.js';
import { LocalProvider, PID_TAG, RESTARTS_TAG, type AdminInstance } from '../../src/providers/local/local-provider.js';
import { StateStoreLedger } from '../../src/monkeys/safety/state-store-ledger.js';
import { createStackAdminApi } from '../../src/reference-stack/stack/stack-admin-api.js';
import { StateStore } from '../../src/state/state-store.js';
import { isRunning, killAll, waitUntil } from '../support/processes.js';

const STACK_TOKEN = 'local-provider-test-stack-token-0123456789';

/**
 * The stack's real admin API on a loopback port, over a fake supervisor: `GET /inventory` answers whatever
 * `instances` holds now, and a termination signals the child this test holds for the slot's pid, as the
 * supervisor signals its own child. `terminations` records what was asked.
 */
async function fakeAdmin(initial: AdminInstance[]): Promise<{ url: string; server: Server; instances: AdminInstance[]; terminations: string[] }> {
  const state = { instances: initial };
  const terminations: string[] = [];
  const app = createStackAdminApi({
    stackToken: STACK_TOKEN,
    inventory: () => state.instances,
    metrics: async () => '',
    signal: (id, signal, pid) => {
      terminations.push(`${id} ${pid} ${signal}`);
      const slot = state.instances.find((i) => i.id === id);
      if (!slot) return { outcome: 'unknown' };
      if (slot.state !== 'running' || typeof slot.pid !== 'number') return { outcome: 'notRunning', state: 'crashed' };
      if (slot.pid !== pid) return { outcome: 'replaced', pid: slot.pid };
      const child = children.find((c) => c.pid === pid);
      return child?.kill(signal) ? { outcome: 'signalled', pid } : { outcome: 'notRunning', state: 'crashed' };
    },
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const fake = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    terminations,
    get instances() {
      return state.instances;
    },
    set instances(list: AdminInstance[]) {
      state.instances = list;
    },
  };
  return fake;
}

function admin(id: string, service: string, zone: string, pid: number | null, extra: Partial<AdminInstance> = {}): AdminInstance {
  return {
    id,
    service,
    region: zone.slice(0, -1),
    zone,
    pid,
    address: 'http://127.0.0.1:1',
    publicAddress: 'http://127.0.0.1:2',
    launchedAt: 1000,
    tags: {},
    state: 'running',
    restarts: 0,
    ...extra,
  };
}

const children: ChildProcess[] = [];
const servers: Server[] = [];

/** A real, idle child process that only a signal ends. */
async function idleChild(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child as ChildProcess & { pid: number };
}

async function serve(instances: AdminInstance[]) {
  const fake = await fakeAdmin(instances);
  servers.push(fake.server);
  return fake;
}

afterEach(async () => {
  killAll(children.splice(0).map((c) => c.pid));
  await Promise.all(
    servers.splice(0).map((s) => {
      const closed = new Promise((done) => s.close(done));
      (s as Server & { closeAllConnections(): void }).closeAllConnections();
      return closed;
    }),
  );
});

describe('LocalProvider inventory', () => {
  it('groups instances by service, opts them in unless their tags say otherwise, and carries their pid', async () => {
    const fake = await serve([
      admin('catalog-us-east-1a-0', 'catalog', 'us-east-1a', 101),
      admin('catalog-us-east-1b-0', 'catalog', 'us-east-1b', 102, { tags: { 'simian/opt-in': 'false', team: 'c' } }),
      admin('billing-us-east-1a-0', 'billing', 'us-east-1a', null, { state: 'crashed' }),
    ]);
    const provider = new LocalProvider({ adminUrl: fake.url });
    expect(provider.name).toBe('local');
    const groups = await provider.inventory.groups();
    expect(groups.map((g) => [g.name, g.region, g.instances.map((i) => i.id)])).toEqual([
      ['catalog', 'us-east-1', ['catalog-us-east-1a-0', 'catalog-us-east-1b-0']],
      ['billing', 'us-east-1', ['billing-us-east-1a-0']],
    ]);
    const [a, b] = groups[0]!.instances;
    expect(a).toEqual({
      id: 'catalog-us-east-1a-0',
      group: 'catalog',
      region: 'us-east-1',
      zone: 'us-east-1a',
      state: 'running',
      launchedAt: 1000,
      address: 'http://127.0.0.1:2',
      tags: { 'simian/opt-in': 'true', [PID_TAG]: '101', [RESTARTS_TAG]: '0' },
    });
    expect(b!.tags).toEqual({ 'simian/opt-in': 'false', team: 'c', [PID_TAG]: '102', [RESTARTS_TAG]: '0' });
    const billing = groups[1]!.instances[0]!;
    expect(billing.state).toBe('terminated');
    expect(billing.tags[PID_TAG]).toBeUndefined();
    expect((await provider.inventory.instances({ states: ['running'], zone: 'us-east-1b' })).map((i) => i.id)).toEqual(['catalog-us-east-1b-0']);
    expect(await provider.inventory.zones()).toEqual([
      { name: 'us-east-1a', region: 'us-east-1' },
      { name: 'us-east-1b', region: 'us-east-1' },
    ]);
    expect(await provider.inventory.regions()).toEqual([{ name: 'us-east-1' }]);
  });

  it('names groups service@region when the stack spans several regions', async () => {
    const frontDoor = (zone: string) => admin('frontdoor-global-0', 'frontdoor', zone, 3, { region: 'global', zone: 'global' });
    const single = await serve([admin('catalog-us-east-1a-0', 'catalog', 'us-east-1a', 1), frontDoor('global')]);
    const singleProvider = new LocalProvider({ adminUrl: single.url });
    expect((await singleProvider.inventory.groups()).map((g) => g.name)).toEqual(['catalog', 'frontdoor']);
    // The front door steers traffic; its `global` is neither a region Kong may evacuate nor a zone Gorilla may drop.
    expect(await singleProvider.inventory.regions()).toEqual([{ name: 'us-east-1' }]);
    expect(await singleProvider.inventory.zones()).toEqual([{ name: 'us-east-1a', region: 'us-east-1' }]);
    const fake = await serve([admin('catalog-us-east-1a-0', 'catalog', 'us-east-1a', 1), admin('catalog-us-west-2a-0', 'catalog', 'us-west-2a', 2), frontDoor('global')]);
    const groups = await new LocalProvider({ adminUrl: fake.url }).inventory.groups();
    expect(groups.map((g) => [g.name, g.region])).toEqual([
      ['catalog@us-east-1', 'us-east-1'],
      ['catalog@us-west-2', 'us-west-2'],
      ['frontdoor', 'global'],
    ]);
  });

  it('fails with provider.unreachable when the admin API does not answer', async () => {
    const fake = await serve([]);
    await new Promise((done) => fake.server.close(done));
    servers.pop();
    const error = await new LocalProvider({ adminUrl: fake.url }).inventory.groups().catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.unreachable')).toBe(true);
  });
});

describe('LocalProvider actuator', () => {
  it('terminates the real process through the stack, by slot id and the pid it saw: SIGKILL by default, SIGTERM when asked', async () => {
    const [first, second] = [await idleChild(), await idleChild()];
    const fake = await serve([admin('catalog-a-0', 'catalog', 'us-east-1a', first.pid), admin('catalog-b-0', 'catalog', 'us-east-1b', second.pid)]);
    const provider = new LocalProvider({ adminUrl: fake.url, stackToken: STACK_TOKEN });
    const [a, b] = await provider.inventory.instances();

    const firstExit = once(first, 'exit');
    await provider.actuator.terminate(a!);
    expect(await firstExit).toEqual([null, 'SIGKILL']);
    expect(isRunning(second.pid)).toBe(true);

    const secondExit = once(second, 'exit');
    await provider.actuator.terminate(b!, { signal: 'SIGTERM' });
    expect(await secondExit).toEqual([null, 'SIGTERM']);
    expect(fake.terminations).toEqual([`catalog-a-0 ${first.pid} SIGKILL`, `catalog-b-0 ${second.pid} SIGTERM`]);
  });

  it('kills nothing without the stack token, and says the stack refused it', async () => {
    const child = await idleChild();
    const fake = await serve([admin('catalog-a-0', 'catalog', 'us-east-1a', child.pid)]);
    for (const provider of [new LocalProvider({ adminUrl: fake.url }), new LocalProvider({ adminUrl: fake.url, stackToken: `${STACK_TOKEN}-old` })]) {
      const [instance] = await provider.inventory.instances();
      const error = await provider.actuator.terminate(instance!).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.unauthorized')).toBe(true);
      expect((error as Error).message).toContain('catalog-a-0');
    }
    expect(fake.terminations).toEqual([]);
    expect(isRunning(child.pid)).toBe(true);
  });

  it('refuses to kill when the slot now runs another process or is not running', async () => {
    const [old, replacement] = [await idleChild(), await idleChild()];
    const fake = await serve([admin('catalog-a-0', 'catalog', 'us-east-1a', old.pid)]);
    const provider = new LocalProvider({ adminUrl: fake.url, stackToken: STACK_TOKEN });
    const [instance] = await provider.inventory.instances();
    fake.instances = [admin('catalog-a-0', 'catalog', 'us-east-1a', replacement.pid, { restarts: 1 })];
    const replaced = await provider.actuator.terminate(instance!).catch((e: unknown) => e);
    expect(isSimianError(replaced, 'provider.instanceGone')).toBe(true);
    fake.instances = [admin('catalog-a-0', 'catalog', 'us-east-1a', old.pid, { state: 'crashed' })];
    const crashed = await provider.actuator.terminate(instance!).catch((e: unknown) => e);
    expect(isSimianError(crashed, 'provider.instanceGone')).toBe(true);
    fake.instances = [];
    const unknown = await provider.actuator.terminate(instance!).catch((e: unknown) => e);
    expect(isSimianError(unknown, 'provider.instanceGone')).toBe(true);
    expect(isRunning(old.pid)).toBe(true);
    expect(isRunning(replacement.pid)).toBe(true);
  });

  it('says provider.unsupported for stop, and for network faults without toxiproxyUrl or trafficShiftUrl', async () => {
    const fake = await serve([admin('catalog-a-0', 'catalog', 'us-east-1a', 1)]);
    const { actuator, inventory } = new LocalProvider({ adminUrl: fake.url });
    const [instance] = await inventory.instances();
    const calls: Array<() => Promise<unknown>> = [
      () => actuator.stop(instance!),
      () => actuator.isolateZone({ name: 'us-east-1a', region: 'us-east-1' }),
      () => actuator.evacuateRegion({ name: 'us-east-1' }),
      () => actuator.addToxic({ proxy: 'catalog-a-0' }, { type: 'latency' }),
      () => actuator.revert('toxic:catalog-a-0:simian-x'),
      () => actuator.revert('evacuate:us-east-1'),
    ];
    for (const call of calls) {
      const error = await Promise.resolve().then(call).catch((e: unknown) => e);
      expect(isSimianError(error, 'provider.unsupported')).toBe(true);
    }
  });

  it('says provider.badRevertId for a revert id it did not write', async () => {
    const fake = await serve([]);
    const error = await new LocalProvider({ adminUrl: fake.url }).actuator.revert('x').catch((e: unknown) => e);
    expect(isSimianError(error, 'provider.badRevertId')).toBe(true);
  });
});

describe('StateStoreLedger', () => {
  it('records terminations in the state store, where the rate limits read them', async () => {
    const clock = new ManualClock();
    const store = StateStore.open(':memory:', { clock });
    try {
      const ledger = new StateStoreLedger(store, 'local');
      expect(await ledger.lastFaultAt('catalog')).toBeUndefined();
      const at = clock.now();
      await ledger.record({ id: 'f1', kind: 'terminate', targets: ['catalog-a-0'], startedAt: at, parameters: {}, group: 'catalog', monkey: 'chaos' });
      expect(await ledger.lastFaultAt('catalog')).toBe(at);
      expect(await ledger.faultsSince('catalog', at)).toBe(1);
      expect(await ledger.faultsSince('catalog', at + 1)).toBe(0);
      expect(store.history()).toEqual([
        { type: 'termination', at, decision: 'executed', monkey: 'chaos', provider: 'local', group: 'catalog', instanceId: 'catalog-a-0' },
      ]);
    } finally {
      store.close();
    }
  });

  it('fails to record on a closed store, so the pipeline injects nothing', async () => {
    const [child1, child2] = [await idleChild(), await idleChild()];
    const fake = await serve([admin('catalog-a-0', 'catalog', 'us-east-1a', child1.pid), admin('catalog-b-0', 'catalog', 'us-east-1b', child2.pid)]);
    const clock = new ManualClock();
    const store = StateStore.open(':memory:', { clock });
    store.close();
    const pipeline = new SafetyPipeline({
      provider: new LocalProvider({ adminUrl: fake.url, stackToken: STACK_TOKEN }),
      ledger: new StateStoreLedger(store, 'local'),
      clock,
      random: new SeededRandom(1),
      config: { leashed: false },
    });
    const decision = await pipeline.terminate({ monkey: 'chaos', group: 'catalog' });
    expect(decision.outcome).toBe('skipped');
    expect(isRunning(child1.pid) && isRunning(child2.pid)).toBe(true);
  });

  it('lets the safety pipeline kill exactly one opted-in process and records it', async () => {
    const kids = [await idleChild(), await idleChild(), await idleChild()];
    const fake = await serve([
      admin('catalog-a-0', 'catalog', 'us-east-1a', kids[0]!.pid),
      admin('catalog-b-0', 'catalog', 'us-east-1b', kids[1]!.pid),
      admin('catalog-c-0', 'catalog', 'us-east-1c', kids[2]!.pid, { tags: { 'simian/opt-in': 'false' } }),
    ]);
    const clock = new ManualClock();
    const store = StateStore.open(':memory:', { clock });
    try {
      const pipeline = new SafetyPipeline({
        provider: new LocalProvider({ adminUrl: fake.url, stackToken: STACK_TOKEN }),
        ledger: new StateStoreLedger(store, 'local'),
        clock,
        random: new SeededRandom(7),
        config: { leashed: false },
      });
      const decision = await pipeline.terminate({ monkey: 'chaos', group: 'catalog' });
      expect(decision.outcome).toBe('executed');
      const [victim] = decision.outcome === 'executed' ? decision.fault.targets : [];
      expect(['catalog-a-0', 'catalog-b-0']).toContain(victim);
      const victimPid = fake.instances.find((i) => i.id === victim)!.pid!;
      await waitUntil(() => !isRunning(victimPid), 'the victim has exited');
      expect(kids.filter((k) => isRunning(k.pid))).toHaveLength(2);
      expect(isRunning(kids[2]!.pid)).toBe(true);
      expect(store.history().map((e) => (e.type === 'termination' ? e.instanceId : e.type === 'fault' ? e.id : e.decision))).toEqual([victim]);
    } finally {
      store.close();
    }
  });
});
