/**
 * @module
 * The running stack keeps the TTL of the faults injected into it: a detached `simian monkey latency` ends on time
 * even when no other `simian` runs, because the stack process sweeps expired local faults every second. When the
 * stack stops, its proxies and front door go with it, so its still-active faults are closed as `gone`. While the
 * kill switch is engaged, each sweep reverts every local fault in force, whoever holds it (a safety lever ends what
 * is in force, detached faults included). It also serves the monkeys' metrics, read from the state store's
 * decision log, on the stack's admin API (`GET /metrics`).
 */
import { Registry } from 'prom-client';
import { MonkeyMetrics } from '../monkeys/metrics/monkey-metrics.js';
import { FaultReverter } from '../monkeys/revert/fault-reverter.js';
import { killSwitchReason } from '../monkeys/safety/kill-switch-watch.js';
import type { Provider } from '../providers/provider.js';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { defaultStateStorePath } from '../config/simian-config.js';
import { StateStore } from '../state/state-store.js';
import type { EngineEvents } from './events.js';

/** A running sweep; `stop` once the stack is down. */
export interface FaultKeeper {
  /** The monkeys' metrics from the state store (`simian_faults_total`, `simian_skipped_total`, `simian_active_faults`). */
  metrics(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts sweeping `<stateDir>/simian.db` for expired faults of the `local` provider. A store that cannot be
 * opened is reported and the stack runs on: faults then revert through their owner or the next start.
 */
export function keepLocalFaultsOnTime(
  deps: { readonly clock: Clock; readonly events: EngineEvents },
  stateDir: string,
  provider: Provider,
  killSwitch: { readonly killSwitch: boolean; readonly killSwitchFile?: string } = { killSwitch: false },
  everyMs = 1000,
): FaultKeeper {
  const warn = (message: string) => deps.events.emit({ kind: 'warning', at: deps.clock.now(), message });
  let store: StateStore;
  try {
    store = StateStore.open(defaultStateStorePath(stateDir), { clock: deps.clock });
  } catch (error) {
    warn(`cannot open the state store, faults will not be reverted by the stack: ${errorMessage(error)}`);
    return { metrics: async () => '', stop: async () => undefined };
  }
  const reverter = new FaultReverter({ store, clock: deps.clock, actuators: () => provider.actuator });
  const registry = new Registry();
  new MonkeyMetrics({ registry, activeFaults: () => store.activeFaults().length, decisionCounts: () => store.decisionCounts() });
  const isLocal = (fault: { readonly provider: string }) => fault.provider === provider.name;
  let timer: { cancel(): void } | undefined;
  let sweeping: Promise<void> = Promise.resolve();
  const once = async () => {
    const engaged = await killSwitchReason(killSwitch);
    const outcomes = engaged
      ? await reverter.revertEach(store.activeFaults().filter(isLocal), 'kill-switch')
      : await reverter.revertExpired(isLocal);
    for (const o of outcomes) {
      if (o.outcome === 'already-reverted') continue;
      deps.events.emit({
        kind: 'fault-reverted',
        at: deps.clock.now(),
        faultId: o.faultId,
        outcome: o.outcome,
        trigger: engaged ? 'kill-switch' : 'ttl',
        ...(o.outcome === 'failed' ? { detail: errorMessage(o.error) } : engaged ? { detail: engaged } : {}),
      });
    }
  };
  const sweep = () => {
    sweeping = once().catch((error: unknown) => warn(`the fault sweep failed: ${errorMessage(error)}`));
    void sweeping.then(() => {
      if (timer) timer = deps.clock.setTimer(sweep, everyMs, { keepAlive: false });
    });
  };
  timer = deps.clock.setTimer(sweep, everyMs, { keepAlive: false });
  return {
    metrics: () => registry.metrics(),
    stop: async () => {
      timer?.cancel();
      timer = undefined;
      await sweeping;
      await reverter.settled();
      try {
        for (const fault of store.activeFaults().filter(isLocal)) {
          store.markReverted(fault.id, { outcome: 'gone', trigger: 'manual', detail: 'the stack stopped, and its proxies and front door with it' });
        }
      } catch (error) {
        warn(`cannot close the stack's faults in the state store: ${errorMessage(error)}`);
      }
      store.close();
    },
  };
}
