/**
 * @module
 * The kill switch as a safety lever: engaging it stops new faults (the pipeline's second guard) and also ends
 * those in force. Whoever holds faults (a foreground monkey, an experiment, the stack's sweep, the daemon) watches
 * the switch and reverts what it holds within about one polling interval.
 */
import type { Clock, Timer } from '../../core/clock.js';
import { fileExists, isKillSwitchEngaged, type FileExists } from './kill-switch.js';

/** How often a holder looks at the kill switch: engaging it ends faults in force within about this long. */
export const KILL_SWITCH_POLL_MS = 1_000;

/** Options of {@link watchKillSwitch}. */
export interface KillSwitchWatchOptions {
  readonly clock: Clock;
  /** The switch: the flag, and the file (`killSwitchFile`). */
  readonly config: { readonly killSwitch: boolean; readonly killSwitchFile?: string };
  /** Called once, the first time the switch is seen engaged (or cannot be checked: we then assume the worst). */
  readonly onEngaged: (why: string) => void;
  /** @default the real filesystem */
  readonly fileExists?: FileExists;
  /** @default {@link KILL_SWITCH_POLL_MS} */
  readonly everyMs?: number;
}

/** Why the switch counts as engaged, or undefined when it is released. A switch that cannot be read is engaged. */
export async function killSwitchReason(config: KillSwitchWatchOptions['config'], exists: FileExists = fileExists): Promise<string | undefined> {
  try {
    if (!(await isKillSwitchEngaged(config, exists))) return undefined;
    return config.killSwitch ? 'the kill switch is set (killSwitch)' : `the kill switch is engaged: ${config.killSwitchFile} exists`;
  } catch (error) {
    return `the kill-switch file ${config.killSwitchFile} cannot be checked (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Looks at the kill switch every `everyMs` until stopped, and calls `onEngaged` once when it is engaged. The
 * timers do not keep the process alive: a holder keeps itself alive while it holds a fault.
 *
 * @example
 * const watch = watchKillSwitch({ clock, config: safety, onEngaged: () => void reverter.revertOwned('kill-switch') });
 * // … later
 * watch.stop();
 */
export function watchKillSwitch(options: KillSwitchWatchOptions): { stop(): void } {
  const everyMs = options.everyMs ?? KILL_SWITCH_POLL_MS;
  let timer: Timer | undefined;
  let stopped = false;
  const look = async (): Promise<void> => {
    const why = await killSwitchReason(options.config, options.fileExists ?? fileExists);
    if (stopped) return;
    if (why !== undefined) {
      stopped = true;
      options.onEngaged(why);
      return;
    }
    timer = options.clock.setTimer(() => void look(), everyMs, { keepAlive: false });
  };
  timer = options.clock.setTimer(() => void look(), everyMs, { keepAlive: false });
  return {
    stop: () => {
      stopped = true;
      timer?.cancel();
    },
  };
}
