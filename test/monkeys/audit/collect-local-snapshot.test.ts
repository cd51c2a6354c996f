/**
 * collectLocalSnapshot against real things, in this process: real reference-stack services on loopback ports
 * (discovery, a gateway, billing on a real ledger, an instance whose health check fails), the stack's real admin
 * API and an embedded Toxiproxy; then the local rules over what it gathered. The whole stack is not started.
 */
import { createAdaptorServer } from '@hono/node-server';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import { DEFAULT_AUDIT_CONFIG } from '../../../src/monkeys/audit/audit-config.js';
import { collectLocalSnapshot } from '../../../src/monkeys/audit/collect-local-snapshot.js';
import { localConformityRules } from '../../../src/monkeys/audit/local-conformity-rules.js';
import { localSecurityRules } from '../../../src/monkeys/audit/local-security-rules.js';
import { runRules } from '../../../src/monkeys/audit/rule.js';
import type { AdminInstance } from '../../../src/providers/local/local-provider.js';
import { createDiscoveryService } from '../../../src/reference-stack/discovery/discovery-service.js';
import { createGatewayService } from '../../../src/reference-stack/gateway/gateway-service.js';
import type { ServiceName } from '../../../src/reference-stack/service-kit/identity.js';
import { createServiceApp } from '../../../src/reference-stack/service-kit/service-app.js';
import { createBillingService, type BillingService } from '../../../src/reference-stack/services/billing-service.js';
import { billingLedgerPath } from '../../../src/reference-stack/services/billing-store.js';
import { createStackAdminApi } from '../../../src/reference-stack/stack/stack-admin-api.js';
import { createToxiproxyServer, type ToxiproxyServer } from '../../../src/toxiproxy/server.js';
import { loopbackServers } from '../../support/loopback-servers.js';

const TOKEN = 'stack-token-for-tests';
const servers = loopbackServers();
let dir = '';
let billing: BillingService | undefined;
let toxiproxy: ToxiproxyServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simian-audit-'));
});
afterEach(async () => {
  await servers.closeAll();
  await toxiproxy?.close();
  billing?.store.close();
  billing = undefined;
  toxiproxy = undefined;
  await rm(dir, { recursive: true, force: true });
});

const identity = (service: ServiceName, zone = 'us-east-1a') => ({ service, region: 'us-east', zone, instanceId: `${service}-${zone}-0` });
const serve = (app: { fetch: (r: Request) => Response | Promise<Response> }) => servers.listen(createAdaptorServer({ fetch: app.fetch }) as Server);

function admin(id: string, service: string, address: string, zone = 'us-east-1a'): AdminInstance {
  return { id, service, region: 'us-east', zone, pid: process.pid, address, publicAddress: address, launchedAt: systemClock.now() - 1000, state: 'running', tags: { owner: `team-${service}` } };
}

/** A small stack: discovery with catalog registered, a sick catalog that is not, a gateway and billing. */
async function smallStack() {
  const discovery = createDiscoveryService({ identity: identity('discovery'), stackToken: TOKEN });
  const discoveryUrl = await serve(discovery.app);
  const healthy = createServiceApp({ identity: identity('catalog'), routes: () => undefined });
  const sick = createServiceApp({ identity: identity('catalog', 'us-east-1b'), routes: () => undefined, health: () => ({ ok: false, reason: 'disk full' }) });
  const healthyUrl = await serve(healthy.app);
  const sickUrl = await serve(sick.app);
  discovery.registry.register({ instanceId: `catalog-us-east-1a-0@${process.pid}`, service: 'catalog', region: 'us-east', zone: 'us-east-1a', address: healthyUrl });
  const gateway = createGatewayService({ identity: identity('gateway'), discovery: { lookup: () => [] }, tokenSecret: 'secret' });
  const gatewayUrl = await serve(gateway.app);
  billing = createBillingService({ identity: identity('billing'), databasePath: billingLedgerPath(dir), stackToken: TOKEN });
  const billingUrl = await serve(billing.app);
  const adminUrl = await serve(createStackAdminApi({ stackToken: TOKEN, inventory: () => [], signal: () => ({ outcome: 'unknown' }), metrics: async () => '' }));
  toxiproxy = await createToxiproxyServer({ port: 0 });
  const inventory = [
    admin('discovery-us-east-1a-0', 'discovery', discoveryUrl),
    admin('catalog-us-east-1a-0', 'catalog', healthyUrl),
    admin('catalog-us-east-1b-0', 'catalog', sickUrl, 'us-east-1b'),
    admin('gateway-us-east-1a-0', 'gateway', gatewayUrl),
    admin('billing-us-east-1a-0', 'billing', billingUrl),
    { ...admin('billing-us-east-1b-0', 'billing', 'http://127.0.0.1:9', 'us-east-1b'), state: 'crashed' },
  ];
  return { inventory, adminUrl, toxiproxyUrl: toxiproxy.url };
}

