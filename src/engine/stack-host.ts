/**
 * @module
 * The stack host: runs the reference stack in this process for any front end (`simian stack up`, the game-day
 * console, a drill). It takes the state directory's lock, starts the fault proxy (embedded unless one is given), the
 * supervised instances, the stack's admin API, optionally a Prometheus scraping every instance, and the sweep that
 * keeps local faults on time; it writes `stack.json` for other processes, and tells its events: progress while the
 * stack comes up, then every instance that goes down or is replaced, and every fault it reverts.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import type { Clock } from '../core/clock.js';
import type { Disposable } from '../core/events.js';
import type { Random } from '../core/random.js';
import { LocalProvider } from '../providers/local/local-provider.js';
import { ReferenceStack, type StackInstance } from '../reference-stack/stack/reference-stack.js';
import { createStackAdminApi } from '../reference-stack/stack/stack-admin-api.js';
import { StackLock } from '../reference-stack/stack/stack-lock.js';
import { STACK_SCRAPE_JOB, stackTargets } from '../reference-stack/stack/scrape-targets.js';
import { clearStackState, writeStackState, type StackState } from '../reference-stack/stack/stack-state.js';
import { clearStackToken, newStackToken, writeStackToken } from '../reference-stack/stack/stack-token.js';
import type { Supervisor } from '../reference-stack/supervisor/supervisor.js';
import { desiredInstances } from '../reference-stack/topology/desired-instances.js';
import type { Topology } from '../reference-stack/topology/topology-schema.js';
import { startPrometheusServer, type PrometheusServer } from '../slo/prometheus-server.js';
import { createToxiproxyServer, type ToxiproxyServer } from '../toxiproxy/server.js';
import type { EngineEvents } from './events.js';
import { keepLocalFaultsOnTime, type FaultKeeper } from './fault-sweep.js';

/** What {@link hostStack} needs. */
export interface StackHostOptions {
  readonly topology: Topology;
  /** How the topology was named (`small`, or its file), for stack.json. */
  readonly topologyName: string;
  /** The state directory: its lock, stack.json, stack.token, the state store the sweep reads. */
  readonly stateDir: string;
  /** Where billing keeps its databases. @default `<stateDir>/data` */
  readonly dataDir?: string;
  /** A Toxiproxy server to use instead of the embedded one. */
  readonly toxiproxyUrl?: string;
  /** Also start a Prometheus scraping every instance (the `prometheus` binary on PATH). */
  readonly prometheus?: boolean;
  /** The kill switch the sweep obeys. */
  readonly killSwitch: { readonly killSwitch: boolean; readonly killSwitchFile?: string };
  /** The hosting process, written to stack.json: `stack down` signals it. */
  readonly pid: number;
  readonly clock: Clock;
  readonly random: Random;
  readonly events: EngineEvents;
}

/** A running stack; `stop` it in a `finally`. */
export interface StackHost {
  /** What stack.json says: the front door, the proxy, the admin API, Prometheus. */
  readonly state: StackState;
  inventory(): StackInstance[];
  /** Stops the sweep, Prometheus, every instance, the proxy and the admin API; clears stack.json and the lock. */
  stop(): Promise<void>;
}

/** Follows the supervisor: progress during the first start, then instances going down and being replaced. */
function followInstances(supervisor: Supervisor, total: number, options: StackHostOptions): Disposable[] {
  const { clock, events } = options;
  let up = 0;
  return [
    supervisor.launched(({ instance, replacement }) => {
      if (replacement) {
        events.emit({ kind: 'instance', at: clock.now(), id: instance.id, service: instance.service, state: 'replaced', ...(instance.pid ? { pid: instance.pid } : {}) });
        return;
      }
      up += 1;
      events.emit({ kind: 'instance', at: clock.now(), id: instance.id, service: instance.service, state: 'up', ...(instance.pid ? { pid: instance.pid } : {}) });
      events.emit({ kind: 'progress', at: clock.now(), task: 'stack', message: `${up} of ${total} instances up`, fraction: up / total });
    }),
    supervisor.exited(({ instance, expected }) => {
      if (expected) return;
      events.emit({ kind: 'instance', at: clock.now(), id: instance.id, service: instance.service, state: 'down' });
    }),
  ];
}

