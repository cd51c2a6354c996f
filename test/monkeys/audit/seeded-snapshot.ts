/**
 * A conforming local snapshot to seed rule tests with: two zones of a region, every instance healthy, registered,
 * young, calling its dependencies through a breaker and a timeout, listening on loopback. Each test breaks one
 * thing and expects exactly that finding.
 */
import type { InstanceFacts, LocalSnapshot } from '../../../src/monkeys/audit/local-snapshot.js';

export const NOW = Date.UTC(2026, 2, 2, 12);
const DAY = 86_400_000;

export function instance(id: string, overrides: Partial<InstanceFacts> = {}): InstanceFacts {
  const [service, zone] = id.split('-').length >= 3 ? [id.split('-')[0]!, id.split('-').slice(1, -1).join('-')] : [id, 'us-east-1a'];
  return {
    id,
    service,
    region: 'us-east',
    zone,
    launchedAt: NOW - DAY,
    pid: 1000 + id.length,
    health: { url: `http://127.0.0.1:1/health`, status: 200 },
    registered: service === 'discovery' ? undefined : true,
    policies: service === 'gateway' ? [{ name: 'catalog', policies: ['bulkhead', 'circuit_breaker', 'retry', 'timeout'] }] : [],
    ...(service === 'gateway' ? { rateLimit: { ratePerSecond: 50, burst: 100 } } : {}),
    ...overrides,
  };
}

/** The conforming snapshot, with `change` applied to it. */
export function snapshot(change: (s: LocalSnapshot) => LocalSnapshot = (s) => s): LocalSnapshot {
  const instances = ['gateway-us-east-1a-0', 'gateway-us-east-1b-0', 'catalog-us-east-1a-0', 'catalog-us-east-1b-0', 'discovery-us-east-1a-0', 'discovery-us-east-1b-0'].map((id) =>
    instance(id),
  );
  return change({
    takenAt: NOW,
    instances,
    listeners: instances.map((i) => ({ resource: i.id, pid: i.pid!, sockets: [{ address: '127.0.0.1', port: 40_000 + i.id.length, family: 'IPv4' as const }] })),
    probes: [
      { resource: 'discovery-us-east-1a-0', method: 'DELETE', url: 'http://127.0.0.1:1/v1/instances/simian-audit-probe', status: 401, openStatuses: [404] },
      { resource: 'stack (pid 7)', method: 'POST', url: 'http://127.0.0.1:2/instances/simian-audit-probe/terminate', status: 401, openStatuses: [404] },
    ],
  });
}

/** The snapshot with the instance `id` changed. */
export function withInstance(id: string, change: Partial<InstanceFacts>): LocalSnapshot {
  return snapshot((s) => ({ ...s, instances: s.instances.map((i) => (i.id === id ? { ...i, ...change } : i)) }));
}