describe('collectLocalSnapshot', () => {
  it('reads health, registration, metrics and unauthenticated writes from real services', async () => {
    const stack = await smallStack();
    const snapshot = await collectLocalSnapshot({
      inventory: async () => stack.inventory,
      stack: { pid: process.pid, adminUrl: stack.adminUrl, toxiproxyUrl: stack.toxiproxyUrl },
      clock: systemClock,
      timeoutMs: 5_000,
    });
    const byId = new Map(snapshot.instances.map((i) => [i.id, i]));
    // The crashed instance is not audited; the others are, each on its own address.
    expect([...byId.keys()].sort()).toEqual(['billing-us-east-1a-0', 'catalog-us-east-1a-0', 'catalog-us-east-1b-0', 'discovery-us-east-1a-0', 'gateway-us-east-1a-0']);
    expect(byId.get('catalog-us-east-1a-0')).toMatchObject({ health: { status: 200 }, registered: true, owner: 'team-catalog' });
    expect(byId.get('catalog-us-east-1b-0')).toMatchObject({ health: { status: 503 }, registered: false });
    expect(byId.get('discovery-us-east-1a-0')!.registered).toBeUndefined();
    expect(byId.get('gateway-us-east-1a-0')!.rateLimit).toEqual({ ratePerSecond: 50, burst: 100 });

    const conformity = runRules(localConformityRules(DEFAULT_AUDIT_CONFIG), snapshot);
    expect(conformity.map((f) => [f.rule, f.resource])).toEqual([
      ['conformity.health-check', 'catalog-us-east-1b-0'],
      ['conformity.discovery-registration', 'billing-us-east-1a-0'],
      ['conformity.discovery-registration', 'catalog-us-east-1b-0'],
      ['conformity.discovery-registration', 'gateway-us-east-1a-0'],
      ['conformity.single-zone', 'billing@us-east'],
      ['conformity.single-zone', 'discovery@us-east'],
      ['conformity.single-zone', 'gateway@us-east'],
    ]);

    // Guarded routes (discovery, billing's write, the gateway's, the stack's admin API) refuse without credentials;
    // Toxiproxy's API, which has no credentials at all, does not.
    const security = runRules(localSecurityRules(DEFAULT_AUDIT_CONFIG), snapshot);
    expect(security.map((f) => [f.rule, f.resource, f.why.split(' without')[0]])).toEqual([
      ['security.unauthenticated-write', `stack (pid ${process.pid})`, `POST ${stack.toxiproxyUrl}/proxies/simian-audit-probe/toxics`],
    ]);
    const statuses = Object.fromEntries(snapshot.probes.map((p) => [`${p.method} ${new URL(p.url).pathname}`, p.status]));
    expect(statuses).toMatchObject({
      'DELETE /v1/instances/simian-audit-probe': 401,
      'POST /v1/instances': 401,
      'POST /api/subscriptions': 401,
      'POST /subscriptions': 401,
      'POST /instances/simian-audit-probe/terminate': 401,
    });
    // Every server here listens on loopback, as the stack's instances do.
    expect(snapshot.listeners.find((l) => l.resource === 'catalog-us-east-1a-0')!.sockets!.every((s) => s.address === '127.0.0.1')).toBe(true);
  });

  it('for the Conformity Monkey, sends no write probe and reads no socket', async () => {
    const stack = await smallStack();
    const snapshot = await collectLocalSnapshot({
      inventory: async () => stack.inventory,
      stack: { pid: process.pid, adminUrl: stack.adminUrl, toxiproxyUrl: stack.toxiproxyUrl },
      clock: systemClock,
      timeoutMs: 5_000,
      security: false,
    });
    expect(snapshot.probes).toEqual([]);
    expect(snapshot.listeners).toEqual([]);
    expect(snapshot.instances.length).toBeGreaterThan(0);
  });

  it('records no answer as an error, so the health rule reports it and the others cannot tell', async () => {
    const closed = await serve(createServiceApp({ identity: identity('catalog'), routes: () => undefined }).app);
    await servers.closeAll();
    const snapshot = await collectLocalSnapshot({ inventory: async () => [admin('catalog-us-east-1a-0', 'catalog', closed)], clock: systemClock, timeoutMs: 2_000 });
    const [facts] = snapshot.instances;
    expect(facts!.health).toEqual({ url: `${closed}/health`, error: 'connection refused' });
    expect(facts!.policies).toBeUndefined();
    // No discovery instance answered for the region: registration cannot be told.
    expect(facts!.registered).toBeUndefined();
    expect(runRules(localConformityRules({ ...DEFAULT_AUDIT_CONFIG, minZones: 1 }), snapshot)).toMatchObject([{ rule: 'conformity.health-check', why: expect.stringContaining('no answer (connection refused)') }]);
  });
});
