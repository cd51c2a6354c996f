/**
 * @module
 * A {@link Launcher} of processes that exist only in memory, for tests of the supervisor and of what drives it.
 */
import type { LaunchedProcess, LaunchOptions, Launcher, ProcessExit } from '../../src/reference-stack/supervisor/launcher.js';
import type { DesiredInstance } from '../../src/reference-stack/topology/desired-instances.js';
import { deferred } from './deferred.js';

/** A process that exists only in memory: it dies when told to, or on a signal it does not ignore. */
export class FakeProcess implements LaunchedProcess {
  readonly signals: NodeJS.Signals[] = [];
  private readonly exit = deferred<ProcessExit>();
  private dead = false;
  readonly exited = this.exit.promise;
  readonly address: string;

  constructor(
    readonly slotId: string,
    readonly pid: number,
    readonly port: number,
    private readonly ignoresSigterm: boolean,
  ) {
    this.address = `http://127.0.0.1:${port}`;
  }

  kill(signal: NodeJS.Signals): boolean {
    if (this.dead) return false;
    this.signals.push(signal);
    if (signal === 'SIGKILL' || !this.ignoresSigterm) this.die({ code: null, signal });
    return true;
  }

  die(exit: ProcessExit = { code: 1, signal: null }): void {
    this.dead = true;
    this.exit.resolve(exit);
  }

  get alive(): boolean {
    return !this.dead;
  }
}

/** Launches {@link FakeProcess}es; can be told to fail a slot, to ignore SIGTERM, or to never get ready. */
export class FakeLauncher implements Launcher {
  readonly launches: string[] = [];
  readonly processes: FakeProcess[] = [];
  readonly failing = new Set<string>();
  readonly ignoringSigterm = new Set<string>();
  readonly neverReady = new Set<string>();
  private nextPid = 1000;

  async launch(slot: DesiredInstance, options: LaunchOptions = {}): Promise<LaunchedProcess> {
    this.launches.push(slot.id);
    await Promise.resolve();
    if (this.failing.has(slot.id)) throw new Error(`${slot.id} exited (code 1) before it was ready`);
    const pid = this.nextPid++;
    options.onSpawn?.(pid);
    if (this.neverReady.has(slot.id)) {
      await new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason)));
    }
    const child = new FakeProcess(slot.id, pid, 40_000 + pid, this.ignoringSigterm.has(slot.id));
    this.processes.push(child);
    return child;
  }

  current(slotId: string): FakeProcess {
    const found = this.processes.filter((p) => p.slotId === slotId).at(-1);
    if (!found) throw new Error(`no process for ${slotId}`);
    return found;
  }
}