/** Serves the admin API on a loopback port; resolves with the server and its URL. */
async function serveAdmin(app: { fetch: (request: Request) => Response | Promise<Response> }): Promise<{ server: ServerType; url: string }> {
  const server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Takes the state directory's lock and starts the stack; resolves once every instance is ready and stack.json is
 * written.
 *
 * @throws SimianError `stack.alreadyRunning` when another stack holds the state directory; `stack.startFailed` when an
 *   instance does not start (everything started is stopped first)
 */
export async function hostStack(options: StackHostOptions): Promise<StackHost> {
  const { clock, events } = options;
  const stateDir = resolve(options.stateDir);
  // A second host on this state directory stops here, with nothing of its own started.
  const lock = await StackLock.acquire(stateDir, { clock });
  // Whatever a crashed stack left here describes nothing any more.
  clearStackState(stateDir);
  const stackToken = newStackToken();
  writeStackToken(stateDir, stackToken);
  let embedded: ToxiproxyServer | undefined;
  let stack: ReferenceStack | undefined;
  let keeper: FaultKeeper | undefined;
  let prometheus: PrometheusServer | undefined;
  let admin: ServerType | undefined;
  const following: Disposable[] = [];
  const stop = async (): Promise<void> => {
    events.emit({ kind: 'progress', at: clock.now(), task: 'stack', message: 'stopping' });
    await keeper?.stop();
    for (const subscription of following) subscription.dispose();
    await prometheus?.stop();
    await stack?.stop();
    await embedded?.close();
    if (admin) {
      admin.close();
      (admin as Server).closeAllConnections();
    }
    clearStackState(stateDir);
    clearStackToken(stateDir);
    lock.release();
  };
  try {
    if (!options.toxiproxyUrl) embedded = await createToxiproxyServer({ host: '127.0.0.1', port: 0, clock, random: options.random });
    const toxiproxyUrl = options.toxiproxyUrl ?? embedded!.url;
    const total = desiredInstances(options.topology).length;
    events.emit({ kind: 'progress', at: clock.now(), task: 'stack', message: `starting the "${options.topologyName}" stack (${total} instances)`, fraction: 0 });
    const dataDir = resolve(options.dataDir ?? `${stateDir}/data`);
    stack = await ReferenceStack.start({
      topology: options.topology,
      dataDir,
      toxiproxyUrl,
      stackToken,
      clock,
      supervising: (supervisor) => following.push(...followInstances(supervisor, total, options)),
    });
    const running = stack;
    const api = createStackAdminApi({
      stackToken,
      inventory: () => running.inventory(),
      signal: (id, signal, pid) => running.supervisor.signal(id, signal, pid),
      // What every simian run decided against this stack, from the state store: Prometheus scrapes it here.
      metrics: () => keeper?.metrics() ?? Promise.resolve(''),
      evacuations: running.evacuations,
    });
    const served = await serveAdmin(api);
    admin = served.server;
    if (options.prometheus) {
      prometheus = await startPrometheusServer({ targets: stackTargets(running.inventory()), jobName: STACK_SCRAPE_JOB, clock });
      // A replaced instance listens on a new port: rewrite the targets file whenever one starts or dies.
      const follow = (): void => prometheus?.setTargets(stackTargets(running.inventory()));
      following.push(running.supervisor.launched(follow), running.supervisor.exited(follow));
    }
    const state: StackState = {
      pid: options.pid,
      topology: options.topologyName,
      frontDoorUrl: stack.frontDoorUrl,
      frontDoorUrls: stack.frontDoorUrls,
      toxiproxyUrl,
      adminUrl: served.url,
      ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
      dataDir,
      startedAt: clock.now(),
    };
    writeStackState(stateDir, state);
    keeper = keepLocalFaultsOnTime(
      { clock, events },
      stateDir,
      new LocalProvider({
        adminUrl: served.url,
        toxiproxyUrl,
        // Evacuations go through the stack, which sends them to every front door.
        ...(stack.frontDoorUrl ? { trafficShiftUrl: served.url } : {}),
        stackToken,
        random: options.random,
      }),
      options.killSwitch,
    );
    return { state, inventory: () => running.inventory(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
