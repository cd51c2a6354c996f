/**
 * @module
 * Everything one monkey run needs, opened in the order that keeps it safe: the state store, then the reverter,
 * which first undoes what a dead `simian` left behind (the "next start" of DESIGN.md), then the provider and the
 * safety pipeline that will record every new fault with this process as its owner.
 */
import { dirname, join, resolve } from 'node:path';
import { makePrivateDir } from '../../core/private-files.js';
import { FaultReverter, type RevertOutcome } from '../../monkeys/revert/fault-reverter.js';
import type { SafetyConfig } from '../../monkeys/safety/safety-config.js';
import { resolveSafetyConfig } from '../../monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../../monkeys/safety/safety-pipeline.js';
import { StateStoreLedger } from '../../monkeys/safety/state-store-ledger.js';
import { logDecisions } from '../../monkeys/safety/decision-log.js';
import type { Provider } from '../../providers/provider.js';
import { StateStore } from '../../state/state-store.js';
import { errorText } from '../decision-report.js';
import type { CommandDeps } from '../program.js';
import type { SimianConfig } from '../../config/simian-config.js';
import { outageCheckFor, type OutageWiring } from '../outage-check-wiring.js';
import { createProvider, providerForRevert, type ProviderSettings } from '../provider-factory.js';

/** Where the state store lives in a state directory. */
export function stateStorePath(stateDir: string): string {
  return join(stateDir, 'simian.db');
}

/** Options of {@link openMonkeySession}. */
export interface MonkeySessionOptions {
  readonly provider: string;
  readonly providers: ProviderSettings;
  readonly safety: Partial<SafetyConfig>;
  /** The SQLite file. @default <stateDir>/simian.db */
  readonly stateStore?: string;
  /** Faults outlive this process (their TTL is kept by whoever runs next): no owner is recorded. */
  readonly detached?: boolean;
  /** The resolved configuration, for its outage check (`outageCheck`); absent: no outage check. */
  readonly config?: SimianConfig;
}

/** An open run: close it in a `finally`. */
export interface MonkeySession {
  readonly provider: Provider;
  readonly store: StateStore;
  readonly reverter: FaultReverter;
  readonly pipeline: SafetyPipeline;
  readonly config: SafetyConfig;
  /** What the start reverted (faults a dead process left, or expired ones). */
  readonly recovered: readonly RevertOutcome[];
  close(): void;
}

/** Tells people on stderr what the start reverted, and what it could not. */
export function reportRecovered(deps: CommandDeps, outcomes: readonly RevertOutcome[]): void {
  for (const outcome of outcomes) {
    if (outcome.outcome === 'failed') deps.writeErr(`simian: could not revert leftover fault ${outcome.faultId}: ${errorText(outcome.error)}\n`);
    else if (outcome.outcome !== 'already-reverted') deps.writeErr(`simian: leftover fault ${outcome.faultId} ${outcome.outcome} (its holder died or its time ran out)\n`);
  }
}

/**
 * Opens the store, reverts leftovers, builds the provider and the pipeline. A bad safety config throws before
 * anything is opened.
 */
export async function openMonkeySession(deps: CommandDeps, options: MonkeySessionOptions): Promise<MonkeySession> {
  const config = resolveSafetyConfig(options.safety);
  const provider = createProvider(options.provider, options.providers, deps);
  const storePath = options.stateStore ?? stateStorePath(options.providers.stateDir);
  // The state directory is Simian's own, created owner-only on first use; a store configured elsewhere must find
  // its folder there (a mistyped path is an error, not a new empty store).
  if (resolve(dirname(storePath)) === resolve(options.providers.stateDir)) makePrivateDir(options.providers.stateDir);
  const store = StateStore.open(storePath, { clock: deps.clock });
  const reverter = new FaultReverter({
    store,
    clock: deps.clock,
    actuators: (name) => (name === provider.name ? provider.actuator : providerForRevert(name, options.providers, deps).actuator),
  });
  let outage: OutageWiring | undefined;
  try {
    const recovered = await reverter.recover();
    reportRecovered(deps, recovered);
    outage = options.config ? await outageCheckFor(deps, options.config) : undefined;
    if (outage && outage.source !== 'off') deps.writeErr(`simian: outage check: ${outage.source}\n`);
    const pipeline = new SafetyPipeline({
      provider,
      ledger: new StateStoreLedger(store, provider.name),
      clock: deps.clock,
      random: deps.random,
      config,
      reverter,
      ...(outage ? { outageCheck: outage.check } : {}),
      ...(options.detached ? {} : { ownerPid: process.pid }),
    });
    // The decision log: what every run decided, skipped runs included, for the metrics a long-running process serves.
    logDecisions(pipeline, store, (message) => deps.writeErr(`simian: warning: ${message}\n`));
    return {
      provider,
      store,
      reverter,
      pipeline,
      config,
      recovered,
      close: () => {
        reverter.dispose();
        store.close();
        void outage?.close();
      },
    };
  } catch (error) {
    reverter.dispose();
    store.close();
    await outage?.close();
    throw error;
  }
}
