/**
 * @module
 * How the supervisor starts an instance, kept behind an interface: the supervisor decides *when* a slot needs a
 * process, a {@link Launcher} knows *how* to make one (a forked Node module, a test fake, later perhaps a
 * container). `child-process-launcher.ts` is the real one.
 */
import type { DesiredInstance } from '../topology/desired-instances.js';

/** How a process ended: the exit code, or the signal that killed it. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A process that a {@link Launcher} started and that reported ready. */
export interface LaunchedProcess {
  readonly pid: number;
  /** The loopback port it listens on. */
  readonly port: number;
  /** Where it answers: `http://127.0.0.1:PORT`. */
  readonly address: string;
  /** Settles once, when the process has exited; never rejects. */
  readonly exited: Promise<ProcessExit>;
  /** Sends `signal`; false when the process is already gone. */
  kill(signal: NodeJS.Signals): boolean;
}

/** Options of {@link Launcher.launch}. */
export interface LaunchOptions {
  /** Aborting gives up on the launch: the launcher kills the process and rejects once it has exited. */
  signal?: AbortSignal;
  /** Called as soon as the process exists, before it is ready, so its pid shows in the inventory at once. */
  onSpawn?: (pid: number) => void;
}

/**
 * Starts one process for a slot.
 *
 * Contract: `launch` resolves once the process is ready to serve. When it rejects (the process died, never became
 * ready, or the launch was aborted), no process of that launch is left running: the launcher has killed it and
 * seen it exit. So a supervisor that awaits every launch it started knows every process it owns.
 */
export interface Launcher {
  launch(slot: DesiredInstance, options?: LaunchOptions): Promise<LaunchedProcess>;
}

/** How a process ended, for messages: `code 1`, `SIGKILL`. */
export function describeExit(exit: ProcessExit): string {
  return exit.signal ?? `code ${exit.code ?? '?'}`;
}
