/**
 * @module
 * The viewers an experiment's `load` declares, around the checks that count their requests: started before the
 * steady state before, stopped after the last check, whatever ended the run. Stopping never throws, so that it can
 * sit in a `finally` without hiding why the run ended.
 */
import type { Clock } from '../core/clock.js';
import type { LoadSpec } from './experiment.js';
import type { LoadRecord } from './journal.js';
import type { LoadSummary, StartViewers } from './runner-deps.js';
import { isoTime } from './steady-state.js';

/** What {@link startDeclaredViewers} needs. */
export interface ViewersContext {
  readonly clock: Clock;
  readonly viewers: StartViewers;
  /** The run's interrupt: it stops the viewers at once. */
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
}

/** Declared viewers, running; `stop()` ends them, tells what they saw, and resolves with the journal's record. */
export interface DeclaredViewers {
  stop(): Promise<LoadRecord>;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `540 sessions, 4210 requests, 99.95% succeeded`. */
export function describeLoadSummary(summary: LoadSummary): string {
  return `${summary.sessions} sessions, ${summary.requests} requests, ${(summary.successRatio * 100).toFixed(2)}% succeeded`;
}

/** Describes a load spec for people: `6 viewers per second (4 segments each, 20% subscribe)`. */
export function describeLoad(load: LoadSpec): string {
  return `${load.rate} viewers per second (${load.segments} segments each, ${Math.round(load.subscribe * 100)}% subscribe)`;
}

/**
 * Starts the viewers `load` declares through the `viewers` seam.
 *
 * @example
 * const viewers = startDeclaredViewers(experiment.load, { clock, viewers: deps.viewers, log });
 * try { await checks(); } finally { record = await viewers.stop(); }
 */
export function startDeclaredViewers(load: LoadSpec, context: ViewersContext): DeclaredViewers {
  const { clock, log } = context;
  const done = new AbortController();
  const signal = context.signal ? AbortSignal.any([context.signal, done.signal]) : done.signal;
  const startedAt = clock.now();
  log(`viewers: starting ${describeLoad(load)}, until the last check`);
  let running: ReturnType<StartViewers> | undefined;
  let startError: unknown;
  try {
    running = context.viewers(load, signal);
  } catch (error) {
    startError = error;
    log(`viewers: could not start (${errorText(error)})`);
  }
  let stopped: Promise<LoadRecord> | undefined;
  const stop = async (): Promise<LoadRecord> => {
    done.abort();
    let summary: LoadSummary | undefined;
    let problem = startError === undefined ? undefined : `could not start: ${errorText(startError)}`;
    if (running) {
      try {
        summary = await running.stop();
      } catch (error) {
        problem = `failed: ${errorText(error)}`;
      }
    }
    const stoppedAt = clock.now();
    const detail = summary ? `${describeLoadSummary(summary)} in ${Math.round((stoppedAt - startedAt) / 1000)} s` : (problem ?? 'no summary');
    log(`viewers: stopped: ${detail}`);
    return { startedAt: isoTime(startedAt), stoppedAt: isoTime(stoppedAt), summary: summary ?? null, detail };
  };
  return { stop: () => (stopped ??= stop()) };
}
