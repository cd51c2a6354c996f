/**
 * @module
 * The discovery service of a region (like Eureka): instances register, heartbeat, and are evicted when they stop.
 *
 * API (JSON):
 * - `POST /v1/instances` {instanceId, service, region, zone, address, metadata?} → 201 {leaseMs}
 * - `PUT /v1/instances/:id/heartbeat` → 204, or 404 when the instance must register again
 * - `DELETE /v1/instances/:id` → 204 or 404
 * - `GET /v1/instances?service=&zone=` → {instances: [...]}, the given zone first
 *
 * Register, heartbeat and delete require the stack token (`Authorization: Bearer …`: 401 without) and refuse web
 * pages (`Origin`: 403): anyone else could hide a healthy instance or route callers to an address of their own.
 */
import { Gauge } from 'prom-client';
import { z } from 'zod';
import { createServiceApp, type ServiceApp } from '../service-kit/service-app.js';
import type { ServiceIdentity } from '../service-kit/identity.js';
import type { Clock } from '../../core/clock.js';
import { requireStackToken } from '../service-kit/admin-guard.js';
import { InstanceRegistry } from './instance-registry.js';

const instanceInfo = z.object({
  instanceId: z.string().min(1),
  service: z.string().min(1),
  region: z.string().min(1),
  zone: z.string().min(1),
  address: z.url(),
  metadata: z.record(z.string(), z.string()).optional(),
});

/** Options of {@link createDiscoveryService}. */
export interface DiscoveryServiceOptions {
  identity: ServiceIdentity;
  /** The token that register, heartbeat and delete require (see `stack-token.ts`). */
  stackToken: string;
  clock?: Clock;
  /** A registration lives this long without a heartbeat. @default 3_000 (three missed 1 s heartbeats) */
  leaseMs?: number;
}

/** Builds the discovery service app. */
export function createDiscoveryService(options: DiscoveryServiceOptions): ServiceApp & { registry: InstanceRegistry } {
  let instances: InstanceRegistry | undefined;
  const built = createServiceApp({
    identity: options.identity,
    ...(options.clock ? { clock: options.clock } : {}),
    routes: (app, context) => {
      const registry = new InstanceRegistry(context.clock, options.leaseMs ?? 3_000);
      instances = registry;
      new Gauge({
        name: 'discovery_registered_instances',
        help: 'Instances holding a live lease in this discovery registry.',
        registers: [context.registry],
        collect() {
          this.set(registry.list().length);
        },
      });
      new Gauge({
        name: 'discovery_self_preservation',
        help: '1 while this registry keeps expired leases because too many ran out at once (see instance-registry.ts).',
        registers: [context.registry],
        collect() {
          this.set(registry.selfPreserving ? 1 : 0);
        },
      });
      new Gauge({
        name: 'discovery_evictions',
        help: 'Instances evicted for missed heartbeats since start.',
        registers: [context.registry],
        collect() {
          this.set(registry.evictions);
        },
      });

      const admin = requireStackToken(options.stackToken);
      app.post('/v1/instances', admin, async (c) => {
        const body: unknown = await c.req.json().catch(() => undefined);
        const parsed = instanceInfo.safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const field = issue?.path.join('.') || 'body';
          return c.json({ error: `invalid registration: ${field}: ${issue?.message ?? 'expected a JSON object'}` }, 400);
        }
        registry.register(parsed.data);
        return c.json({ leaseMs: registry.leaseMs }, 201);
      });
      app.put('/v1/instances/:id/heartbeat', admin, (c) =>
        registry.renew(c.req.param('id')) ? c.body(null, 204) : c.json({ error: 'unknown instance: register again' }, 404),
      );
      app.delete('/v1/instances/:id', admin, (c) =>
        registry.deregister(c.req.param('id')) ? c.body(null, 204) : c.json({ error: 'unknown instance' }, 404),
      );
      app.get('/v1/instances', (c) => {
        const service = c.req.query('service');
        const zone = c.req.query('zone');
        return c.json({ instances: registry.list({ ...(service ? { service } : {}), ...(zone ? { zone } : {}) }) });
      });
    },
  });
  return { ...built, registry: instances! };
}
