/**
 * @module
 * `simian stack up|status|down`: the reference streaming stack on this machine, one per state directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fchmodSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { Command } from 'commander';
import type { Disposable } from '../../core/events.js';
import { SimianError } from '../../core/errors.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../../core/private-files.js';
import { ReferenceStack, type StackInstance } from '../../reference-stack/stack/reference-stack.js';
import { createStackAdminApi } from '../../reference-stack/stack/stack-admin-api.js';
import { alreadyRunningError, StackLock } from '../../reference-stack/stack/stack-lock.js';
import { clearStackState, isAlive, readStackState, writeStackState } from '../../reference-stack/stack/stack-state.js';
import { clearStackToken, newStackToken, writeStackToken } from '../../reference-stack/stack/stack-token.js';
import { loadTopology } from '../../reference-stack/topology/topology.js';
import type { Topology } from '../../reference-stack/topology/topology-schema.js';
import { requirePrometheusBinary, startPrometheusServer, type PrometheusServer, type PrometheusTarget } from '../../slo/prometheus-server.js';
import { createToxiproxyServer } from '../../toxiproxy/server.js';
import { LocalProvider } from '../../providers/local/local-provider.js';
import type { CommandDeps, CommandFactory } from '../program.js';
import { keepLocalFaultsOnTime, type FaultKeeper } from '../stack-fault-keeper.js';
import { formatTable } from '../table.js';
import { parseHttpUrl } from '../parsers.js';
import { resolveCommandConfig } from './config.js';

/** The kill switch the stack's sweep obeys. */
type KillSwitchConfig = { readonly killSwitch: boolean; readonly killSwitchFile?: string };

interface UpFlags {
  topology: string;
  stateDir: string;
  dataDir?: string;
  toxiproxy?: string;
  prometheus?: boolean;
  detach?: boolean;
  json?: boolean;
}

const DEFAULT_STATE_DIR = '.simian';

/** A table of instances, one line each. */
export function formatInventory(instances: readonly Pick<StackInstance, 'id' | 'state' | 'pid' | 'publicAddress' | 'restarts'>[]): string {
  const rows = instances.map((i) => [i.id, i.state, String(i.pid ?? '-'), i.publicAddress, String(i.restarts)]);
  return formatTable(['INSTANCE', 'STATE', 'PID', 'ADDRESS', 'RESTARTS'], rows);
}

/** The `job` label of the stack's targets, as in dashboards/prometheus/prometheus.yml (the dashboards select on it). */
export const STACK_SCRAPE_JOB = 'reference-stack';

/**
 * The instances as scrape targets: their direct addresses (not through the fault proxy, so that a latency fault does
 * not slow the scrape) with `service`, `region`, `zone` and `instance` labels.
 */
export function stackTargets(instances: readonly Pick<StackInstance, 'id' | 'service' | 'region' | 'zone' | 'address' | 'state'>[]): PrometheusTarget[] {
  return instances
    .filter((i) => i.address !== undefined && i.state === 'running')
    .map((i) => ({ address: i.address!, labels: { service: i.service, region: i.region, zone: i.zone, instance: i.id } }));
}

async function up(deps: CommandDeps, flags: UpFlags, command: Command): Promise<void> {
  const stateDir = resolve(flags.stateDir);
  // Bad input is refused before anything starts.
  const topology = await loadTopology(flags.topology);
  // The kill switch the stack's sweep obeys: simian.yaml's (or <state-dir>/kill-switch).
  const config = await resolveCommandConfig({ stateDir });
  if (flags.prometheus) requirePrometheusBinary();
  if (flags.detach) return detach(deps, stateDir, command);
  // The lock is taken by the process that runs the stack (with --detach, the background one), before it starts
  // anything: a second `stack up` on this state directory stops here, with nothing of its own left running.
  const lock = await StackLock.acquire(stateDir, { clock: deps.clock });
  try {
    await runStack(deps, flags, stateDir, topology, config.safety);
  } finally {
    lock.release();
  }
}

