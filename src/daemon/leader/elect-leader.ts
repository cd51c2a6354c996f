/**
 * @module
 * The daemon's elector, from its configuration: a lease row in the state store (`daemon.leader: store`, daemons on
 * one machine) or a Kubernetes Lease (`daemon.leader: kubernetes`, replicas of a Deployment).
 */
import type { Clock } from '../../core/clock.js';
import type { Random } from '../../core/random.js';
import type { SimianConfig } from '../../config/simian-config.js';
import { StateStore } from '../../state/index.js';
import type { Leadership } from '../leadership.js';
import { LeaseElector, type ElectionTimings } from './lease-elector.js';
import { storeLeaseLock } from './store-lease-lock.js';

/** What {@link electLeader} needs. */
export interface ElectLeaderOptions {
  readonly config: SimianConfig;
  readonly clock: Clock;
  readonly random: Random;
  /** This daemon, unique among those sharing the lease. */
  readonly identity: string;
  readonly onChange: (leading: boolean) => void;
  readonly onError?: (error: unknown) => void;
  readonly timings?: ElectionTimings;
}

/**
 * Starts electing and makes the first attempt, so that a lone daemon leads from its first tick. The store lease
 * uses a connection of its own: the daemon's run (and its connection) is replaced on every reload.
 */
export async function electLeader(options: ElectLeaderOptions): Promise<Leadership> {
  const { config } = options;
  const leader = config.daemon.leader;
  const common = {
    identity: options.identity,
    clock: options.clock,
    random: options.random,
    onChange: options.onChange,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.timings ? { timings: options.timings } : {}),
  };
  if (leader.kind === 'kubernetes') {
    // The Kubernetes client (0.4 s to load) only for a daemon that elects through a Lease.
    const [{ loadKubeConfig }, { coordinationApi, kubernetesLeaseLock }] = await Promise.all([import('../../providers/kubernetes/load-kube-config.js'), import('./kubernetes-lease-lock.js')]);
    const api = coordinationApi(loadKubeConfig(config.providers.kubernetes));
    const elector = new LeaseElector({ ...common, lock: kubernetesLeaseLock({ api, namespace: leader.namespace, name: leader.name }) });
    await elector.start();
    return elector;
  }
  const store = StateStore.open(config.stateStorePath, { clock: options.clock });
  const elector = new LeaseElector({ ...common, lock: storeLeaseLock(store, leader.name), storeLease: leader.name, onStop: () => store.close() });
  try {
    await elector.start();
  } catch (error) {
    store.close();
    throw error;
  }
  return elector;
}
