/**
 * @module
 * A discovery instance that starts (or restarts after a crash) copies its peers' registries before it serves, so
 * that no client ever reads an empty registry from it and drops every instance from its cache.
 */
import type { Clock } from '../../core/clock.js';
import { createHttpFetch } from '../service-kit/http-fetch.js';
import type { InstanceRegistry, Registration } from './instance-registry.js';

/**
 * Registers in `registry` every instance the peers know (each with a fresh lease; one that is in fact gone stops
 * heartbeating and is evicted like any other). Peers that do not answer in time are skipped.
 * @returns how many registrations were copied
 */
export async function warmUpFromPeers(
  registry: InstanceRegistry,
  peers: readonly string[],
  deps: { clock: Clock; fetch?: typeof fetch; timeoutMs?: number },
): Promise<number> {
  const fetchPeer = deps.fetch ?? createHttpFetch({ maxSockets: 1 });
  const giveUp = new AbortController();
  // A timer that keeps the process alive: the warm-up runs before the server listens, when nothing else may hold
  // the event loop open, and a fetch stuck on a half-open peer must end in time rather than end the process.
  const deadline = deps.clock.setTimer(() => giveUp.abort(new Error('discovery warm-up timed out')), deps.timeoutMs ?? 1_000, {
    keepAlive: true,
  });
  let copied = 0;
  try {
    await Promise.all(
      peers.map(async (peer) => {
        try {
          const response = await fetchPeer(new URL('/v1/instances', peer), { signal: giveUp.signal });
          if (!response.ok) return;
          const { instances } = (await response.json()) as { instances: Registration[] };
          for (const { instanceId, service, region, zone, address, metadata } of instances) {
            registry.register({ instanceId, service, region, zone, address, ...(metadata ? { metadata } : {}) });
            copied++;
          }
        } catch {
          // A peer that is down (perhaps the one being replaced) has nothing to give.
        }
      }),
    );
  } finally {
    deadline.cancel();
  }
  return copied;
}
