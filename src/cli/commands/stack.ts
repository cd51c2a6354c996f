/**
 * @module
 * `simian stack up|status|down`: the reference streaming stack on this machine, one per state directory.
 */
import { Command } from 'commander';
import type { Disposable } from '../../core/events.js';
import { SimianError } from '../../core/errors.js';
import { EngineEvents } from '../../engine/events.js';
import { hostStack } from '../../engine/stack-host.js';
import { StackAdminClient, type AdminInstance } from '../../reference-stack/stack/stack-admin-client.js';
import { StackLock } from '../../reference-stack/stack/stack-lock.js';
import { clearStackState, isAlive, readStackState } from '../../reference-stack/stack/stack-state.js';
import { clearStackToken } from '../../reference-stack/stack/stack-token.js';
import { loadTopology } from '../../reference-stack/topology/topology.js';
import { requirePrometheusBinary } from '../../slo/prometheus-server.js';
import type { CommandDeps, CommandFactory } from '../command-deps.js';
import { everyQuarter, renderEvents } from '../render-events.js';
import { untilSignal } from '../signals.js';
import { formatTable } from '../table.js';
import { parseHttpUrl } from '../parsers.js';
import { detach, frontDoorLines } from './stack-detach.js';
import { addStateDirOptions, resolveCommandConfig, type StateDirOptionValues } from './config.js';

interface UpFlags extends StateDirOptionValues {
  topology: string;
  dataDir?: string;
  toxiproxy?: string;
  prometheus?: boolean;
  detach?: boolean;
  json?: boolean;
}

/** A table of instances, one line each. */
export function formatInventory(instances: readonly Pick<AdminInstance, 'id' | 'state' | 'pid' | 'publicAddress' | 'restarts'>[]): string {
  const rows = instances.map((i) => [i.id, i.state, String(i.pid ?? '-'), i.publicAddress ?? '-', String(i.restarts ?? 0)]);
  return formatTable(['INSTANCE', 'STATE', 'PID', 'ADDRESS', 'RESTARTS'], rows);
}

async function up(deps: CommandDeps, flags: UpFlags): Promise<void> {
  // Bad input is refused before anything starts. The configuration gives the state directory (the one every
  // other command finds) and the kill switch the stack's sweep obeys.
  const topology = await loadTopology(flags.topology);
  const config = await resolveCommandConfig(flags);
  const stateDir = config.stateDir;
  if (flags.prometheus) requirePrometheusBinary();
  if (flags.detach) return detach(deps, stateDir, { json: flags.json === true });
  // The stack narrates its start and every revert and replacement (its output goes to stack.log when detached).
  const events = new EngineEvents();
  const rendering = renderStackEvents(events, deps);
  // Listened for from the start: a Ctrl-C while the instances come up stops the stack once it is up, cleanly,
  // rather than killing this process and leaving its instances behind.
  const interrupted = untilSignal(deps.signals);
  try {
    // The lock is taken by the process that runs the stack (with --detach, the background one), before it starts
    // anything: a second `stack up` on this state directory stops there, with nothing of its own left running.
    const host = await hostStack({
      topology,
      topologyName: flags.topology,
      stateDir,
      ...(flags.dataDir ? { dataDir: flags.dataDir } : {}),
      ...(flags.toxiproxy ? { toxiproxyUrl: flags.toxiproxy } : {}),
      prometheus: flags.prometheus === true,
      killSwitch: config.safety,
      pid: deps.pid,
      clock: deps.clock,
      random: deps.random,
      events,
    });
    try {
      const { frontDoorUrl, frontDoorUrls, toxiproxyUrl, prometheusUrl } = host.state;
      if (flags.json) deps.writeOut(`${JSON.stringify({ frontDoorUrl, frontDoorUrls, toxiproxyUrl, prometheusUrl, instances: host.inventory() }, null, 2)}\n`);
      else {
        const promLine = prometheusUrl ? `prometheus  ${prometheusUrl}\n` : '';
        deps.writeOut(`${frontDoorLines(host.state)}toxiproxy   ${toxiproxyUrl}\n${promLine}\n${formatInventory(host.inventory())}\nCtrl-C stops the stack.\n`);
      }
      await interrupted;
    } finally {
      await host.stop();
    }
  } finally {
    rendering.dispose();
  }
}

/**
 * The stack's commentary on standard error: the start as a few progress lines (not one per instance), then every
 * instance that goes down or is replaced and every fault the sweep reverts.
 */
function renderStackEvents(events: EngineEvents, deps: CommandDeps): Disposable {
  const quarters = everyQuarter();
  const lines = renderEvents(events, deps.writeErr, 'all', (event) => {
    // The first start is told as progress; each instance coming up is for the console's map.
    if (event.kind === 'instance') return event.state !== 'up';
    if (event.kind !== 'progress' || event.fraction === 0) return true;
    return quarters(event);
  });
  return lines;
}

async function status(deps: CommandDeps, flags: StateDirOptionValues & { json?: boolean }): Promise<void> {
  const state = readStackState((await resolveCommandConfig(flags)).stateDir);
  if (!isAlive(state.pid)) throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) is no longer running`);
  // A stack that takes the request and never answers (stopped with SIGSTOP, wedged) must not hang status: the
  // answer, body included, comes within 5 s or not at all.
  const instances = await new StackAdminClient({ adminUrl: state.adminUrl, clock: deps.clock, timeoutMs: 5_000 })
    .inventory()
    .catch(() => undefined);
  if (!instances) {
    throw new SimianError('stack.notRunning', `the stack (pid ${state.pid}) does not answer within 5 s; if it crashed, "simian stack down" cleans up`);
  }
  if (flags.json) deps.writeOut(`${JSON.stringify({ ...state, instances }, null, 2)}\n`);
  else {
    const promLine = state.prometheusUrl ? `prometheus  ${state.prometheusUrl}\n` : '';
    deps.writeOut(`${frontDoorLines(state)}toxiproxy   ${state.toxiproxyUrl}\n${promLine}\n${formatInventory(instances)}`);
  }
}

/**
 * Stops the stack that holds the state directory's lock, and waits until it has let go of it. The pid comes from
 * the lock's holder, never from a stack.json that a crashed stack may have left: when nobody holds the lock, no
 * stack runs from here, and nothing is signalled.
 */
async function down(deps: CommandDeps, flags: StateDirOptionValues): Promise<void> {
  const { stateDir } = await resolveCommandConfig(flags);
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
    .option('--data-dir <dir>', 'where billing keeps its databases (default: <state-dir>/data)')
    .option('--toxiproxy <url>', 'use this Toxiproxy server instead of the embedded one', parseHttpUrl)
    .option('--prometheus', 'also start a Prometheus (the "prometheus" binary on PATH) scraping every instance; its URL goes in the state')
    .option('--detach', 'run in the background and return once it is up')
    .option('--json', 'print the front door and the inventory as JSON')
    .action((flags: UpFlags) => up(deps, flags));
  addStateDirOptions(stack.commands.at(-1)!, 'where the running stack leaves its state for status and down');
  stack
    .command('status')
    .description('show the running stack\'s instances')
    .option('--json', 'print as JSON')
    .action((flags: StateDirOptionValues & { json?: boolean }) => status(deps, flags));
  addStateDirOptions(stack.commands.at(-1)!, 'the state directory of "stack up"');
  stack
    .command('down')
    .description('stop the running stack and every process it started')
    .action((flags: StateDirOptionValues) => down(deps, flags));
  addStateDirOptions(stack.commands.at(-1)!, 'the state directory of "stack up"');
  return stack;
};

