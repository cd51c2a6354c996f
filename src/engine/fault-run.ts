/**
 * @module
 * Everything a run that injects or reverts faults needs, opened in the order that keeps it safe, built once for
 * every front end (a monkey command, an experiment, `simian revert`, the console, the daemon): the state store,
 * then the reverter, which first undoes what a dead `simian` left behind (the "next start" of docs/architecture.md), then the
 * outage check, then providers and their safety pipelines, which record every new fault with this run as its
 * owner. Every decision and every revert is told to the run's {@link EngineEvents}.
 */
import { dirname, resolve } from 'node:path';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { makePrivateDir } from '../core/private-files.js';
import type { Random } from '../core/random.js';
import type { SimianConfig } from '../config/simian-config.js';
import { FaultReverter, type RevertOutcome } from '../monkeys/revert/fault-reverter.js';
import { logDecisions } from '../monkeys/safety/decision-log.js';
import type { SafetyConfig } from '../monkeys/safety/safety-config.js';
import { SafetyPipeline } from '../monkeys/safety/safety-pipeline.js';
import { StateStoreLedger } from '../monkeys/safety/state-store-ledger.js';
import type { Provider } from '../providers/provider.js';
import { StateStore } from '../state/state-store.js';
import type { EngineEvents } from './events.js';
import { outageCheckFor, type OutageWiring } from './outage-check.js';
import { providerSettings, type ProviderRegistry } from './provider-registry.js';

/** What {@link openFaultRun} needs. */
export interface FaultRunOptions {
  /** The resolved configuration: the state store, the safety settings, the outage check, the providers. */
  readonly config: SimianConfig;
  readonly providers: ProviderRegistry;
  readonly clock: Clock;
  readonly random: Random;
  readonly events: EngineEvents;
  /**
   * The process that holds the run's reversible faults (the front end passes its own pid): the next start reverts
   * a fault whose owner died. Absent: faults are detached, and only their TTL ends them.
   */
  readonly ownerPid?: number;
  /** Build the outage check of `config.outageCheck`. @default true (false for runs that only revert) */
  readonly outageCheck?: boolean;
  /**
   * Providers to build before anything is opened, so that a run that cannot act fails fast (no stack running, a
   * bad kubeconfig) and leaves nothing behind.
   */
  readonly providersFirst?: readonly string[];
}

/** An open run: close it in a `finally`. */
export interface FaultRun {
  readonly store: StateStore;
  readonly reverter: FaultReverter;
  /** What the start reverted (faults a dead process left, or expired ones). */
  readonly recovered: readonly RevertOutcome[];
  /** Where the outage check reads from (`off` when there is none). */
  readonly outageSource: string;
  /** The provider `name`, built once for the run. */
  provider(name: string): Provider;
  /**
   * The safety pipeline of `provider`, with `safety` (the configuration's unless given, e.g. tightened by an
   * experiment), recording in the store, logging every decision, telling the run's events, arming the reverter.
   */
  pipeline(provider: Provider, safety?: SafetyConfig): SafetyPipeline;
  /** Stops the TTL timers (after reverts in flight), closes the outage check's sources and the store. */
  close(): Promise<void>;
}

/**
 * Opens the store (creating the state directory owner-only), reverts leftovers, builds the outage check.
 *
 * @throws InvalidInputError from the outage check's SLO file; SimianError `state.unwritable` for the store
 */
export async function openFaultRun(options: FaultRunOptions): Promise<FaultRun> {
  const { config, clock, random, events } = options;
  const settings = providerSettings(config);
  const providers = new Map<string, Provider>();
  const provider = (name: string): Provider => {
    let found = providers.get(name);
    if (!found) providers.set(name, (found = options.providers.create(name, settings)));
    return found;
  };
  await options.providers.prepare?.(options.providersFirst ?? []);
  for (const name of options.providersFirst ?? []) provider(name);
  const storePath = config.stateStorePath;
  // The state directory is Simian's own, created owner-only on first use; a store configured elsewhere must find
  // its folder there (a mistyped path is an error, not a new empty store).
  if (resolve(dirname(storePath)) === resolve(config.stateDir)) makePrivateDir(config.stateDir);
  const store = StateStore.open(storePath, { clock });
  try {
    // The leftovers the reverter undoes first may be on any provider: load theirs before it asks for them.
    await options.providers.prepare?.([...new Set(store.activeFaults().map((f) => f.provider))]);
  } catch (error) {
    store.close();
    throw error;
  }
  const reverter = new FaultReverter({
    store,
    clock,
    actuators: (name) => providers.get(name)?.actuator ?? options.providers.forRevert(name, settings).actuator,
  });
  const reverts = reverter.reverts((report) => {
    if (report.outcome === 'already-reverted') return;
    events.emit({
      kind: 'fault-reverted',
      at: clock.now(),
      faultId: report.faultId,
      outcome: report.outcome,
      trigger: report.trigger,
      ...(report.outcome === 'failed' ? { detail: errorMessage(report.error) } : {}),
    });
  });
  let outage: OutageWiring | undefined;
  try {
    const recovered = await reverter.recover();
    outage = options.outageCheck === false ? undefined : await outageCheckFor({ clock }, config);
    if (outage && outage.source !== 'off') events.emit({ kind: 'notice', at: clock.now(), message: `outage check: ${outage.source}` });
    const check = outage?.check;
    return {
      store,
      reverter,
      recovered,
      outageSource: outage?.source ?? 'off',
      provider,
      pipeline: (target, safety = config.safety) => {
        const pipeline = new SafetyPipeline({
          provider: target,
          ledger: new StateStoreLedger(store, target.name),
          clock,
          random,
          config: safety,
          reverter,
          ...(check ? { outageCheck: check } : {}),
          ...(options.ownerPid !== undefined ? { ownerPid: options.ownerPid } : {}),
        });
        // The decision log: what every run decided, skipped runs included, for the metrics a long-running process serves.
        logDecisions(pipeline, store, (message) => events.emit({ kind: 'warning', at: clock.now(), message }));
        pipeline.decisions(({ at, monkey, provider: name, group, decision }) => {
          events.emit({ kind: 'decision', at, monkey, provider: name, scope: group, decision });
          if (decision.outcome === 'executed' && decision.fault.expiresAt !== undefined) {
            events.emit({ kind: 'fault-injected', at, fault: decision.fault, provider: name });
          }
        });
        return pipeline;
      },
      close: async () => {
        // A TTL that just fired must finish its revert before the store closes.
        await reverter.settled();
        reverter.dispose();
        reverts.dispose();
        await outage?.close();
        store.close();
      },
    };
  } catch (error) {
    reverter.dispose();
    reverts.dispose();
    await outage?.close();
    store.close();
    throw error;
  }
}