/** Runs the stack in this process until SIGINT or SIGTERM; the caller holds the state directory's lock. */
async function runStack(deps: CommandDeps, flags: UpFlags, stateDir: string, topology: Topology, killSwitch: KillSwitchConfig): Promise<void> {
  // Whatever a crashed stack left here describes nothing any more.
  clearStackState(stateDir);
  const stackToken = newStackToken();
  writeStackToken(stateDir, stackToken);
  const embedded = flags.toxiproxy ? undefined : await createToxiproxyServer({ host: '127.0.0.1', port: 0, clock: deps.clock, random: deps.random }).catch((error: unknown) => {
    clearStackToken(stateDir);
    throw error;
  });
  const toxiproxyUrl = flags.toxiproxy ?? embedded!.url;
  let stack: ReferenceStack | undefined;
  let keeper: FaultKeeper | undefined;
  let prometheus: PrometheusServer | undefined;
  let admin: ServerType | undefined;
  let following: Disposable[] = [];
  try {
    deps.writeErr(`starting the "${flags.topology}" stack…\n`);
    stack = await ReferenceStack.start({ topology, dataDir: resolve(flags.dataDir ?? `${stateDir}/data`), toxiproxyUrl, stackToken, clock: deps.clock });
    const running = stack;
    const api = createStackAdminApi({
      stackToken,
      inventory: () => running.inventory(),
      signal: (id, signal, pid) => running.supervisor.signal(id, signal, pid),
      // What every simian run decided against this stack, from the state store: Prometheus scrapes it here.
      metrics: () => keeper?.metrics() ?? Promise.resolve(''),
    });
    const server = createAdaptorServer({ fetch: api.fetch });
    admin = server;
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const adminUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (flags.prometheus) {
      prometheus = await startPrometheusServer({ targets: stackTargets(running.inventory()), jobName: STACK_SCRAPE_JOB, clock: deps.clock });
      // A replaced instance listens on a new port: rewrite the targets file whenever one starts or dies.
      const follow = (): void => prometheus?.setTargets(stackTargets(running.inventory()));
      following = [running.supervisor.launched(follow), running.supervisor.exited(follow)];
    }
    writeStackState(stateDir, {
      pid: process.pid,
      topology: flags.topology,
      frontDoorUrl: stack.frontDoorUrl,
      toxiproxyUrl,
      adminUrl,
      ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
      startedAt: deps.clock.now(),
    });
    keeper = keepLocalFaultsOnTime(
      deps,
      stateDir,
      new LocalProvider({ adminUrl, toxiproxyUrl, ...(stack.frontDoorUrl ? { frontDoorUrl: stack.frontDoorUrl } : {}), stackToken, random: deps.random }),
      killSwitch,
    );
    const prometheusUrl = prometheus?.url;
    if (flags.json) deps.writeOut(`${JSON.stringify({ frontDoorUrl: stack.frontDoorUrl, toxiproxyUrl, prometheusUrl, instances: stack.inventory() }, null, 2)}\n`);
    else {
      const promLine = prometheusUrl ? `prometheus  ${prometheusUrl}\n` : '';
      deps.writeOut(`front door  ${stack.frontDoorUrl}\ntoxiproxy   ${toxiproxyUrl}\n${promLine}\n${formatInventory(stack.inventory())}\nCtrl-C stops the stack.\n`);
    }
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
  } finally {
    deps.writeErr('stopping the stack…\n');
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
  }
}

/** The background stack's standard output and error (so that a failed start can say why). */
export function stackLogPath(stateDir: string): string {
  return join(stateDir, 'stack.log');
}

/** The last lines of the background stack's log, for the message of a failed start. */
function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts `simian stack up` again in the background and returns once it has written its state. The background
 * process takes the lock itself (this one exits): when another stack took it first, it exits with code 2 before
 * starting anything, and this one says who holds it.
 */
async function detach(deps: CommandDeps, stateDir: string, command: Command): Promise<void> {
  const holder = await StackLock.holder(stateDir, { clock: deps.clock });
  if (holder) throw alreadyRunningError(stateDir, holder);
  makePrivateDir(stateDir);
  const logPath = stackLogPath(stateDir);
  const log = openSync(logPath, 'a', PRIVATE_FILE_MODE);
  let child: ChildProcess;
  try {
    fchmodSync(log, PRIVATE_FILE_MODE);
    ftruncateSync(log, 0);
    const args = process.argv.slice(1).filter((a) => a !== '--detach');
    if (!command.opts<UpFlags>().stateDir || !args.includes('--state-dir')) args.push('--state-dir', stateDir);
    child = spawn(process.execPath, [...process.execArgv, ...args], { detached: true, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  child.unref();
  const deadline = deps.clock.monotonic() + 60_000;
  while (deps.clock.monotonic() < deadline) {
    try {
      const state = readStackState(stateDir);
      if (state.pid === child.pid) {
        deps.writeOut(`stack running in the background (pid ${state.pid})\nfront door  ${state.frontDoorUrl}\n${state.prometheusUrl ? `prometheus  ${state.prometheusUrl}\n` : ''}`);
        return;
      }
    } catch {
      // not written yet
    }
    if (child.exitCode !== null) {
      if (child.exitCode === 2) {
        // Most likely another stack up took the lock first.
        const winner = await StackLock.holder(stateDir, { clock: deps.clock });
        if (winner) throw alreadyRunningError(stateDir, winner);
      }
      const tail = logTail(logPath);
      throw new SimianError('stack.startFailed', `the background stack exited with code ${child.exitCode}${tail ? `:\n${tail}` : ''}\n(its output: ${logPath})`, {
        exitCode: child.exitCode === 2 ? 2 : 1,
      });
    }
    await deps.clock.sleep(200);
  }
  throw new SimianError('stack.startFailed', `the background stack did not start within 60 s (its output: ${logPath})`);
}

async function status(deps: CommandDeps, flags: { stateDir: string; json?: boolean }): Promise<void> {
  const state = readStackState(resolve(flags.stateDir));
  if (!isAlive(state.pid)) throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) is no longer running`);
  // A stack that takes the request and never answers (stopped with SIGSTOP, wedged) must not hang status: the
  // answer, body included, comes within 5 s or not at all.
  const giveUp = new AbortController();
  const timer = deps.clock.setTimer(() => giveUp.abort(), 5_000, { keepAlive: false });
  const instances = await fetch(new URL('/inventory', state.adminUrl), { signal: giveUp.signal })
    .then(async (answer) => (answer.ok ? ((await answer.json()) as { instances: StackInstance[] }).instances : undefined))
    .catch(() => undefined)
    .finally(() => timer.cancel());
  if (!instances) {
    throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) does not answer within 5 s; if it crashed, "simian stack down" cleans up`);
  }
  if (flags.json) deps.writeOut(`${JSON.stringify({ ...state, instances }, null, 2)}\n`);
  else {
    const promLine = state.prometheusUrl ? `prometheus  ${state.prometheusUrl}\n` : '';
    deps.writeOut(`front door  ${state.frontDoorUrl}\ntoxiproxy   ${state.toxiproxyUrl}\n${promLine}\n${formatInventory(instances)}`);
  }
}

