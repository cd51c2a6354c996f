/**
 * @module
 * What the supervisor reports about each instance: the inventory entries and the payloads of its events.
 */
import type { ServiceName } from '../service-kit/identity.js';
import type { ProcessExit } from './launcher.js';

/**
 * Where an instance is in its life:
 * `starting` (launched, not yet ready) → `running` → `stopping` (SIGTERM sent) → `stopped`;
 * `crashed` when it exited or failed to start without being asked to — a replacement follows after the
 * topology's `restartDelayMs`, unless the supervisor is stopping.
 */
export type SupervisedState = 'starting' | 'running' | 'stopping' | 'stopped' | 'crashed';

/** One instance as the supervisor sees it: a snapshot, not a live view. */
export interface SupervisedInstance {
  /** The slot id, stable across replacements: `catalog-us-east-1a-0`. */
  readonly id: string;
  readonly service: ServiceName;
  readonly region: string;
  readonly zone: string;
  /** The process id of the current (or, when crashed or stopped, the last) process; unknown until it exists. */
  readonly pid: number | undefined;
  /** `http://127.0.0.1:PORT` once ready; the last address while crashed or stopped. */
  readonly address: string | undefined;
  /** When the current process was launched, epoch milliseconds of the supervisor's clock. */
  readonly launchedAt: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly state: SupervisedState;
  /** How many replacement processes this slot has been given. */
  readonly restarts: number;
}

/** An instance reported ready. */
export interface InstanceLaunchedEvent {
  readonly instance: SupervisedInstance;
  /** Whether it replaces a dead instance (rather than being part of the first start). */
  readonly replacement: boolean;
}

/** An instance's process exited. */
export interface InstanceExitedEvent {
  /** The instance, already in its new state (`stopped` or `crashed`). */
  readonly instance: SupervisedInstance;
  readonly exit: ProcessExit;
  /** True when the supervisor stopped it; false for a crash or a kill from outside (a monkey). */
  readonly expected: boolean;
}

/** A dead instance's slot has a ready process again. */
export interface InstanceReplacedEvent {
  /** The instance as it was when it died. */
  readonly previous: SupervisedInstance;
  readonly current: SupervisedInstance;
}

/** A launch failed: the process died, never became ready, or could not be started. */
export interface LaunchFailedEvent {
  readonly instance: SupervisedInstance;
  readonly error: Error;
}
