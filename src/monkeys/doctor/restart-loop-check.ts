/**
 * @module
 * The restart-loop check: an instance whose platform keeps replacing it. Platforms report a cumulative restart
 * count and the launch time of the current process, not a history, so a loop is read from both: many restarts,
 * and the current process is young. A slot that was replaced often but has been up for long has recovered.
 */
import type { Clock } from '../../core/clock.js';
import type { Instance } from '../../core/model.js';
import { RESTARTS_TAG } from '../../providers/local/local-provider.js';
import type { CheckOutcome, HealthCheck } from './health-checks.js';

/** When restarts add up to a loop. */
export interface RestartLoopPolicy {
  /** Restarts (replacements) at or above which a young instance is looping. */
  readonly minRestarts: number;
  /** An instance launched less than this long ago (ms) is young. */
  readonly windowMs: number;
  /** The tag carrying the restart count. @default RESTARTS_TAG ('simian/restarts') */
  readonly tag?: string;
}

/** Three replacements, the current one less than five minutes old. */
export const DEFAULT_RESTART_LOOP_POLICY: RestartLoopPolicy = { minRestarts: 3, windowMs: 300_000 };

function seconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}

/**
 * Judges one instance at clock time `now` (epoch ms). Pure: the same instance, time and policy give the same
 * answer. `undefined` when the instance carries no restart count (the platform does not report one); a count that
 * is not a whole number is `unknown`.
 *
 * @example
 * judgeRestartLoop(instance, clock.now(), { minRestarts: 3, windowMs: 60_000 });
 * // { ok: false, detail: 'restarted 4 times, the current process up for 12 s (< 60 s)' }
 */
export function judgeRestartLoop(instance: Instance, now: number, policy: RestartLoopPolicy = DEFAULT_RESTART_LOOP_POLICY): CheckOutcome | undefined {
  const raw = instance.tags[policy.tag ?? RESTARTS_TAG];
  if (raw === undefined) return undefined;
  const restarts = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(restarts) || restarts < 0) return { ok: 'unknown', detail: `restart count "${raw}" is not a whole number` };
  const age = now - instance.launchedAt;
  const looping = restarts >= policy.minRestarts && age < policy.windowMs;
  const detail = `restarted ${restarts} time(s), the current process up for ${seconds(age)}`;
  if (looping) return { ok: false, detail: `${detail} (< ${seconds(policy.windowMs)}): restart loop` };
  return { ok: true, detail };
}

/**
 * The restart-loop check on `clock`'s time.
 *
 * @example
 * const check = restartLoopCheck(clock, { minRestarts: 5, windowMs: 600_000 });
 */
export function restartLoopCheck(clock: Clock, policy: RestartLoopPolicy = DEFAULT_RESTART_LOOP_POLICY): HealthCheck {
  if (!Number.isInteger(policy.minRestarts) || policy.minRestarts < 1) throw new RangeError(`restartLoopCheck: minRestarts must be a whole number >= 1, got ${policy.minRestarts}`);
  if (!(policy.windowMs > 0)) throw new RangeError(`restartLoopCheck: windowMs must be > 0, got ${policy.windowMs}`);
  return {
    name: 'restart-loop',
    // One time for the whole examination: every instance is judged against the same "now".
    prepare: async () => {
      const now = clock.now();
      return (instance) => judgeRestartLoop(instance, now, policy);
    },
  };
}
