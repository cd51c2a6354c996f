/**
 * @module
 * The CLI's view of the engine's events: each one as the line `simian` prints on standard error. Results go to
 * standard output from the commands themselves; this is the running commentary.
 */
import type { Disposable } from '../core/events.js';
import type { EngineEvent, EngineEvents, ProgressEvent } from '../engine/events.js';

/** Which fault reverts a command reports: what its start cleaned up and what failed, or every one (the stack). */
export type RevertLines = 'leftovers' | 'all';

function seconds(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

/** The line for one event, or undefined for an event this command does not narrate. */
export function eventLine(event: EngineEvent, reverts: RevertLines): string | undefined {
  switch (event.kind) {
    case 'notice':
      return event.message;
    case 'warning':
      return `warning: ${event.message}`;
    case 'progress':
      return `${event.task}: ${event.message}`;
    case 'experiment':
      return event.message;
    case 'fault-held':
      return `fault ${event.faultId} active, reverts in ${seconds(event.expiresAt - event.at)}s (Ctrl-C reverts now)`;
    case 'fault-reverted':
      if (event.trigger === 'restart') {
        return event.outcome === 'failed'
          ? `could not revert leftover fault ${event.faultId}: ${event.detail ?? 'unknown error'}`
          : `leftover fault ${event.faultId} ${event.outcome} (its holder died or its time ran out)`;
      }
      if (event.outcome === 'failed') return `fault ${event.faultId} could not be reverted: ${event.detail ?? 'unknown error'}`;
      if (reverts === 'leftovers') return undefined;
      return `fault ${event.faultId} ${event.outcome} ${event.trigger === 'ttl' ? 'on time' : event.detail ? `(${event.detail})` : `(${event.trigger})`}`;
    case 'instance':
      return `${event.id} ${event.state}${event.pid !== undefined ? ` (pid ${event.pid})` : ''}`;
    // The command reports its decisions and its verdict on standard output, and the experiment narrates its
    // checks itself; the samples are for the console's charts.
    case 'decision':
    case 'fault-injected':
    case 'slo-sample':
    case 'experiment-verdict':
      return undefined;
  }
}

/**
 * Writes every event worth a line to `writeErr`, prefixed `simian: `.
 *
 * @example
 * const rendering = renderEvents(events, deps.writeErr);
 * try { … } finally { rendering.dispose(); }
 */
export function renderEvents(
  events: EngineEvents,
  writeErr: (text: string) => void,
  reverts: RevertLines = 'leftovers',
  /** Leaves out the events it returns false for (a command that thins out progress). */
  keep: (event: EngineEvent) => boolean = () => true,
): Disposable {
  return events.on((event) => {
    if (!keep(event)) return;
    const line = eventLine(event, reverts);
    if (line !== undefined) writeErr(`simian: ${line}\n`);
  });
}

/**
 * A filter for progress with a known fraction: each quarter is told once, so a start of 56 instances is a few lines,
 * not one per instance. Progress without a fraction always passes.
 */
export function everyQuarter(): (event: ProgressEvent) => boolean {
  let lastQuarter = -1;
  return (event) => {
    if (event.fraction === undefined) return true;
    const quarter = Math.floor(event.fraction * 4);
    if (quarter === lastQuarter) return false;
    lastQuarter = quarter;
    return true;
  };
}
