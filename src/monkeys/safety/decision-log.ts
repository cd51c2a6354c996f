/**
 * @module
 * The decision log: every decision of a pipeline, skipped ones included, written to the state store's `decisions`
 * table. Short-lived `simian` runs (a monkey command, an experiment) leave their decisions there, and whoever serves
 * metrics for long (the running stack, the daemon) counts them.
 */
import { errorMessage } from '../../core/errors.js';
import type { StateStore } from '../../state/state-store.js';
import type { SafetyPipeline } from './safety-pipeline.js';

/**
 * Logs each decision of `pipeline` to `store`. A decision that cannot be logged is reported to `warn` and does not
 * undo the decision: the fault itself was already recorded (or refused) by the ledger, this is only its count.
 *
 * @example
 * logDecisions(pipeline, store, (message) => process.stderr.write(`simian: warning: ${message}\n`));
 */
export function logDecisions(pipeline: SafetyPipeline, store: StateStore, warn: (message: string) => void): void {
  pipeline.decisions(({ at, monkey, provider, group, decision }) => {
    const why =
      decision.outcome === 'skipped'
        ? { reason: decision.reason, detail: decision.detail }
        : decision.outcome === 'failed'
          ? { detail: errorMessage(decision.error) }
          : {};
    try {
      store.recordDecision({ at, monkey, provider, scope: group, outcome: decision.outcome, ...why });
    } catch (error) {
      warn(`the decision was not logged: ${error instanceof Error ? error.message : String(error)}`);
    }
  });
}
