/**
 * @module
 * The supervisor keeps the reference stack at the size its topology asks for, as an Auto Scaling group keeps its
 * desired capacity: it launches one process per slot, and when a process dies — a crash, Chaos Monkey, a
 * `kill -9` — it launches a new one in the same slot after the topology's `restartDelayMs`. `stop()` takes
 * everything down and leaves no process and no timer behind.
 */
import { systemClock, type Clock, type Timer } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import { EventEmitter, type Event } from '../../core/events.js';
import { silentLogger, type Logger } from '../../core/logger.js';
import type { ServiceName } from '../service-kit/identity.js';
import { desiredInstances, type DesiredInstance } from '../topology/desired-instances.js';
import type { Topology } from '../topology/topology-schema.js';
import { describeExit, type LaunchedProcess, type Launcher, type ProcessExit } from './launcher.js';
import type {
  InstanceExitedEvent,
  InstanceLaunchedEvent,
  InstanceReplacedEvent,
  LaunchFailedEvent,
  SupervisedInstance,
  SupervisedState,
} from './supervised-instance.js';

/**
 * The order of the first start, in waves: a wave starts once the one before is ready. Discovery comes first, so
 * that everyone else can register on start; then everything else at once. The front doors used to wait for a
 * wave of their own, which cost the whole start-up of one more process on a busy machine (a second of `small`'s
 * four); a front door ready before the gateways registered finds them with a lookup that refreshes on a miss
 * (`ServiceClient`). Services not listed start in a final wave.
 */
export const DEFAULT_START_ORDER: readonly (readonly ServiceName[])[] = [
  ['discovery'],
  ['gateway', 'user', 'catalog', 'recommendation', 'playback', 'billing', 'edge', 'origin', 'frontdoor'],
];

/** Options of {@link Supervisor}. */
export interface SupervisorOptions {
  topology: Topology;
  launcher: Launcher;
  /** Times replacements and the SIGKILL escalation. @default the system clock */
  clock?: Clock;
  logger?: Logger;
  /** How long `stop()` waits after SIGTERM before it sends SIGKILL. @default 5_000 */
  stopGracePeriodMs?: number;
  /** @default {@link DEFAULT_START_ORDER} */
  startOrder?: readonly (readonly ServiceName[])[];
}

/**
 * What {@link Supervisor.signal} did: signalled the process; no such slot; the slot has no running process (it is
 * starting, crashed, stopping or stopped); or it runs another process than the one asked for (it was replaced).
 */
export type SignalOutcome =
  | { readonly outcome: 'signalled'; readonly pid: number }
  | { readonly outcome: 'unknown' }
  | { readonly outcome: 'notRunning'; readonly state: SupervisedState }
  | { readonly outcome: 'replaced'; readonly pid: number };

/** Where the supervisor is in its (single) life. */
export type SupervisorPhase = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

interface Slot {
  readonly desired: DesiredInstance;
  /** Whether a launch has ever begun: slots of later start waves are not in the inventory yet. */
  launched: boolean;
  state: SupervisedState;
  pid: number | undefined;
  address: string | undefined;
  launchedAt: number;
  restarts: number;
  process: LaunchedProcess | undefined;
  /** The launch in progress, which settles (never rejects) once its process is ready or gone. */
  launching: Promise<Error | undefined> | undefined;
  /** Aborts the latest launch. */
  controller: AbortController | undefined;
  replacementTimer: Timer | undefined;
}

/**
 * Runs the instances of a topology and keeps them running.
 *
 * A supervisor starts once and stops once. Every process it owns is either in the inventory or in a launch it
 * awaits on `stop()`, so nothing escapes; and instance processes exit by themselves if the supervisor's process
 * dies (see `instance-runtime.ts`).
 *
 * @example
 * const supervisor = new Supervisor({ topology: await loadTopology('small'), launcher, logger });
 * supervisor.replaced(({ previous, current }) => logger.info({ id: current.id, pid: current.pid }, 'replaced'));
 * await supervisor.start();
 * console.table(supervisor.inventory());
 * process.once('SIGINT', () => void supervisor.stop());
 */
export class Supervisor {
  private readonly slots: Slot[];
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly launchedEmitter = new EventEmitter<InstanceLaunchedEvent>();
  private readonly exitedEmitter = new EventEmitter<InstanceExitedEvent>();
  private readonly replacedEmitter = new EventEmitter<InstanceReplacedEvent>();
  private readonly launchFailedEmitter = new EventEmitter<LaunchFailedEvent>();
  private currentPhase: SupervisorPhase = 'idle';
  private stopped: Promise<void> | undefined;

