/**
 * @module
 * `simian stack up|status|down`: the reference streaming stack on this machine.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Command } from 'commander';
import type { Disposable } from '../../core/events.js';
import { SimianError } from '../../core/errors.js';
import { ReferenceStack, type StackInstance } from '../../reference-stack/stack/reference-stack.js';
import { clearStackState, isAlive, readStackState, writeStackState } from '../../reference-stack/stack/stack-state.js';
import { loadTopology } from '../../reference-stack/topology/topology.js';
import { requirePrometheusBinary, startPrometheusServer, type PrometheusServer, type PrometheusTarget } from '../../slo/prometheus-server.js';
import { createToxiproxyServer } from '../../toxiproxy/server.js';
import { LocalProvider } from '../../providers/local/local-provider.js';
import type { CommandDeps, CommandFactory } from '../program.js';
import { keepLocalFaultsOnTime, type FaultKeeper } from '../stack-fault-keeper.js';
import { formatTable } from '../table.js';
import { parseHttpUrl } from '../parsers.js';

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
  try {
    const running = readStackState(stateDir);
    if (isAlive(running.pid)) throw new SimianError('stack.alreadyRunning', `a stack is already running (pid ${running.pid}); "simian stack down" first`, { exitCode: 2 });
  } catch (error) {
    if (!(error instanceof SimianError && error.code === 'stack.notRunning')) throw error;
  }
  // Bad input is refused before anything starts.
  const topology = await loadTopology(flags.topology);
  if (flags.prometheus) requirePrometheusBinary();
  if (flags.detach) return detach(deps, stateDir, command);

  const embedded = flags.toxiproxy ? undefined : await createToxiproxyServer({ host: '127.0.0.1', port: 0, clock: deps.clock, random: deps.random });
  const toxiproxyUrl = flags.toxiproxy ?? embedded!.url;
  let stack: ReferenceStack | undefined;
  let keeper: FaultKeeper | undefined;
  let prometheus: PrometheusServer | undefined;
  let following: Disposable[] = [];
  const admin = createServer((req, res) => {
    if (req.url === '/metrics') {
      // What every simian run decided against this stack, from the state store: Prometheus scrapes it here.
      (keeper?.metrics() ?? Promise.resolve('')).then(
        (text) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(text),
        () => res.writeHead(503).end(),
      );
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ instances: stack?.inventory() ?? [] }));
  });
  try {
    deps.writeErr(`starting the "${flags.topology}" stack…\n`);
    stack = await ReferenceStack.start({ topology, dataDir: resolve(flags.dataDir ?? `${stateDir}/data`), toxiproxyUrl, clock: deps.clock });
    await new Promise<void>((ok) => admin.listen(0, '127.0.0.1', ok));
    const adminUrl = `http://127.0.0.1:${(admin.address() as AddressInfo).port}`;
    if (flags.prometheus) {
      const running = stack;
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
      new LocalProvider({ adminUrl, toxiproxyUrl, ...(stack.frontDoorUrl ? { frontDoorUrl: stack.frontDoorUrl } : {}), random: deps.random }),
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
    admin.close();
    clearStackState(stateDir);
  }
}

/** Starts `simian stack up` again in the background and returns once it has written its state. */
async function detach(deps: CommandDeps, stateDir: string, command: Command): Promise<void> {
  const args = process.argv.slice(1).filter((a) => a !== '--detach');
  if (!command.opts<UpFlags>().stateDir || !args.includes('--state-dir')) args.push('--state-dir', stateDir);
  const child = spawn(process.execPath, [...process.execArgv, ...args], { detached: true, stdio: 'ignore' });
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
    if (child.exitCode !== null) throw new SimianError('stack.startFailed', `the background stack exited with code ${child.exitCode}`);
    await deps.clock.sleep(200);
  }
  throw new SimianError('stack.startFailed', 'the background stack did not start within 60 s');
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

async function down(deps: CommandDeps, flags: { stateDir: string }): Promise<void> {
  const stateDir = resolve(flags.stateDir);
  const state = readStackState(stateDir);
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGTERM');
  const deadline = deps.clock.monotonic() + 30_000;
  while (isAlive(state.pid)) {
    if (deps.clock.monotonic() > deadline) throw new SimianError('stack.stopFailed', `the stack (pid ${state.pid}) did not stop within 30 s`);
    await deps.clock.sleep(100);
  }
  clearStackState(stateDir);
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
