/**
 * @module
 * The real {@link Launcher}: each instance is a Node process forked from an entry module, with an IPC channel.
 * The child learns who it is from the `SIMIAN_INSTANCE` environment variable, listens on a free loopback port and
 * reports `{ type: 'ready', port }` (see `instance-runtime.ts`). The IPC channel is also the child's lifeline: when
 * this process dies, even by SIGKILL, the channel closes and the child exits on its own.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { systemClock, type Clock } from '../../core/clock.js';
import { SimianError } from '../../core/errors.js';
import type { DesiredInstance } from '../topology/desired-instances.js';
import type { EntryModule } from './entry-module.js';
import { encodeLaunchInfo, INSTANCE_ENV_VAR, isReadyMessage } from './instance-protocol.js';
import { describeExit, type LaunchedProcess, type LaunchOptions, type Launcher, type ProcessExit } from './launcher.js';

/** Receives instance output when it is not simply inherited or ignored; chunks come as they arrive. */
export type OutputSink = (chunk: {
  readonly slot: DesiredInstance;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}) => void;

/** Options of {@link ChildProcessLauncher}. */
export interface ChildProcessLauncherOptions {
  /** The module every instance runs, or one per slot (usually chosen by `slot.service`). */
  entry: EntryModule | ((slot: DesiredInstance) => EntryModule);
  /**
   * Service-specific settings computed at launch time, merged over the topology's `config`: for example the
   * current discovery addresses of the slot's region, read from the supervisor's inventory.
   */
  config?: (slot: DesiredInstance) => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** How long an instance may take to report ready before it is killed and the launch fails. @default 15_000 */
  readyTimeoutMs?: number;
  clock?: Clock;
  /**
   * Where instance output goes: the supervisor's own stdout and stderr, nowhere, or a function (a TUI's log pane).
   * The last lines of standard error are kept in any case, for the message of a failed launch. @default 'inherit'
   */
  output?: 'inherit' | 'ignore' | OutputSink;
  /** Extra environment variables for every instance (the supervisor's own environment is passed on too). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Extra Node options for every instance (`--enable-source-maps`, `--max-old-space-size=128`). */
  execArgv?: readonly string[];
}

const STDERR_TAIL_CHARS = 2_000;

/**
 * Forks one Node process per instance.
 *
 * @example
 * const launcher = new ChildProcessLauncher({
 *   entry: (slot) => siblingEntryModule(import.meta.url, `./services/${slot.service}-main`),
 *   output: 'ignore',
 * });
 */
export class ChildProcessLauncher implements Launcher {
  private readonly clock: Clock;

  constructor(private readonly options: ChildProcessLauncherOptions) {
    this.clock = options.clock ?? systemClock;
  }

  async launch(slot: DesiredInstance, options: LaunchOptions = {}): Promise<LaunchedProcess> {
    const { signal } = options;
    signal?.throwIfAborted();
    const entry = typeof this.options.entry === 'function' ? this.options.entry(slot) : this.options.entry;
    const config = { ...slot.config, ...(await this.options.config?.(slot)) };
    signal?.throwIfAborted();

    const output = this.options.output ?? 'inherit';
    const stdout = output === 'inherit' ? 'inherit' : output === 'ignore' ? 'ignore' : 'pipe';
    const stdio: StdioOptions = ['ignore', stdout, 'pipe', 'ipc'];
    const identity = { service: slot.service, region: slot.region, zone: slot.zone, instanceId: slot.id };
    const child = fork(entry.path, [], {
      execArgv: [...entry.execArgv, ...(this.options.execArgv ?? [])],
      env: { ...process.env, ...this.options.env, [INSTANCE_ENV_VAR]: encodeLaunchInfo({ identity, config }) },
      stdio,
      serialization: 'json',
      // Its own process group: a Ctrl-C in the supervisor's terminal reaches the supervisor only, which then stops
      // its instances in order instead of watching them all die and "replacing" them.
      detached: process.platform !== 'win32',
    });
    const stderrTail = this.captureOutput(slot, child, output);
    const exited = new Promise<ProcessExit>((resolve) => {
      // 'close' rather than 'exit': standard error is then fully read, so a failed launch can quote it.
      child.once('close', (code, exitSignal) => resolve({ code, signal: exitSignal }));
    });
    if (child.pid === undefined) {
      const error = await new Promise<Error>((resolve) => child.once('error', resolve));
      const message = `${slot.id}: could not start ${entry.path}: ${error.message}`;
      throw new SimianError('stack.launchFailed', message, { cause: error });
    }
    options.onSpawn?.(child.pid);
    return this.whenReady(slot, child, child.pid, exited, stderrTail, signal);
  }

  private whenReady(
    slot: DesiredInstance,
    child: ChildProcess,
    pid: number,
    exited: Promise<ProcessExit>,
    stderrTail: () => string,
    signal: AbortSignal | undefined,
  ): Promise<LaunchedProcess> {
    const timeoutMs = this.options.readyTimeoutMs ?? 15_000;
    return new Promise<LaunchedProcess>((resolve, reject) => {
      let ready = false;
      let failure: Error | undefined;
      // Giving up kills the child but rejects only once it has exited: a rejected launch leaves no process behind.
      const giveUp = (error: Error): void => {
        if (ready || failure) return;
        failure = error;
        child.kill('SIGKILL');
      };
      const onAbort = (): void =>
        giveUp(new SimianError('stack.launchAborted', `${slot.id}: launch aborted`, { cause: signal?.reason }));
      const onMessage = (message: unknown): void => {
        if (failure || !isReadyMessage(message)) return;
        ready = true;
        cleanup();
        resolve({
          pid,
          port: message.port,
          address: `http://127.0.0.1:${message.port}`,
          exited,
          kill: (killSignal) => child.exitCode === null && child.signalCode === null && child.kill(killSignal),
        });
      };
      const timer = this.clock.setTimer(
        () => giveUp(new SimianError('stack.launchTimeout', `${slot.id}: not ready within ${timeoutMs} ms`)),
        timeoutMs,
        { keepAlive: false },
      );
      const cleanup = (): void => {
        timer.cancel();
        signal?.removeEventListener('abort', onAbort);
        child.off('message', onMessage);
      };
      child.on('message', onMessage);
      // Without a listener an 'error' (a failed kill or send) would be thrown in the supervisor.
      child.on('error', (error) => giveUp(error));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) onAbort();
      void exited.then((exit) => {
        if (ready) return;
        cleanup();
        const tail = stderrTail().trim();
        reject(
          failure ??
            new SimianError(
              'stack.launchFailed',
              `${slot.id} exited (${describeExit(exit)}) before it was ready${tail ? `:\n${tail}` : ''}`,
            ),
        );
      });
    });
  }

  /** Routes the child's output and keeps the end of its standard error. */
  private captureOutput(slot: DesiredInstance, child: ChildProcess, output: ChildProcessLauncherOptions['output']): () => string {
    let tail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      tail = (tail + text).slice(-STDERR_TAIL_CHARS);
      if (output === 'inherit') process.stderr.write(text);
      else if (typeof output === 'function') output({ slot, stream: 'stderr', text });
    });
    if (typeof output === 'function') {
      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (text: string) => output({ slot, stream: 'stdout', text }));
    }
    return () => tail;
  }
}