  /** An instance reported ready, on the first start or as a replacement. */
  readonly launched: Event<InstanceLaunchedEvent> = this.launchedEmitter.event;
  /** An instance's process exited, expectedly (stop) or not (crash, kill). */
  readonly exited: Event<InstanceExitedEvent> = this.exitedEmitter.event;
  /** A dead instance's slot is running again, with a new process. */
  readonly replaced: Event<InstanceReplacedEvent> = this.replacedEmitter.event;
  /** A launch failed; a replacement launch is retried after `restartDelayMs`. */
  readonly launchFailed: Event<LaunchFailedEvent> = this.launchFailedEmitter.event;

  constructor(private readonly options: SupervisorOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'supervisor' });
    this.slots = desiredInstances(options.topology).map((desired) => ({
      desired,
      launched: false,
      state: 'stopped',
      pid: undefined,
      address: undefined,
      launchedAt: 0,
      restarts: 0,
      process: undefined,
      launching: undefined,
      controller: undefined,
      replacementTimer: undefined,
    }));
  }

  /** The slots the topology asks for, in topology order (see `desiredInstances`). */
  get desired(): readonly DesiredInstance[] {
    return this.slots.map((slot) => slot.desired);
  }

  /** Where the supervisor is in its life: `idle` → `starting` → `running` → `stopping` → `stopped`. */
  get phase(): SupervisorPhase {
    return this.currentPhase;
  }

  /**
   * Launches every slot, wave by wave (see {@link DEFAULT_START_ORDER}), and resolves when all are ready.
   *
   * @throws SimianError `stack.startFailed` when an instance fails to start: everything launched is stopped first
   * @throws SimianError `stack.stopped` when `stop()` was called before every instance was ready
   */
  async start(): Promise<void> {
    if (this.currentPhase !== 'idle') {
      throw new SimianError('stack.alreadyStarted', `supervisor: start() called while ${this.currentPhase}`);
    }
    this.currentPhase = 'starting';
    this.logger.info({ instances: this.slots.length }, 'starting the stack');
    for (const wave of this.waves()) {
      const errors = await Promise.all(wave.map((slot) => this.launch(slot)));
      if (this.isStopping()) throw new SimianError('stack.stopped', 'supervisor: stopped before every instance was ready');
      const failures = errors.flatMap((error) => (error ? [error.message] : []));
      if (failures.length > 0) {
        await this.stop();
        throw new SimianError('stack.startFailed', `${failures.length} instance(s) failed to start:\n${failures.join('\n')}`);
      }
    }
    this.currentPhase = 'running';
    this.logger.info({ instances: this.slots.length }, 'stack running');
  }

  /** A snapshot of every instance launched so far, in topology order. */
  inventory(): SupervisedInstance[] {
    return this.slots.filter((slot) => slot.launched).map((slot) => this.snapshot(slot));
  }

  /** The instance in slot `id`, if it was launched. */
  instance(id: string): SupervisedInstance | undefined {
    const slot = this.slots.find((s) => s.desired.id === id);
    return slot?.launched ? this.snapshot(slot) : undefined;
  }

  /**
   * Sends `signal` to the process in slot `id`, as a monkey or an operator would; the supervisor then treats its
   * death like any other. Returns false when the slot has no live process.
   */
  kill(id: string, signal: NodeJS.Signals = 'SIGKILL'): boolean {
    return this.slots.find((s) => s.desired.id === id)?.process?.kill(signal) ?? false;
  }

  /**
   * Sends `signal` to the process in slot `id` only while that slot runs process `pid`: the pid the caller saw in
   * an inventory, which may be stale by now. The signal goes through the supervisor's own handle on its child, never
   * to a bare pid, so a pid the system has since given to an unrelated process is never signalled.
   */
  signal(id: string, signal: NodeJS.Signals, pid: number): SignalOutcome {
    const slot = this.slots.find((s) => s.desired.id === id);
    if (!slot) return { outcome: 'unknown' };
    const child = slot.process;
    if (!child || slot.state !== 'running') return { outcome: 'notRunning', state: slot.state };
    if (child.pid !== pid) return { outcome: 'replaced', pid: child.pid };
    return child.kill(signal) ? { outcome: 'signalled', pid } : { outcome: 'notRunning', state: slot.state };
  }

  /**
   * Stops everything: cancels pending replacements, aborts launches in progress, sends SIGTERM to every process
   * and SIGKILL to those still running after the grace period. Resolves when every process has exited.
   * Calling it again returns the same promise.
   */
  stop(): Promise<void> {
    this.stopped ??= this.stopAll();
    return this.stopped;
  }

  private async stopAll(): Promise<void> {
    this.currentPhase = 'stopping';
    this.logger.info('stopping the stack');
    for (const slot of this.slots) {
      slot.replacementTimer?.cancel();
      slot.replacementTimer = undefined;
      if (slot.state === 'crashed') slot.state = 'stopped';
      if (slot.launching) slot.controller?.abort(new SimianError('stack.stopped', 'the supervisor is stopping'));
    }
    // Launches settle only once their process is ready or gone; a ready one joins the processes stopped below.
    await Promise.all(this.slots.map((slot) => slot.launching));
    await Promise.all(this.slots.map((slot) => (slot.process ? this.terminate(slot, slot.process) : undefined)));
    this.currentPhase = 'stopped';
    this.logger.info('stack stopped');
  }

  private async terminate(slot: Slot, child: LaunchedProcess): Promise<void> {
    slot.state = 'stopping';
    child.kill('SIGTERM');
    const grace = this.options.stopGracePeriodMs ?? 5_000;
    const escalation = this.clock.setTimer(() => {
      this.logger.warn({ instance: slot.desired.id, pid: child.pid }, `still running ${grace} ms after SIGTERM: SIGKILL`);
      child.kill('SIGKILL');
    }, grace);
    await child.exited;
    escalation.cancel();
  }

  private isStopping(): boolean {
    return this.currentPhase === 'stopping' || this.currentPhase === 'stopped';
  }

  private waves(): Slot[][] {
    const order = this.options.startOrder ?? DEFAULT_START_ORDER;
    const waveOf = (service: ServiceName): number => {
      const index = order.findIndex((wave) => wave.includes(service));
      return index === -1 ? order.length : index;
    };
    const waves: Slot[][] = Array.from({ length: order.length + 1 }, () => []);
    for (const slot of this.slots) waves[waveOf(slot.desired.service)]!.push(slot);
    return waves.filter((wave) => wave.length > 0);
  }

  /** Launches a process into `slot`; resolves with the error when the launch fails (never rejects). */
  private launch(slot: Slot): Promise<Error | undefined> {
    const controller = new AbortController();
    slot.launched = true;
    slot.state = 'starting';
    slot.pid = undefined;
    slot.address = undefined;
    slot.launchedAt = this.clock.now();
    slot.controller = controller;
    const options = {
      signal: controller.signal,
      onSpawn: (pid: number) => {
        if (slot.controller === controller) slot.pid = pid;
      },
    };
    // A launcher that throws instead of rejecting is handled the same way.
    const done = new Promise<LaunchedProcess>((resolve) => resolve(this.options.launcher.launch(slot.desired, options))).then(
        (child) => {
          slot.launching = undefined;
          slot.process = child;
          slot.pid = child.pid;
          slot.address = child.address;
          slot.state = 'running';
          void child.exited.then((exit) => this.onExit(slot, child, exit));
          this.logger.info({ instance: slot.desired.id, pid: child.pid, address: child.address }, 'instance ready');
          this.launchedEmitter.emit({ instance: this.snapshot(slot), replacement: slot.restarts > 0 });
          return undefined;
        },
        (reason: unknown) => {
          slot.launching = undefined;
          slot.state = this.isStopping() ? 'stopped' : 'crashed';
          const error = reason instanceof Error ? reason : new Error(String(reason));
          if (!controller.signal.aborted) {
            this.logger.error({ instance: slot.desired.id, err: error }, 'launch failed');
            this.launchFailedEmitter.emit({ instance: this.snapshot(slot), error });
          }
          return error;
        },
      );
    slot.launching = done;
    return done;
  }

  private onExit(slot: Slot, child: LaunchedProcess, exit: ProcessExit): void {
    if (slot.process !== child) return;
    slot.process = undefined;
    const expected = slot.state === 'stopping' || this.isStopping();
    slot.state = expected ? 'stopped' : 'crashed';
    const instance = this.snapshot(slot);
    const fields = { instance: slot.desired.id, pid: child.pid };
    if (expected) this.logger.info(fields, `instance stopped (${describeExit(exit)})`);
    else this.logger.warn(fields, `instance died (${describeExit(exit)})`);
    this.exitedEmitter.emit({ instance, exit, expected });
    if (!expected) this.scheduleReplacement(slot, instance);
  }

  /** Launches a new process into `slot` after the restart delay, and again after each failed attempt. */
  private scheduleReplacement(slot: Slot, previous: SupervisedInstance): void {
    slot.replacementTimer = this.clock.setTimer(() => {
      slot.replacementTimer = undefined;
      if (this.isStopping()) return;
      slot.restarts++;
      void this.launch(slot).then((error) => {
        if (this.isStopping()) return;
        if (error) this.scheduleReplacement(slot, previous);
        else this.replacedEmitter.emit({ previous, current: this.snapshot(slot) });
      });
    }, this.options.topology.restartDelayMs);
  }

  private snapshot(slot: Slot): SupervisedInstance {
    const { desired } = slot;
    return {
      id: desired.id,
      service: desired.service,
      region: desired.region,
      zone: desired.zone,
      pid: slot.pid,
      address: slot.address,
      launchedAt: slot.launchedAt,
      tags: desired.tags,
      state: slot.state,
      restarts: slot.restarts,
    };
  }
}