/**
 * Stops the stack that holds the state directory's lock, and waits until it has let go of it. The pid comes from
 * the lock's holder, never from a stack.json that a crashed stack may have left: when nobody holds the lock, no
 * stack runs from here, and nothing is signalled.
 */
async function down(deps: CommandDeps, flags: { stateDir: string }): Promise<void> {
  const stateDir = resolve(flags.stateDir);
  const holder = await StackLock.holder(stateDir, { clock: deps.clock });
  if (!holder) {
    readStackState(stateDir); // throws stack.notRunning when there is nothing to clean up either
    clearStackState(stateDir);
    clearStackToken(stateDir);
    deps.writeOut('stack stopped (it was no longer running)\n');
    return;
  }
  if (holder.pid === undefined) throw new SimianError('stack.stopFailed', `the stack of ${stateDir} is starting and has not written its pid yet; try again in a moment`);
  process.kill(holder.pid, 'SIGTERM');
  const deadline = deps.clock.monotonic() + 30_000;
  // The lock goes with the process, however it ends (even as a zombie nobody reaped).
  while (await StackLock.holder(stateDir, { clock: deps.clock, ownerWaitMs: 0 })) {
    if (deps.clock.monotonic() > deadline) throw new SimianError('stack.stopFailed', `the stack (pid ${holder.pid}) did not stop within 30 s`);
    await deps.clock.sleep(100);
  }
  clearStackState(stateDir);
  clearStackToken(stateDir);
  deps.writeOut('stack stopped\n');
}

/** The `stack` command. */
export const stackCommand: CommandFactory = (deps) => {
  const stack = new Command('stack').description('Run the bundled reference streaming stack (a small Netflix) on this machine');
  stack
    .command('up')
    .description('start the stack and keep it running until Ctrl-C (or in the background with --detach)')
    .option('--topology <name|file>', 'built-in topology (small, default) or a topology YAML file', 'small')
    .option('--state-dir <dir>', 'where the running stack leaves its state for status and down', DEFAULT_STATE_DIR)
    .option('--data-dir <dir>', 'where billing keeps its databases (default: <state-dir>/data)')
    .option('--toxiproxy <url>', 'use this Toxiproxy server instead of the embedded one', parseHttpUrl)
    .option('--prometheus', 'also start a Prometheus (the "prometheus" binary on PATH) scraping every instance; its URL goes in the state')
    .option('--detach', 'run in the background and return once it is up')
    .option('--json', 'print the front door and the inventory as JSON')
    .action((flags: UpFlags, command: Command) => up(deps, flags, command));
  stack
    .command('status')
    .description('show the running stack\'s instances')
    .option('--state-dir <dir>', 'the state directory given to "stack up"', DEFAULT_STATE_DIR)
    .option('--json', 'print as JSON')
    .action((flags: { stateDir: string; json?: boolean }) => status(deps, flags));
  stack
    .command('down')
    .description('stop the running stack and every process it started')
    .option('--state-dir <dir>', 'the state directory given to "stack up"', DEFAULT_STATE_DIR)
    .action((flags: { stateDir: string }) => down(deps, flags));
  return stack;
};
